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
from abri.core.money import format_eur
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


def _wrap(pdf, text: str, font: str, size: float, width: float) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and pdf.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


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


def _render_pdf(*, title: str, blocks: list[_Block], twoddoc_text: str, verify_url: str, number: str) -> bytes:
    """The certificate, tagged while it is drawn (RGAA 13.3, see abri.documents.tagging): /H1 title,
    /H2 sections, /P paragraphs, a /L list of guarantees or a /Table (header row in /TH), and the two
    barcodes as /Figure with their alternative text; /Lang fr-FR and the title shown by the reader."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, lang=DEFAULT_LANG)
    pdf.setTitle(f"{title} — {number}")
    pdf.setAuthor(settings.ABRI_INSURER_NAME)
    pdf.setSubject(title)
    pdf.setKeywords(["attestation", "assurance habitation", number])
    pdf.setCreator("Abri")
    tagger = Tagger(pdf)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    with tagger.tag("P"):
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(left, height - 16 * mm, settings.ABRI_INSURER_NAME)
    pdf.setFont("Helvetica-Bold", 15)
    y = height - 28 * mm
    with tagger.tag("H1"):
        for line in _wrap(pdf, title, "Helvetica-Bold", 15, right - left):
            pdf.drawString(left, y, line)
            y -= 7 * mm
    y -= 2 * mm
    barcode_zone = 58 * mm  # keep the bottom free for the barcodes
    table = bullets = None
    for block in blocks:
        if block.style != "row":
            table = None
        if not (block.style == "p" and block.text.startswith("• ")):
            bullets = None
        if block.style == "h":
            y -= 2.5 * mm
            pdf.setFont("Helvetica-Bold", 11)
            pdf.setFillColor(colors.HexColor("#1d4e89"))
            with tagger.tag("H2"):
                pdf.drawString(left, y, block.text)
            pdf.setFillColor(colors.black)
            y -= 5.5 * mm
        elif block.style == "row":
            header = table is None  # the first row of a table names its columns
            table = table or tagger.node("Table")
            row = tagger.node("TR", table)
            pdf.setFont("Helvetica", 9)
            col_x = (left, left + 90 * mm, left + 135 * mm)
            for x, cell in zip(col_x, block.text.split("\t"), strict=False):
                with tagger.tag("TH" if header else "TD", row):
                    pdf.drawString(x, y, cell)
            y -= 4.6 * mm
        elif bullets is not None or block.text.startswith("• "):
            bullets = bullets or tagger.node("L")
            item = tagger.node("LI", bullets)
            pdf.setFont("Helvetica", 10)
            with tagger.tag("Lbl", item):
                pdf.drawString(left, y, "•")
            indent = pdf.stringWidth("• ", "Helvetica", 10)
            body = tagger.node("LBody", item)
            for line in _wrap(pdf, block.text[2:], "Helvetica", 10, right - left - indent):
                with tagger.mark(body):
                    pdf.drawString(left + indent, y, line)
                y -= 5 * mm
        else:
            font, size, step = ("Helvetica", 8.5, 4.2 * mm) if block.style == "small" else ("Helvetica", 10, 5 * mm)
            pdf.setFont(font, size)
            with tagger.tag("P"):
                for line in _wrap(pdf, block.text, font, size, right - left):
                    pdf.drawString(left, y, line)
                    y -= step
        if y < barcode_zone:
            logger.warning("certificate %s: text reaches the barcode zone", number)
    # 2D-Doc as DataMatrix (ANTS symbology), verification link as QR code.
    with tagger.tag("Figure", alt=_(
        "Code 2D-Doc de l'attestation %(number)s, signé électroniquement par l'assureur : il reprend l'assuré, "
        "l'adresse du logement et la période de validité, et se vérifie hors ligne avec un lecteur 2D-Doc."
    ) % {"number": number}, bbox=(left, 14 * mm, left + 36 * mm, 50 * mm)):
        _draw_datamatrix(pdf, twoddoc_text, left, 14 * mm, 36 * mm)
    pdf.setFont("Helvetica", 7.5)
    with tagger.tag("P"):
        pdf.drawString(left, 10 * mm, _("2D-Doc signé (vérifiable hors ligne)"))
    with tagger.tag("Figure", alt=_("Code QR menant à la page de vérification en ligne de l'attestation : %(url)s")
                    % {"url": verify_url}, bbox=(right - 32 * mm, 14 * mm, right, 46 * mm)):
        _draw_qr(pdf, verify_url, right - 32 * mm, 14 * mm, 32 * mm)
    with tagger.tag("P"):
        pdf.drawRightString(right, 10 * mm, _("Vérifier en ligne : scannez ce code"))
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
        )
