"""Certificates (attestations): issue, revoke, verify — services and selectors.

A certificate is rendered once with ReportLab (text, a 2D-Doc DataMatrix and a QR code with the
verification link), signed once with pyHanko (PAdES), stored in the customer's vault as a Document of
kind "certificate", and recorded as a Certificate row that anyone can verify by its number at /verifier/.

Why two barcodes: a 2D-Doc must start with "DC03…" so that 2D-Doc readers verify it offline, and a
phone camera only opens a QR code whose whole content is a URL; one symbol cannot be both. The
DataMatrix (the symbology of the ANTS specification) carries the signed 2D-Doc; the QR code carries
`<ABRI_BASE_URL>/verifier/?numero=<number>`.
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import logging
import re
import secrets
from dataclasses import dataclass

import segno
import zxingcpp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from abri.contracts.choices import GuaranteeCode, OccupantStatus
from abri.contracts.models import Contract
from abri.core import ratelimit
from abri.core.errors import ensure_owner
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.documents import twoddoc
from abri.documents.choices import DocumentKind, GuaranteeCategory
from abri.documents.models import (
    Certificate,
    CertificateKind,
    Document,
    VerificationLog,
    VerificationOutcome,
)
from abri.documents.signing import pdf_sign, signing_material
from abri.documents.tagging import DEFAULT_LANG, Tagger

logger = logging.getLogger(__name__)

# Crockford's base 32: no I, L, O, U, so a number read aloud or retyped is not mistaken.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RE = re.compile(r"^ATT-(\d{4})-([0-9A-HJKMNP-TV-Z]{8})$")
TEMPORARY_MAX_DAYS = 30
SCHOOL_YEAR_RE = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")
KIND_CODES = {
    CertificateKind.TENANT: "LOCATAIRE",
    CertificateKind.LENDER: "PRETEUR",
    CertificateKind.TEMPORARY: "TEMPORAIRE",
    CertificateKind.SCHOOL: "SCOLAIRE",
}
LIABILITY_CODES = {GuaranteeCode.LIABILITY, GuaranteeCode.TENANT_LIABILITY}
OWNER_STATUSES = {OccupantStatus.OWNER, OccupantStatus.NON_OCCUPYING_OWNER}


# --- Eligibility: a certificate states only what the contract covers -----------------------------


def certificate_kind_refusal(*, contract: Contract, kind: str, guarantee_codes: set[str] | None = None) -> str:
    """Why this kind of certificate cannot be issued for this contract (French), or "" when it can.

    - tenant's certificate for the landlord (loi n° 89-462, art. 7 g): a tenant's contract with tenant's liability;
    - lender's certificate: an owner, co-owner or non-occupying owner whose contract insures the building;
    - school certificate: private liability (« vie privée ») of the household — not a non-occupying owner's contract;
    - temporary certificate: any contract in force (it lists the contract's guarantees).
    """
    codes = guarantee_codes if guarantee_codes is not None else {g.code for g in contract.guarantees.all()}
    status = contract.property.occupant_status
    if kind == CertificateKind.TENANT:
        if status != OccupantStatus.TENANT:
            return _("Réservée aux locataires : elle prouve au bailleur l'assurance des risques locatifs (loi "
                     "n° 89-462 du 6 juillet 1989, art. 7 g). Ce contrat (%(status)s) ne comporte pas la "
                     "responsabilité civile locative.") % {"status": contract.property.get_occupant_status_display()}
        if GuaranteeCode.TENANT_LIABILITY not in codes:
            return _("Ce contrat ne comporte pas la responsabilité civile locative que demande le bailleur.")
    elif kind == CertificateKind.LENDER:
        if status not in OWNER_STATUSES:
            return _("Réservée aux propriétaires qui assurent le bâtiment : un contrat de locataire assure ses "
                     "biens et sa responsabilité, pas les murs que finance un prêt.")
        if not contract.building_capital or GuaranteeCode.FIRE not in codes:
            return _("Ce contrat n'assure pas le bâtiment : l'organisme prêteur demande une garantie du bâtiment "
                     "en valeur de reconstruction.")
    elif kind == CertificateKind.SCHOOL:
        if status == OccupantStatus.NON_OCCUPYING_OWNER:
            return _("Un contrat de propriétaire non occupant couvre la responsabilité du propriétaire du logement, "
                     "pas la vie privée de la famille : demandez-la au contrat de votre résidence.")
        if GuaranteeCode.LIABILITY not in codes:
            return _("Ce contrat ne comporte pas la responsabilité civile vie privée.")
    return ""


@dataclass(frozen=True)
class KindEligibility:
    """One kind of certificate for one contract: whether it applies, and why not."""

    kind: str
    label: str
    reason: str

    @property
    def eligible(self) -> bool:
        return not self.reason


def certificate_kinds_for(*, contract: Contract) -> list[KindEligibility]:
    """Every kind of certificate for this contract, in the usual order, with the reason of those that do not apply."""
    codes = {g.code for g in contract.guarantees.all()}
    return [
        KindEligibility(kind=value, label=str(label),
                        reason=certificate_kind_refusal(contract=contract, kind=value, guarantee_codes=codes))
        for value, label in CertificateKind.choices
    ]


# --- Numbers ------------------------------------------------------------------------------------


def certificate_number_generate(*, year: int) -> str:
    """A new random number, ATT-<year>-XXXXXXXX (40 random bits: not guessable, rate-limited anyway)."""
    return f"ATT-{year}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def certificate_number_normalize(raw: str) -> str:
    """Forgive case, spaces and look-alike letters: ' att 2026 abcd-efgh ' → 'ATT-2026-ABCDEFGH'."""
    compact = re.sub(r"[\s.\-_/]", "", (raw or "").upper())
    if compact.startswith("ATT") and len(compact) == 15 and compact[3:7].isdigit():
        body = compact[7:].translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
        return f"ATT-{compact[3:7]}-{body}"
    return (raw or "").strip().upper()[:40]


def certificate_number_is_valid(number: str) -> bool:
    """True when a (normalised) number has the right shape."""
    return bool(NUMBER_RE.match(number))


# --- Validity periods -----------------------------------------------------------------------------


def school_year_parse(raw: str) -> tuple[int, int] | None:
    """'2026-2027' → (2026, 2027); None when malformed."""
    match = SCHOOL_YEAR_RE.match((raw or "").strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    return (first, second) if second == first + 1 else None


def school_years_offered(today: dt.date) -> list[str]:
    """The current school year and the next one (a school asks for the coming year from June)."""
    first = today.year if today.month >= 9 else today.year - 1
    return [f"{first}-{first + 1}", f"{first + 1}-{first + 2}"]


def current_period(contract: Contract) -> tuple[dt.date, dt.date]:
    """The contract's current insurance year: from the last due date to the day before the next one.

    Both ends are days covered (cover ends at 24:00 on the last one), as the contract's end date is.
    """
    from abri.contracts.rules import next_main_due_date

    due = next_main_due_date(contract.main_due_date, timezone.localdate())
    try:
        start = due.replace(year=due.year - 1)
    except ValueError:  # 29 February
        start = due.replace(year=due.year - 1, day=28)
    start = max(start, contract.start_date)
    end = due - dt.timedelta(days=1)
    if contract.end_date:
        end = min(end, contract.end_date)
    return start, max(start, end)


def _validity(
    *, contract: Contract, kind: str, today: dt.date, valid_from, valid_until, school_year: str
) -> tuple[dt.date, dt.date]:
    errors: dict[str, list[str]] = {}
    period_start, period_end = current_period(contract)
    if kind in (CertificateKind.TENANT, CertificateKind.LENDER):
        return period_start, period_end
    if kind == CertificateKind.TEMPORARY:
        if valid_from is None:
            errors["valid_from"] = [_("Indiquez la date de début.")]
        if valid_until is None:
            errors["valid_until"] = [_("Indiquez la date de fin.")]
        if errors:
            raise ValidationError(errors)
        if valid_from < today:
            errors["valid_from"] = [_("La date de début ne peut pas être passée.")]
        elif valid_from < contract.start_date:
            errors["valid_from"] = [_("Le contrat ne commence que le %(date)s.") % {"date": _fr_date(contract.start_date)}]
        if valid_until < valid_from:
            errors["valid_until"] = [_("La date de fin doit suivre la date de début.")]
        elif (valid_until - valid_from).days + 1 > TEMPORARY_MAX_DAYS:
            errors["valid_until"] = [
                _("Une attestation temporaire couvre au plus %(days)s jours.") % {"days": TEMPORARY_MAX_DAYS}
            ]
        elif contract.end_date and valid_until > contract.end_date:
            errors["valid_until"] = [
                _("Le contrat prend fin le %(date)s.") % {"date": _fr_date(contract.end_date)}
            ]
        if errors:
            raise ValidationError(errors)
        return valid_from, valid_until
    if kind == CertificateKind.SCHOOL:
        years = school_year_parse(school_year)
        if years is None:
            raise ValidationError({"school_year": [_("Indiquez l'année scolaire sous la forme 2026-2027.")]})
        if f"{years[0]}-{years[1]}" not in school_years_offered(today):
            raise ValidationError(
                {"school_year": [_("Choisissez l'année scolaire en cours ou la suivante.")]}
            )
        start = max(dt.date(years[0], 9, 1), contract.start_date)
        end = dt.date(years[1], 8, 31)
        if contract.end_date:
            end = min(end, contract.end_date)
        if end < start:
            raise ValidationError({"school_year": [_("Le contrat ne couvre pas cette année scolaire.")]})
        return start, end
    raise ValidationError({"kind": [_("Choisissez un type d'attestation.")]})


# --- Rendering ----------------------------------------------------------------------------------


def _fr_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _pdf_eur(value) -> str:
    # Standard PDF fonts (WinAnsi) have no narrow no-break space; plain spaces also keep the text searchable.
    return format_eur(value).replace("\u202f", " ").replace("\u00a0", " ")


def _initials(first_name: str, last_name: str) -> str:
    return "".join(f"{part[:1].upper()}." for part in (first_name, last_name) if part)


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
            "number": certificate.number, "date": _fr_date(timezone.localtime(issued_at).date())}),
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
            "number": contract.number, "formula": contract.get_formula_display(), "start": _fr_date(contract.start_date)}),
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
            "start": _fr_date(certificate.valid_from), "end": _fr_date(certificate.valid_until)}),
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


# --- Writes -------------------------------------------------------------------------------------


def certificate_issue(
    *,
    customer,
    contract: Contract,
    kind: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    child_first_name: str = "",
    child_last_name: str = "",
    school_year: str = "",
    actor=None,
    channel: str = "web",
) -> Certificate:
    """Issue a signed certificate for one of the customer's active contracts (raises ValidationError).

    Rendering and signing happen before the transaction (slow work never holds a transaction);
    the file is stored, then the Document, Certificate and audit rows are written together.
    """
    ensure_owner(contract, customer)
    if kind not in CertificateKind.values:
        raise ValidationError({"kind": [_("Choisissez un type d'attestation.")]})
    if not contract.is_active:
        raise ValidationError({"contract": [_("Ce contrat n'est pas en cours : aucune attestation ne peut être délivrée.")]})
    with override("fr"):
        refusal = certificate_kind_refusal(contract=contract, kind=kind)
    if refusal:
        raise ValidationError({"kind": [refusal]})
    child_first_name, child_last_name = (child_first_name or "").strip(), (child_last_name or "").strip()
    if kind == CertificateKind.SCHOOL:
        errors = {}
        if not child_first_name:
            errors["child_first_name"] = [_("Indiquez le prénom de l'enfant.")]
        if not child_last_name:
            errors["child_last_name"] = [_("Indiquez le nom de l'enfant.")]
        if errors:
            raise ValidationError(errors)
    now = timezone.now()
    today = timezone.localdate(now)
    start, end = _validity(
        contract=contract, kind=kind, today=today, valid_from=valid_from, valid_until=valid_until,
        school_year=school_year,
    )
    years = school_year_parse(school_year) if kind == CertificateKind.SCHOOL else None
    prop = contract.property
    certificate = Certificate(
        number=certificate_number_generate(year=today.year),
        customer=customer,
        contract=contract,
        kind=kind,
        valid_from=start,
        valid_until=end,
        issued_at=now,
        child_first_name=child_first_name[:80] if kind == CertificateKind.SCHOOL else "",
        child_last_name=child_last_name[:80] if kind == CertificateKind.SCHOOL else "",
        school_year=f"{years[0]}-{years[1]}" if years else "",
        insured_initials=_initials(customer.first_name, customer.last_name),
        city=prop.city,
    )
    return _sign_and_store(certificate=certificate, contract=contract, now=now, actor=actor, channel=channel)


def _certified_text(*, certificate: Certificate, contract: Contract, guarantees: list, issued_at) -> tuple:
    """Title, blocks and the plain text of what the certificate states (stored on its Document)."""
    with override("fr"):  # a certificate is a French legal document, whatever the page language
        title, blocks = _content(certificate=certificate, contract=contract, guarantees=guarantees, issued_at=issued_at)
    text = "\n".join([settings.ABRI_INSURER_NAME, title, *(b.text.replace("\t", " ") for b in blocks)])
    return title, blocks, text


def _sign_and_store(*, certificate: Certificate, contract: Contract, now, actor, channel: str) -> Certificate:
    """Render, sign (outside any transaction), store the file, then write the Document, Certificate and audit rows."""
    customer, prop, kind = certificate.customer, contract.property, certificate.kind
    today = timezone.localdate(now)
    guarantees = list(contract.guarantees.all())
    material = signing_material()
    title, blocks, text = _certified_text(certificate=certificate, contract=contract, guarantees=guarantees,
                                          issued_at=now)
    with override("fr"):
        message = twoddoc.build_message(
            ca_id=material.twoddoc_ca_id, cert_id=material.twoddoc_cert_id, issued_on=today, signed_on=today,
            fields=_twoddoc_fields(certificate=certificate, contract=contract),
        )
        certificate.twoddoc_payload = twoddoc.sign_message(message, material.sign_twoddoc)
        pdf = _render_pdf(
            title=title, blocks=blocks, twoddoc_text=certificate.twoddoc_payload,
            verify_url=verification_url(certificate.number), number=certificate.number,
        )
        signed = pdf_sign(pdf, reason=f"{title} {certificate.number}")
    stored_name = default_storage.save(f"certificates/{now:%Y/%m}/{secrets.token_hex(16)}.pdf", ContentFile(signed))
    try:
        with transaction.atomic():
            document = Document(
                customer=customer, contract=contract, property=prop, kind=DocumentKind.CERTIFICATE,
                title=f"{title} {certificate.number}"[:200], issued_on=today,
                guarantee_category=GuaranteeCategory.LIABILITY if kind == CertificateKind.SCHOOL else GuaranteeCategory.GENERAL,
                mime_type="application/pdf", size_bytes=len(signed), text=text, created_at=now,
            )
            document.file.name = stored_name
            document.search_text = _search_text(document)
            document.save()
            certificate.document = document
            certificate.save()
            audit_record(
                actor=actor, action="certificate.issued", target=certificate, customer=customer,
                data={"number": certificate.number, "kind": kind, "contract": contract.number, "channel": channel},
            )
    except IntegrityError:
        default_storage.delete(stored_name)
        raise
    return certificate


def _search_text(document: Document) -> str:
    # The vault's search normalisation lives with the vault work; index with it when it is there.
    try:
        from abri.documents.search import search_text_for
    except ImportError:  # pragma: no cover - vault search not installed
        return ""
    return search_text_for(document)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, actor=None) -> Certificate:
    """Revoke one certificate (verification then answers « révoquée »); idempotent."""
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.revocation_reason = (reason or "")[:200]
    locked.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(
        actor=actor, action="certificate.revoked", target=locked, customer=locked.customer,
        data={"number": locked.number, "reason": locked.revocation_reason}, actor_label="" if actor else "system",
    )
    certificate.revoked_at, certificate.revocation_reason = locked.revoked_at, locked.revocation_reason
    return locked


@transaction.atomic
def certificates_revoke_for_contract(*, contract: Contract, reason: str, actor=None) -> int:
    """Revoke every certificate of a contract that ends or is amended; returns how many were revoked."""
    revoked = 0
    for certificate in Certificate.objects.select_for_update().filter(contract=contract, revoked_at__isnull=True):
        certificate_revoke(certificate=certificate, reason=reason, actor=actor)
        revoked += 1
    return revoked


def certificate_states_the_truth(*, certificate: Certificate, contract: Contract | None = None,
                                 guarantees: list | None = None) -> bool:
    """Whether what the certificate states (its stored text) is still what the contract would state now."""
    contract = contract or certificate.contract
    if certificate.document is None:
        return False
    guarantees = guarantees if guarantees is not None else list(contract.guarantees.all())
    _title, _blocks, text = _certified_text(certificate=certificate, contract=contract, guarantees=guarantees,
                                            issued_at=certificate.issued_at)
    return text == certificate.document.text


def certificates_refresh_for_contract(*, contract: Contract, reason: str, actor=None) -> list[tuple]:
    """After an amendment: revoke only the certificates it made untrue, and reissue each one at once.

    Certificates are revoked only when what they state becomes untrue (a payment frequency change states
    nothing new). A replaced certificate is revoked with the number of its successor, and the customer is
    notified; when the kind no longer applies (e.g. no tenant's liability any more), it is revoked and the
    notification says why. Returns [(old certificate, new certificate or None)].
    """
    from abri.notifications.services import notification_create

    contract = Contract.objects.select_related("property", "customer").get(pk=contract.pk)
    guarantees = list(contract.guarantees.all())
    today = timezone.localdate()
    stale = [
        certificate for certificate in Certificate.objects.filter(
            contract=contract, revoked_at__isnull=True, valid_until__gte=today,
        ).select_related("document", "customer").order_by("issued_at", "id")
        if not certificate_states_the_truth(certificate=certificate, contract=contract, guarantees=guarantees)
    ]
    results = []
    for old in stale:
        with override("fr"):
            refusal = certificate_kind_refusal(contract=contract, kind=old.kind,
                                               guarantee_codes={g.code for g in guarantees})
        new = None
        if not refusal and contract.is_active:
            new = _reissue(old=old, contract=contract, today=today, actor=actor)
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=old.pk)
            if locked.revoked_at is not None:  # a concurrent refresh replaced it already
                if new is not None:
                    certificate_revoke(certificate=new, reason="Doublon d'une attestation déjà remplacée", actor=actor)
                continue
            if new is not None:
                why = _("%(reason)s : remplacée par l'attestation %(number)s") % {"reason": reason, "number": new.number}
                body = _("Votre contrat %(contract)s a changé : l'attestation %(old)s ne correspond plus à vos "
                         "garanties et a été révoquée. La nouvelle attestation %(new)s, valable du %(start)s au "
                         "%(end)s, est dans vos documents : transmettez-la à la place de l'ancienne.") % {
                    "contract": contract.number, "old": old.number, "new": new.number,
                    "start": _fr_date(new.valid_from), "end": _fr_date(new.valid_until)}
            else:
                why = reason
                body = _("Votre contrat %(contract)s a changé : l'attestation %(old)s ne correspond plus à vos "
                         "garanties et a été révoquée. %(refusal)s") % {
                    "contract": contract.number, "old": old.number, "refusal": refusal}
            certificate_revoke(certificate=locked, reason=why, actor=actor)
            notification_create(
                customer=contract.customer, title=_("Attestation %(number)s remplacée") % {"number": old.number}
                if new is not None else _("Attestation %(number)s révoquée") % {"number": old.number},
                body=body, url="/documents/attestations/", category="contract", email=True,
            )
        results.append((old, new))
    return results


def _reissue(*, old: Certificate, contract: Contract, today: dt.date, actor) -> Certificate:
    """A new certificate of the same kind (same child and school year) stating the contract as it is now."""
    now = timezone.now()
    valid_until = min(old.valid_until, contract.end_date) if contract.end_date else old.valid_until
    certificate = Certificate(
        number=certificate_number_generate(year=today.year), customer=old.customer, contract=contract,
        kind=old.kind, valid_from=max(old.valid_from, today, contract.start_date),
        valid_until=max(valid_until, today), issued_at=now, child_first_name=old.child_first_name,
        child_last_name=old.child_last_name, school_year=old.school_year,
        insured_initials=_initials(old.customer.first_name, old.customer.last_name), city=contract.property.city,
    )
    return _sign_and_store(certificate=certificate, contract=contract, now=now, actor=actor, channel="reissue")


# --- Public verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationResult:
    """What a third party may learn: the outcome and the minimum about the certificate."""

    number: str
    outcome: str
    kind_label: str = ""
    insured_initials: str = ""
    city: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @property
    def outcome_label(self) -> str:
        return str(VerificationOutcome(self.outcome).label)


def verification_rate_limit(*, ip: str) -> int | None:
    """Count one verification for this IP; the seconds to wait when over the limit, else None."""
    limit = int(getattr(settings, "ABRI_VERIFY_RATE_LIMIT", 30))
    window = int(getattr(settings, "ABRI_VERIFY_RATE_WINDOW", 600))
    decision = ratelimit.hit(f"verify-rate:{ip or 'unknown'}", limit=limit, window_seconds=window)
    return None if decision.allowed else decision.retry_after_seconds


def _valid_ip(ip: str | None) -> str | None:
    # A proxy misconfiguration must not turn a verification into a database error (inet columns).
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def certificate_verify(*, raw_number: str, ip: str | None, channel: str = "web") -> VerificationResult:
    """Look a number up for a third party and log the verification (outcome and IP)."""
    number = certificate_number_normalize(raw_number)
    certificate = None
    if not certificate_number_is_valid(number):
        outcome = VerificationOutcome.MALFORMED
    else:
        certificate = Certificate.objects.filter(number=number).first()
        outcome = (
            certificate.status_on(timezone.localdate()) if certificate is not None else VerificationOutcome.UNKNOWN
        )
    VerificationLog.objects.create(
        number=(raw_number or "")[:40], certificate=certificate, outcome=outcome, channel=channel[:8],
        ip_address=_valid_ip(ip),
    )
    if certificate is None:
        return VerificationResult(number=number, outcome=outcome)
    return VerificationResult(
        number=number, outcome=outcome, kind_label=str(certificate.get_kind_display()),
        insured_initials=certificate.insured_initials, city=certificate.city,
        valid_from=certificate.valid_from, valid_until=certificate.valid_until,
    )


# --- Reads --------------------------------------------------------------------------------------


def contracts_certifiable(*, customer):
    """The customer's contracts for which a certificate can be issued (active ones), oldest first."""
    return (
        Contract.objects.for_customer(customer)
        .in_force()
        .select_related("property")
        .order_by("start_date", "id")
    )


def certificates_for_customer(*, customer):
    """The customer's certificates, newest first."""
    return Certificate.objects.for_customer(customer).select_related("contract", "document").order_by("-issued_at", "-id")


def certificate_get(*, customer, number: str) -> Certificate:
    """One of the customer's certificates by number; another customer's answers 404."""
    return Certificate.objects.select_related("document").get_for_customer(customer, number=number)


def verification_logs(*, number: str = "", outcome: str = "", since: dt.datetime | None = None):
    """Public verifications, newest first, for the back-office (filter by number, outcome, date)."""
    logs = VerificationLog.objects.select_related("certificate").order_by("-created_at", "-id")
    if number:
        logs = logs.filter(number__icontains=number.strip()[:40])
    if outcome:
        logs = logs.filter(outcome=outcome)
    if since is not None:
        logs = logs.filter(created_at__gte=since)
    return logs
