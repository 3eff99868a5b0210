"""Certificates: issue (four kinds), storage in the vault, 2D-Doc barcode, PAdES signature, revocation."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from abri.certificates import twoddoc
from abri.certificates.models import Certificate
from abri.certificates.rendering import verification_url
from abri.certificates.rules import NUMBER_RE, school_years_offered
from abri.certificates.services import certificate_issue, certificate_revoke, certificates_sweep
from abri.contracts.choices import ContractStatus
from abri.contracts.models import Contract
from abri.core.errors import NotYours
from abri.core.models import AuditLog
from abri.documents.models import Document
from tests.certificates.certificate_helpers import page_barcodes
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_verification_rate_limit(settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000  # the shared cache counts every run's verifications


def pdf_of(certificate) -> bytes:
    with certificate.document.file.open("rb") as handle:
        return handle.read()


def test_tenant_certificate_is_a_signed_pdf_in_the_customers_vault(alice, alice_contract):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    assert NUMBER_RE.match(certificate.number)
    assert certificate.number.startswith(f"ATT-{timezone.localdate().year}-")
    document = Document.objects.get(pk=certificate.document_id)
    assert document.customer == alice and document.contract == alice_contract
    assert document.kind == "certificate"
    data = pdf_of(certificate)
    assert data.startswith(b"%PDF") and b"/ETSI.CAdES.detached" in data
    assert document.size_bytes == len(data)
    # The vault can find it by its words: the PDF's text is stored.
    for expected in (certificate.number, "Alice Durand", "Locataire", alice_contract.number,
                     alice_contract.property.city, "Résidence principale", "Responsabilité civile locative",
                     "article 7 g)", settings.ABRI_INSURER_NAME):
        assert expected in document.text, expected
    assert AuditLog.objects.filter(action="certificate.issued", customer=alice).exists()


def test_tenant_certificate_covers_the_current_insurance_year(alice, alice_contract):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    due = alice_contract.main_due_date
    assert certificate.valid_until == due - dt.timedelta(days=1)
    assert certificate.valid_from == due.replace(year=due.year - 1)


def test_pdf_text_matches_what_is_stored_for_search(alice, alice_contract):
    from pypdf import PdfReader

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    extracted = PdfReader(io.BytesIO(pdf_of(certificate))).pages[0].extract_text()
    assert certificate.number in extracted
    assert "Alice Durand" in extracted


def test_numbers_are_random_and_unique(alice, alice_contract):
    numbers = {certificate_issue(customer=alice, contract=alice_contract, kind="tenant").number for _ in range(3)}
    assert len(numbers) == 3
    assert Certificate.objects.filter(number__in=numbers).count() == 3


def test_lender_certificate_details_guarantees_with_ceilings(alice, alice_house):
    certificate = certificate_issue(customer=alice, contract=alice_house, kind="lender")

    text = certificate.document.text
    assert "Plafond" in text and "Franchise" in text
    for guarantee in alice_house.guarantees.all():
        assert guarantee.get_code_display() in text
        if guarantee.ceiling is not None:
            ceiling = f"{int(guarantee.ceiling):,}".replace(",", " ") + f",{guarantee.ceiling % 1 * 100:02.0f} €"
            assert f"{guarantee.get_code_display()} {ceiling}" in text


def test_temporary_certificate_uses_the_chosen_dates(alice, alice_contract):
    today = timezone.localdate()
    certificate = certificate_issue(
        customer=alice, contract=alice_contract, kind="temporary",
        valid_from=today + dt.timedelta(days=2), valid_until=today + dt.timedelta(days=31),
    )
    assert (certificate.valid_from, certificate.valid_until) == (today + dt.timedelta(days=2), today + dt.timedelta(days=31))


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (0, 30, "valid_until"),  # 31 days
        (-1, 5, "valid_from"),  # starts in the past
        (5, 3, "valid_until"),  # ends before it starts
    ],
)
def test_temporary_certificate_is_at_most_30_days_and_not_backdated(alice, alice_contract, start, end, field):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        certificate_issue(
            customer=alice, contract=alice_contract, kind="temporary",
            valid_from=today + dt.timedelta(days=start), valid_until=today + dt.timedelta(days=end),
        )
    assert field in excinfo.value.message_dict
    assert not Certificate.objects.exists()


def test_school_certificate_names_the_child_and_the_school_year(alice, alice_contract):
    year = school_years_offered(timezone.localdate())[0]
    first = int(year[:4])
    contract = make_contract(customer=alice, start_date=dt.date(first - 2, 1, 1))
    certificate = certificate_issue(
        customer=alice, contract=contract, kind="school",
        child_first_name="Léa", child_last_name="Durand", school_year=year,
    )
    assert certificate.valid_from == dt.date(first, 9, 1)
    assert certificate.valid_until == dt.date(first + 1, 8, 31)
    assert "Léa Durand" in certificate.document.text and year in certificate.document.text
    assert certificate.school_year == year
    payload = twoddoc.parse(certificate.twoddoc_payload)
    assert payload.fields[twoddoc.FIELD_CHILD] == "LEA DURAND"
    assert payload.fields[twoddoc.FIELD_SCHOOL_YEAR] == year


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"child_first_name": "", "child_last_name": "Durand"}, "child_first_name"),
        ({"child_first_name": "Léa", "child_last_name": "", }, "child_last_name"),
        ({"school_year": "2026/2028"}, "school_year"),
        ({"school_year": "1999-2000"}, "school_year"),
    ],
)
def test_school_certificate_needs_child_and_a_current_school_year(alice, alice_contract, kwargs, field):
    data = {"child_first_name": "Léa", "child_last_name": "Durand",
            "school_year": school_years_offered(timezone.localdate())[0], **kwargs}
    with pytest.raises(ValidationError) as excinfo:
        certificate_issue(customer=alice, contract=alice_contract, kind="school", **data)
    assert field in excinfo.value.message_dict


def test_no_certificate_for_a_terminated_contract(alice):
    contract = make_contract(customer=alice, status="terminated", end_date=timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        certificate_issue(customer=alice, contract=contract, kind="tenant")
    assert "contract" in excinfo.value.message_dict


def test_no_certificate_for_another_customers_contract(alice, bob_contract):
    with pytest.raises(NotYours):
        certificate_issue(customer=alice, contract=bob_contract, kind="tenant")
    assert not Certificate.objects.exists()


# --- Barcodes -------------------------------------------------------------------------------------


def published_pem(client) -> bytes:
    response = client.get("/verifier/certificat.pem")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pem-file"
    return response.content


def test_printed_2ddoc_is_verified_by_py2ddoc_with_the_published_certificate(alice, alice_contract, client):
    from py2ddoc import TrustStore, TwoDDoc

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    codes = page_barcodes(pdf_of(certificate))

    scanned = codes["DataMatrix"]
    assert scanned == certificate.twoddoc_payload
    assert scanned.startswith("DC03") and "\x1d" in scanned and "\x1f" in scanned
    pem = published_pem(client)
    ca_id = scanned[4:8]
    doc = TwoDDoc.from_string(scanned, trust_store=TrustStore.from_pem(ca_id, pem))
    assert doc.is_authentic is True
    assert doc.doc_type == "0023"
    assert doc.doc_date == timezone.localdate() and doc.sign_date == timezone.localdate()
    assert doc.fields["A0"] == certificate.number
    assert doc.fields["A1"] == alice_contract.number
    assert doc.fields["10"] == "ALICE DURAND"
    assert doc.fields["25"] == alice_contract.property.city.upper()
    assert doc.fields["A3"] == certificate.valid_from.strftime("%d%m%Y")
    assert doc.fields["A4"] == certificate.valid_until.strftime("%d%m%Y")


def test_qr_code_opens_the_public_verification_page(alice, alice_contract, client):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    url = page_barcodes(pdf_of(certificate))["QRCode"]

    assert url == f"{settings.ABRI_BASE_URL}/verifier/?numero={certificate.number}" == verification_url(certificate.number)
    response = client.get(url.removeprefix(settings.ABRI_BASE_URL))
    assert response.status_code == 200
    assert "est valide" in response.content.decode()


def test_altered_2ddoc_fails_verification(alice, alice_contract, client):
    from py2ddoc import SignatureError, TrustStore, TwoDDoc

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    forged = certificate.twoddoc_payload.replace("ALICE DURAND", "ALICE DURANT")
    store = TrustStore.from_pem(forged[4:8], published_pem(client))
    with pytest.raises(SignatureError):
        TwoDDoc.from_string(forged, trust_store=store)
    with pytest.raises(twoddoc.TwoDDocError):
        from cryptography import x509

        twoddoc.verify(forged, x509.load_pem_x509_certificate(published_pem(client)))


def test_2ddoc_dates_round_trip():
    day = dt.date(2026, 11, 26)
    assert twoddoc.decode_date(twoddoc.encode_date(day)) == day
    assert len(twoddoc.encode_date(day)) == 4
    assert twoddoc.clean_value("Léa  d'Arc\x1d\x1f") == "LEA D'ARC"


# --- PAdES signature ------------------------------------------------------------------------------


def _validate(data: bytes):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    ca = load_cert_from_pemder(str(Path(settings.VAR_DIR) / "pki" / "demo-ca.pem"))
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))


def test_pades_signature_is_valid_and_trusted_with_the_demo_ca(alice, alice_contract):
    data = pdf_of(certificate_issue(customer=alice, contract=alice_contract, kind="tenant"))

    status = _validate(data)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


def test_altered_pdf_fails_pades_validation(alice, alice_contract):
    data = pdf_of(certificate_issue(customer=alice, contract=alice_contract, kind="tenant"))
    assert data.count(b"/Helvetica-Bold") >= 1
    tampered = data.replace(b"/Helvetica-Bold", b"/Helvetica-Bolx", 1)
    assert tampered != data and len(tampered) == len(data)

    status = _validate(tampered)
    assert not status.intact
    assert not status.bottom_line


# --- Revocation -----------------------------------------------------------------------------------


def test_sweep_revokes_the_certificates_of_a_contract_no_longer_in_force_once(alice, alice_contract):
    """The sweep is idempotent: a second run revokes nothing and writes no second audit row."""
    first = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    second = certificate_issue(customer=alice, contract=alice_contract, kind="temporary", valid_from=timezone.localdate(),
                                valid_until=timezone.localdate() + dt.timedelta(days=5))
    other = certificate_issue(customer=alice, contract=make_contract(customer=alice), kind="tenant")
    assert certificates_sweep(contract=alice_contract, reason="Contrat résilié") == []  # all still true
    Contract.objects.filter(pk=alice_contract.pk).update(status=ContractStatus.TERMINATED)

    assert {c.pk for c in certificates_sweep(contract=alice_contract, reason="Contrat résilié")} == {first.pk, second.pk}
    assert certificates_sweep(contract=alice_contract, reason="Contrat résilié") == []
    for certificate in (first, second):
        certificate.refresh_from_db()
        assert certificate.revoked_at is not None and certificate.revocation_reason == "Contrat résilié"
        assert certificate.status_on(timezone.localdate()) == "revoked"
    other.refresh_from_db()
    assert other.revoked_at is None
    assert AuditLog.objects.filter(action="certificate.revoked").count() == 2


def test_revoke_one_certificate_keeps_the_first_reason(alice, alice_contract):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    certificate_revoke(certificate=certificate, reason="Résiliation", actor=None)
    revoked_at = Certificate.objects.get(pk=certificate.pk).revoked_at
    certificate_revoke(certificate=certificate, reason="Autre", actor=None)
    certificate.refresh_from_db()
    assert certificate.revoked_at == revoked_at and certificate.revocation_reason == "Résiliation"


def test_pdf_declares_french_and_a_title(alice, alice_contract):
    from pypdf import PdfReader

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    reader = PdfReader(io.BytesIO(pdf_of(certificate)))
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    assert certificate.number in reader.metadata.title
