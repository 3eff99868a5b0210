"""Certificate rendering: what a certificate states (its text), the PDF layout and the two barcodes.

A certificate is rendered once with ReportLab (text, a 2D-Doc DataMatrix and a QR code with the
verification link); the vault's front door (`abri.documents.services.document_file`) signs it once
(PAdES) and stores it.

Why two barcodes: a 2D-Doc must start with "DC03…" so that 2D-Doc readers verify it offline, and a
phone camera only opens a QR code whose whole content is a URL; one symbol cannot be both. The
DataMatrix (the symbology of the ANTS specification) carries the signed 2D-Doc; the QR code carries
`<ABRI_BASE_URL>/verifier/?numero=<number>`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

import segno
import zxingcpp
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from abri.certificates import twoddoc
from abri.certificates.choices import CertificateKind
from abri.certificates.models import Certificate
from abri.certificates.rules import KIND_CODES, LIABILITY_CODES, fr_date
from abri.contracts.models import Contract
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.documents.layout import (
    BOLD,
    BRAND,
    BRAND_LIGHT,
    CONTENT_WIDTH,
    FONT,
    FOOTER_HEIGHT,
    GREY,
    LEFT,
    RULE,
    ZEBRA,
    draw_footer,
    draw_letterhead,
    insurer,
    pdf_text,
    wrap_words,
)
from abri.documents.signing import signing_material
from abri.documents.tagging import DEFAULT_LANG, Tagger

logger = logging.getLogger(__name__)


def _pdf_eur(value) -> str:
    # Standard PDF fonts (WinAnsi) have no narrow no-break space; plain spaces also keep the text searchable.
    return format_eur(value).replace("\u202f", " ").replace("\u00a0", " ")



@dataclass
class _Block:
    style: str  # "h" heading, "p" paragraph, "row" table row (columns separated by \t), "small"
    text: str


def _content(
    *, certificate: Certificate, contract: Contract, guarantees: list, issued_at: dt.datetime
) -> tuple[str, list[_Block]]:
    customer, prop = certificate.customer, contract.property
    kind = certificate.kind
    insurer = settings.ABRI_INSURER_NAME
    titles = {
        CertificateKind.TENANT: _("Attestation d'assurance habitation — locataire"),
        CertificateKind.LENDER: _("Attestation d'assurance habitation pour l'organisme prêteur"),
        CertificateKind.TEMPORARY: _("Attestation d'assurance habitation temporaire"),
        CertificateKind.SCHOOL: _("Attestation d'assurance responsabilité civile scolaire"),
    }
    title = str(titles[kind])
    blocks = [
        _Block("p", _("Attestation n° %(number)s — délivrée le %(date)s") % {
            "number": certificate.number, "date": fr_date(timezone.localtime(issued_at).date())}),
        _Block("p", _("%(insurer)s atteste que :") % {"insurer": insurer}),
        _Block("h", _("Assuré")),
        _Block("p", f"{customer.get_civility_display() + ' ' if customer.civility else ''}{customer.full_name}"),
        _Block("p", _("Qualité : %(status)s") % {"status": prop.get_occupant_status_display()}),
        _Block("h", _("Logement assuré")),
        _Block("p", prop.full_address),
        _Block("p", _("%(kind)s, %(rooms)s pièce(s), %(surface)s m²%(floor)s — %(residence)s") % {
            "kind": prop.get_kind_display(), "rooms": prop.rooms, "surface": prop.surface_m2,
            "floor": (_(", étage %(floor)s") % {"floor": prop.floor}) if prop.floor is not None else "",
            "residence": prop.get_residence_display(),
        }),
        _Block("h", _("Contrat")),
        _Block("p", _("Contrat multirisque habitation n° %(number)s, formule %(formula)s, souscrit le %(start)s.") % {
            "number": contract.number, "formula": contract.get_formula_display(), "start": fr_date(contract.start_date)}),
    ]
    if kind == CertificateKind.SCHOOL:
        blocks += [
            _Block("h", _("Enfant assuré")),
            _Block("p", _("%(child)s, pour l'année scolaire %(year)s.") % {
                "child": f"{certificate.child_first_name} {certificate.child_last_name}", "year": certificate.school_year}),
            _Block("p", _("L'enfant est couvert par la garantie responsabilité civile vie privée du contrat pour les "
                          "dommages qu'il cause à autrui, lors des activités scolaires et extrascolaires.")),
        ]
    if kind == CertificateKind.TENANT:
        blocks.append(_Block("p", _("Attestation remise au bailleur en application de l'article 7 g) de la loi "
                                    "n° 89-462 du 6 juillet 1989 : le locataire est assuré contre les risques "
                                    "locatifs (responsabilité civile locative).")))
    if kind == CertificateKind.LENDER:
        blocks += [
            _Block("h", _("Bâtiment assuré")),
            _Block("p", _("Le bâtiment est assuré en valeur de reconstruction à neuf pour un capital de %(capital)s "
                          "(incendie et explosion, dégâts des eaux, tempête, catastrophes naturelles et "
                          "technologiques).") % {"capital": _pdf_eur(contract.building_capital)}),
        ]
    blocks.append(_Block("h", _("Garanties")))
    if kind == CertificateKind.LENDER:
        blocks.append(_Block("row", "\t".join([_("Garantie"), _("Plafond"), _("Franchise")])))
        for g in guarantees:
            ceiling = _pdf_eur(g.ceiling) if g.ceiling is not None else _("Selon conditions générales")
            blocks.append(_Block("row", f"{g.get_code_display()}\t{ceiling}\t{_pdf_eur(g.deductible)}"))
            for label, amount in g.sub_limit_rows:
                blocks.append(_Block("row", f"    {_('dont %(label)s') % {'label': label}}\t{_pdf_eur(amount)}\t"))
    else:
        shown = [g for g in guarantees if g.code in LIABILITY_CODES] if kind == CertificateKind.SCHOOL else guarantees
        for g in shown:
            ceiling = ""
            if g.ceiling is not None and g.code in LIABILITY_CODES:
                ceiling = f" — {_('plafond')} {_pdf_eur(g.ceiling)}"
                limits = [f"{label} {_pdf_eur(amount)}" for label, amount in g.sub_limit_rows]
                if limits:
                    ceiling += " (" + _("dont %(limits)s") % {"limits": ", ".join(limits)} + ")"
            blocks.append(_Block("p", f"• {g.get_code_display()}{ceiling}"))
    blocks += [
        _Block("h", _("Validité")),
        _Block("p", _("Cette attestation est valable du %(start)s au %(end)s, sous réserve du paiement des "
                      "cotisations et de la poursuite du contrat.") % {
            "start": fr_date(certificate.valid_from), "end": fr_date(certificate.valid_until)}),
        _Block("small", _("Elle ne peut engager l'assureur au-delà des conditions du contrat auquel elle se réfère.")),
        _Block("h", _("Vérifier cette attestation")),
        _Block("small", _("Scannez le code QR ou saisissez le numéro %(number)s sur %(url)s. Le code 2D-Doc "
                          "est signé électroniquement par l'assureur (certificat publié sur %(pem)s).") % {
            "number": certificate.number, "url": f"{settings.ABRI_BASE_URL}/verifier/",
            "pem": f"{settings.ABRI_BASE_URL}/verifier/certificat.pem"}),
        _Block("small", _("Document signé électroniquement (PAdES) par %(insurer)s.") % {"insurer": insurer}),
    ]
    return title, blocks


def _draw_modules(pdf, rows: list, x: float, y: float, size: float) -> None:
    """Draw a barcode matrix (rows of booleans, dark = True) as one vector path, `size` wide."""
    module = size / max(len(rows[0]), len(rows))
    top = y + len(rows) * module
    path = pdf.beginPath()
    for row_index, row in enumerate(rows):
        # One rectangle per horizontal run of dark modules: a third of the drawing operations.
        col_index, width = 0, len(row)
        while col_index < width:
            if not row[col_index]:
                col_index += 1
                continue
            run_start = col_index
            while col_index < width and row[col_index]:
                col_index += 1
            path.rect(x + run_start * module, top - (row_index + 1) * module, (col_index - run_start) * module, module)
    pdf.drawPath(path, stroke=0, fill=1)


def _draw_qr(pdf, content: str, x: float, y: float, size: float) -> None:
    qr = segno.make_qr(content, error="m", boost_error=False)
    _draw_modules(pdf, [[bool(v) for v in row] for row in qr.matrix], x, y, size)


def _draw_datamatrix(pdf, content: str, x: float, y: float, size: float) -> None:
    # zxing-cpp's encoder picks the smallest square ECC200 symbol (ReportLab's only has 44×44).
    symbol = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
    image = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
    height, width = image.shape
    pixels = image.tobytes()
    _draw_modules(pdf, [[pixels[r * width + c] < 128 for c in range(width)] for r in range(height)], x, y, size)


# The verification panel at the bottom of the page, above the footer (FOOTER_HEIGHT): the 2D-Doc on the left,
# the QR code on the right, and between them how to verify. The body stays above PANEL_TOP.
PANEL_BOTTOM = FOOTER_HEIGHT + 1 * mm
PANEL_HEIGHT = 40 * mm
PANEL_TOP = PANEL_BOTTOM + PANEL_HEIGHT
DATAMATRIX_SIZE = 30 * mm
QR_SIZE = 27 * mm


def _references(pdf, tagger: Tagger, y: float, references: list[tuple[str, str]]) -> float:
    """« VOS RÉFÉRENCES » as in the letters, in two columns; returns the y below it."""
    if not references:
        return y
    with tagger.artifact():
        pdf.setFillColor(GREY)
        pdf.setFont(BOLD, 7.5)
        pdf.drawString(LEFT, y, _("VOS RÉFÉRENCES"))
    block = tagger.node("Div")
    half = (len(references) + 1) // 2
    for index, (label, value) in enumerate(references):
        column, row = divmod(index, half)
        x = LEFT + column * (CONTENT_WIDTH / 2)
        row_y = y - (row + 1) * 4.6 * mm
        with tagger.tag("P", block):
            pdf.setFillColor(GREY)
            pdf.setFont(FONT, 8.5)
            pdf.drawString(x, row_y, pdf_text(label))
            pdf.setFillColor(colors.black)
            pdf.setFont(BOLD, 9)
            pdf.drawString(x + 27 * mm, row_y, pdf_text(value))
    pdf.setFillColor(colors.black)
    return y - (half + 1) * 4.6 * mm


def _draw_row(pdf, tagger: Tagger, table, text: str, y: float, *, header: bool, shaded: bool, k: float = 1.0) -> float:
    """One row of the guarantees table: label, then amounts right-aligned; header in the brand colour."""
    row = tagger.node("TR", table)
    cells = text.split("\t")
    height = 4.4 * mm * k
    with tagger.artifact():
        if header or shaded:
            pdf.setFillColor(BRAND_LIGHT if header else ZEBRA)
            pdf.rect(LEFT, y - 1.35 * mm * k, CONTENT_WIDTH, height, stroke=0, fill=1)
        pdf.setStrokeColor(BRAND if header else RULE)
        pdf.setLineWidth(1 if header else 0.4)
        pdf.line(LEFT, y - 1.35 * mm * k, LEFT + CONTENT_WIDTH, y - 1.35 * mm * k)
    font = BOLD if header else FONT
    pdf.setFillColor(BRAND if header else colors.black)
    right_edges = (LEFT + 132 * mm, LEFT + CONTENT_WIDTH - 2 * mm)
    for index, cell in enumerate(cells):
        with tagger.tag("TH" if header else "TD", row):
            pdf.setFont(font, 8 if k == 1 else 7.5)
            if index == 0:
                pdf.drawString(LEFT + 2 * mm, y, pdf_text(cell))
            elif index <= len(right_edges):
                pdf.drawRightString(right_edges[index - 1], y, pdf_text(cell))
    pdf.setFillColor(colors.black)
    return y - height


def _verification_panel(pdf, tagger: Tagger, blocks: list[_Block], *, twoddoc_text: str, verify_url: str,
                        number: str) -> None:
    """The panel that makes the certificate verifiable: 2D-Doc (DataMatrix), how to verify, QR code."""
    right = LEFT + CONTENT_WIDTH
    with tagger.artifact():
        pdf.setFillColor(BRAND_LIGHT)
        pdf.roundRect(LEFT, PANEL_BOTTOM, CONTENT_WIDTH, PANEL_HEIGHT, 2 * mm, stroke=0, fill=1)
        # White behind each code: its quiet zone, whatever the panel's colour.
        pdf.setFillColor(colors.white)
        pdf.rect(LEFT + 2 * mm, PANEL_BOTTOM + 6 * mm, DATAMATRIX_SIZE + 4 * mm, DATAMATRIX_SIZE + 4 * mm, stroke=0,
                 fill=1)
        pdf.rect(right - QR_SIZE - 6 * mm, PANEL_BOTTOM + 6 * mm, QR_SIZE + 4 * mm, QR_SIZE + 4 * mm, stroke=0, fill=1)
        pdf.setFillColor(colors.black)
    dm_x, dm_y = LEFT + 4 * mm, PANEL_BOTTOM + 8 * mm
    qr_x, qr_y = right - QR_SIZE - 4 * mm, PANEL_BOTTOM + 8 * mm
    # The explanation between the codes (read first: it says what the two codes are).
    text_left = dm_x + DATAMATRIX_SIZE + 6 * mm
    text_width = qr_x - 6 * mm - text_left
    y = PANEL_TOP - 6 * mm
    for block in blocks:
        if block.style == "h":
            pdf.setFillColor(BRAND)
            pdf.setFont(BOLD, 10)
            with tagger.tag("H2"):
                pdf.drawString(text_left, y, pdf_text(block.text))
            pdf.setFillColor(colors.black)
            y -= 5 * mm
            continue
        pdf.setFont(FONT, 7.8)
        with tagger.tag("P"):
            for line in wrap_words(pdf, pdf_text(block.text), FONT, 7.8, text_width):
                pdf.drawString(text_left, y, line)
                y -= 3.4 * mm
        y -= 1 * mm
    if y < PANEL_BOTTOM:
        logger.warning("certificate %s: the verification text overflows its panel", number)
    # 2D-Doc as DataMatrix (ANTS symbology), verification link as QR code.
    with tagger.tag("Figure", alt=_(
        "Code 2D-Doc de l'attestation %(number)s, signé électroniquement par l'assureur : il reprend l'assuré, "
        "l'adresse du logement et la période de validité, et se vérifie hors ligne avec un lecteur 2D-Doc."
    ) % {"number": number}, bbox=(dm_x, dm_y, dm_x + DATAMATRIX_SIZE, dm_y + DATAMATRIX_SIZE)):
        _draw_datamatrix(pdf, twoddoc_text, dm_x, dm_y, DATAMATRIX_SIZE)
    pdf.setFont(FONT, 7.5)
    pdf.setFillColor(GREY)
    with tagger.tag("P"):
        pdf.drawString(dm_x, PANEL_BOTTOM + 3 * mm, _("2D-Doc signé (vérifiable hors ligne)"))
    pdf.setFillColor(colors.black)
    with tagger.tag("Figure", alt=_("Code QR menant à la page de vérification en ligne de l'attestation : %(url)s")
                    % {"url": verify_url}, bbox=(qr_x, qr_y, qr_x + QR_SIZE, qr_y + QR_SIZE)):
        _draw_qr(pdf, verify_url, qr_x, qr_y, QR_SIZE)
    pdf.setFillColor(GREY)
    with tagger.tag("P"):
        pdf.drawRightString(right - 2 * mm, PANEL_BOTTOM + 3 * mm, _("Vérifier en ligne : scannez ce code"))
    pdf.setFillColor(colors.black)


def _draw_body(pdf, tagger: Tagger, body: list[_Block], y: float, k: float = 1.0) -> float:
    """The certified text from the top down (`k` < 1 tightens the spacing); returns the y where it ends."""
    table = bullets = None
    rows = 0
    for block in body:
        if block.style != "row":
            table = None
        if not (block.style == "p" and block.text.startswith("• ")):
            bullets = None
        if block.style == "h":
            y -= 1.5 * mm * k
            pdf.setFont(BOLD, 11)
            pdf.setFillColor(BRAND)
            with tagger.tag("H2"):
                pdf.drawString(LEFT, y, pdf_text(block.text))
            pdf.setFillColor(colors.black)
            y -= 5 * mm * k
        elif block.style == "row":
            header = table is None  # the first row of a table names its columns
            table = table or tagger.node("Table")
            rows = 0 if header else rows + 1
            y = _draw_row(pdf, tagger, table, block.text, y, header=header, shaded=not header and rows % 2 == 0, k=k)
        elif bullets is not None or block.text.startswith("• "):
            bullets = bullets or tagger.node("L")
            item = tagger.node("LI", bullets)
            pdf.setFont(FONT, 10)
            pdf.setFillColor(BRAND)
            with tagger.tag("Lbl", item):
                pdf.drawString(LEFT + 1 * mm, y, "•")
            pdf.setFillColor(colors.black)
            indent = 5 * mm
            entry = tagger.node("LBody", item)
            for line in wrap_words(pdf, pdf_text(block.text[2:]), FONT, 10, CONTENT_WIDTH - indent):
                with tagger.mark(entry):
                    pdf.drawString(LEFT + indent, y, line)
                y -= 4.6 * mm * k
        else:
            small = block.style == "small"
            font, size, step = (FONT, 8.5, 3.8 * mm * k) if small else (FONT, 10, 4.6 * mm * k)
            pdf.setFont(font, size)
            pdf.setFillColor(GREY if small else colors.black)
            with tagger.tag("P"):
                for line in wrap_words(pdf, pdf_text(block.text), font, size, CONTENT_WIDTH):
                    pdf.drawString(LEFT, y, line)
                    y -= step
            pdf.setFillColor(colors.black)
            y -= 0.4 * mm * k
    return y


def _render_pdf(*, title: str, blocks: list[_Block], twoddoc_text: str, verify_url: str, number: str,
                references: list[tuple[str, str]] = ()) -> bytes:
    """The certificate in the insurer's document layout (abri.documents.layout: letterhead, reference block,
    title, legal mentions and « Page 1 sur 1 »), tagged while it is drawn (RGAA 13.3, abri.documents.tagging):
    /H1 title, /H2 sections, /P paragraphs, a /L list of guarantees or a /Table (header row in /TH), and the
    two barcodes as /Figure with their alternative text, in a verification panel above the footer;
    /Lang fr-FR and the title shown by the reader."""
    who = insurer()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, lang=DEFAULT_LANG)
    pdf.setTitle(f"{title} — {number}")
    pdf.setAuthor(who.name)
    pdf.setSubject(title)
    pdf.setKeywords(["attestation", "assurance habitation", number])
    pdf.setCreator("Abri")
    tagger = Tagger(pdf)
    y = draw_letterhead(pdf, tagger, who=who) - 4 * mm
    y = _references(pdf, tagger, y, list(references)) - 3 * mm
    if references and blocks and blocks[0].style == "p" and number in blocks[0].text:
        blocks = blocks[1:]  # « Attestation n° … — délivrée le … »: said by the reference block
    pdf.setFillColor(BRAND)
    y -= 1.5 * mm
    with tagger.tag("H1"):
        pdf.setFont(BOLD, 15)
        for line in wrap_words(pdf, pdf_text(title), BOLD, 15, CONTENT_WIDTH):
            pdf.drawString(LEFT, y, line)
            y -= 7 * mm
    pdf.setFillColor(colors.black)
    # Everything from the last heading (« Vérifier cette attestation ») goes into the verification panel.
    last_heading = max((i for i, b in enumerate(blocks) if b.style == "h"), default=len(blocks))
    body, panel = blocks[:last_heading], blocks[last_heading:]
    # A long list of guarantees (a lender's certificate with every option) is drawn tighter, measured first on a
    # scratch canvas, so that the body stays above the verification panel on the one page.
    k = 1.0
    for k in (1.0, 0.9, 0.8):
        scratch = canvas.Canvas(io.BytesIO(), pagesize=A4)
        if _draw_body(scratch, Tagger(scratch), body, y, k) >= PANEL_TOP:
            break
    y = _draw_body(pdf, tagger, body, y, k)
    if y < PANEL_TOP:
        logger.warning("certificate %s: text reaches the verification panel", number)
    _verification_panel(pdf, tagger, panel, twoddoc_text=twoddoc_text, verify_url=verify_url, number=number)
    draw_footer(pdf, tagger, page=1, pages=1, who=who)
    tagger.finish()
    pdf.save()
    return buffer.getvalue()


def _twoddoc_fields(*, certificate: Certificate, contract: Contract) -> list[tuple[str, str]]:
    customer, prop = certificate.customer, contract.property
    fields = [
        (twoddoc.FIELD_NUMBER, certificate.number),
        (twoddoc.FIELD_CONTRACT, contract.number),
        (twoddoc.FIELD_KIND, KIND_CODES[certificate.kind]),
        (twoddoc.FIELD_INSURED, customer.full_name),
        (twoddoc.FIELD_STREET, prop.address_line),
        (twoddoc.FIELD_POSTCODE, prop.postcode),
        (twoddoc.FIELD_CITY, prop.city),
        (twoddoc.FIELD_VALID_FROM, twoddoc.format_date(certificate.valid_from)),
        (twoddoc.FIELD_VALID_UNTIL, twoddoc.format_date(certificate.valid_until)),
    ]
    if certificate.kind == CertificateKind.SCHOOL:
        fields += [
            (twoddoc.FIELD_CHILD, f"{certificate.child_first_name} {certificate.child_last_name}"),
            (twoddoc.FIELD_SCHOOL_YEAR, certificate.school_year),
        ]
    fields.append((twoddoc.FIELD_INSURER, settings.ABRI_INSURER_NAME))
    return fields


def verification_url(number: str) -> str:
    """The public link printed in the QR code."""
    return f"{settings.ABRI_BASE_URL.rstrip('/')}/verifier/?numero={number}"


def certified_text(*, certificate: Certificate, contract: Contract, guarantees: list, issued_at) -> tuple:
    """Title, blocks and the plain text of what the certificate states (stored on its Document)."""
    with override("fr"):  # a certificate is a French legal document, whatever the page language
        title, blocks = _content(certificate=certificate, contract=contract, guarantees=guarantees, issued_at=issued_at)
    text = "\n".join([settings.ABRI_INSURER_NAME, title, *(b.text.replace("\t", " ") for b in blocks)])
    return title, blocks, text



def certificate_pdf(*, certificate_id: int, title: str, blocks: list[list[str]]) -> bytes:
    """The vault's renderer for a certificate (run by the document task): sign its 2D-Doc, draw the PDF.

    `blocks` are the [style, text] pairs computed when the certificate was issued, so the PDF states
    exactly the text its Document holds (what `certificate_states_the_truth` compares), even if the
    contract changed before the task ran (the sweep then revokes it).
    """
    certificate = Certificate.objects.select_related("customer", "contract__property").get(pk=certificate_id)
    material = signing_material()
    today = timezone.localdate(certificate.issued_at)
    with override("fr"):
        message = twoddoc.build_message(
            ca_id=material.twoddoc_ca_id, cert_id=material.twoddoc_cert_id, issued_on=today, signed_on=today,
            fields=_twoddoc_fields(certificate=certificate, contract=certificate.contract),
        )
        payload = twoddoc.sign_message(message, material.sign_twoddoc)
        Certificate.objects.filter(pk=certificate_id).update(twoddoc_payload=payload)
        return _render_pdf(
            title=title, blocks=[_Block(style, text) for style, text in blocks], twoddoc_text=payload,
            verify_url=verification_url(certificate.number), number=certificate.number,
            references=[
                (_("Attestation n°"), certificate.number),
                (_("Contrat n°"), certificate.contract.number),
                (_("Délivrée le"), day_in_words(today)),
                (_("Validité"), _("du %(start)s au %(end)s") % {
                    "start": fr_date(certificate.valid_from), "end": fr_date(certificate.valid_until)}),
            ],
        )
