"""Issue 15 point 8: a certificate shares the insurer's document layout (letterhead and legal mentions from
settings, reference block, title, guarantees table, « Page 1 sur 1 ») and stays verifiable: both barcodes
decode from the printed page, the PAdES signature validates, the PDF is tagged, and no text runs into
the verification panel."""

import datetime as dt
import io
import logging
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from abri.certificates.rendering import verification_url
from abri.certificates.rules import school_years_offered
from abri.certificates.services import certificate_issue
from abri.core.formats import day
from tests.certificates.certificate_helpers import page_barcodes
from tests.contracts.factories import make_contract
from tests.documents.test_letters import SAMPLES
from tests.documents.test_tagged_pdfs import _read, _signature_status, assert_tagged

pytestmark = pytest.mark.django_db

MENTIONS = ("Mutuelle du Levant — Société d'assurance mutuelle à cotisations variables — 8 quai Saint-Vincent, "
            "69001 Lyon — RCS Lyon 775 000 001")


@pytest.fixture
def levant(settings):
    """Another insurer's identity: the certificate must print it, not the demo's."""
    settings.ABRI_INSURER_NAME = "Mutuelle du Levant"
    settings.ABRI_INSURER_LEGAL_FORM = "Société d'assurance mutuelle à cotisations variables"
    settings.ABRI_INSURER_ADDRESS = "8 quai Saint-Vincent, 69001 Lyon"
    settings.ABRI_INSURER_RCS = "RCS Lyon 775 000 001"
    settings.ABRI_INSURER_PHONE = "01 99 00 55 66"
    settings.ABRI_INSURER_EMAIL = "service@levant.example"
    return settings


def _page_text(pdf: bytes) -> str:
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", page.extract_text().replace("\u00a0", " ").replace("\u202f", " "))


def _issue(kind, alice, alice_contract, alice_house):
    if kind == "lender":
        return certificate_issue(customer=alice, contract=alice_house, kind=kind)
    if kind == "school":
        year = school_years_offered(timezone.localdate())[0]
        contract = make_contract(customer=alice, start_date=dt.date(int(year[:4]) - 2, 1, 1))
        return certificate_issue(customer=alice, contract=contract, kind=kind, child_first_name="Léa",
                                 child_last_name="Durand", school_year=year)
    if kind == "temporary":
        today = timezone.localdate()
        return certificate_issue(customer=alice, contract=alice_contract, kind=kind, valid_from=today,
                                 valid_until=today + dt.timedelta(days=20))
    return certificate_issue(customer=alice, contract=alice_contract, kind=kind)


@pytest.mark.parametrize("kind", ["tenant", "lender", "temporary", "school"])
def test_certificate_has_the_insurers_layout_and_stays_verifiable(
    kind, alice, alice_contract, alice_house, levant, tmp_path, caplog
):
    with caplog.at_level(logging.WARNING, logger="abri.certificates.rendering"):
        certificate = _issue(kind, alice, alice_contract, alice_house)
    pdf = _read(certificate.document)
    text = _page_text(pdf)

    # Letterhead and legal mentions from settings, not the demo insurer's.
    assert text.startswith("Mutuelle du Levant")
    assert "8 quai Saint-Vincent, 69001 Lyon" in text and "01 99 00 55 66" in text
    assert MENTIONS in text
    assert "soumise au contrôle de l'Autorité de contrôle prudentiel et de résolution (ACPR)" in text
    assert "Abri Assurances" not in text
    assert "Page 1 sur 1" in text
    # The reference block: number, contract, date in words, validity.
    contract = certificate.contract
    assert "VOS RÉFÉRENCES" in text
    assert f"Attestation n° {certificate.number}" in text and f"Contrat n° {contract.number}" in text
    issued = timezone.localtime(certificate.issued_at).date()
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
    first = "er" if issued.day == 1 else ""
    assert f"Délivrée le {issued.day}{first} {months[issued.month - 1]} {issued.year}" in text
    assert f"du {day(certificate.valid_from, language='fr')} au {day(certificate.valid_until, language='fr')}" in text
    # What it certifies, then how to verify it.
    assert "Mutuelle du Levant atteste que :" in text
    assert "Vérifier cette attestation" in text and "Document signé électroniquement (PAdES)" in text
    # Nothing reaches the verification panel (the rendering warns when the body or the panel text overflows).
    assert not [r for r in caplog.records if "reaches" in r.getMessage() or "overflows" in r.getMessage()]
    # Still verifiable: both codes decode from the printed page, tagged PDF, valid signature.
    codes = page_barcodes(pdf)
    assert codes.get("QRCode") == verification_url(certificate.number)
    certificate.refresh_from_db()
    assert codes.get("DataMatrix") == certificate.twoddoc_payload
    roles = {"H1", "H2", "P", "Figure", "Div"} | ({"Table", "TR", "TH", "TD"} if kind == "lender" else {"L", "LI"})
    assert_tagged(pdf, tmp_path, title=certificate.number, roles=roles)
    assert PdfReader(io.BytesIO(pdf)).metadata.author == "Mutuelle du Levant"
    status = _signature_status(pdf)
    assert status.intact and status.valid and status.bottom_line


def test_lender_certificate_prints_its_guarantees_as_a_table_with_amounts_on_the_right(
    alice, alice_house, levant, tmp_path
):
    certificate = certificate_issue(customer=alice, contract=alice_house, kind="lender")
    pdf = _read(certificate.document)
    text = _page_text(pdf)
    assert "Garantie Plafond Franchise" in text
    _sample(pdf, "attestation", tmp_path)


def _sample(pdf: bytes, name: str, tmp_path) -> None:
    """Keep page 1 as a small PNG in docs/screenshots/documents/ when ABRI_WRITE_SAMPLES is set."""
    import os
    import subprocess

    if not os.environ.get("ABRI_WRITE_SAMPLES"):
        return
    from PIL import Image

    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", "1", "-l", "1", str(source),
                    str(SAMPLES / name)], check=True)
    image = Image.open(SAMPLES / f"{name}.png")
    image.quantize(colors=32).save(SAMPLES / f"{name}.png", optimize=True)


def test_a_lender_certificate_with_every_option_still_fits_above_the_verification_panel(caplog):
    """The demo's house (18 guarantee rows with its options) used to push « Validité » under the panel."""
    from django.core.management import call_command

    from abri.accounts.models import Customer
    from abri.certificates.selectors import contracts_certifiable

    call_command("seed_demo", verbosity=0)
    customer = Customer.objects.get(customer_number="DEMO0001G")
    contract = contracts_certifiable(customer=customer).first()
    with caplog.at_level(logging.WARNING, logger="abri.certificates.rendering"):
        certificate = certificate_issue(customer=customer, contract=contract, kind="lender")
    assert contract.guarantees.count() >= 14
    assert not [r for r in caplog.records if "reaches" in r.getMessage()]
    pdf = _read(certificate.document)
    text = _page_text(pdf)
    assert "Validité" in text and "Page 1 sur 1" in text
    codes = page_barcodes(pdf)
    certificate.refresh_from_db()
    assert codes.get("DataMatrix") == certificate.twoddoc_payload
    assert codes.get("QRCode") == verification_url(certificate.number)
