"""Certificates are revoked only when what they state becomes untrue, and reissued at once with a notification."""

import io
import re
import uuid

import pytest
from pypdf import PdfReader

from abri.certificates.models import Certificate
from abri.certificates.services import certificate_issue, certificates_refresh_for_contract
from abri.contracts.pricing import contract_choices
from abri.contracts.services import amendment_apply
from abri.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_verification_rate_limit(settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000


def amend(customer, contract, capture, **changes):
    """Apply an amendment through the service, running its after-commit work (PDF, certificates)."""
    contract.refresh_from_db()
    with capture(execute=True):
        return amendment_apply(customer=customer, contract=contract, choices={**contract_choices(contract), **changes},
                               expected_version=contract.version, idempotency_key=uuid.uuid4().hex)


def pdf_text(certificate) -> str:
    with certificate.document.file.open("rb") as handle:
        return re.sub(r"\s+", " ", PdfReader(io.BytesIO(handle.read())).pages[0].extract_text())


def test_payment_frequency_change_revokes_no_certificate(alice, alice_contract, django_capture_on_commit_callbacks):
    """A certificate states no payment frequency: a landlord must not read « Révoquée » after such a change."""
    tenant = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    school = certificate_issue(customer=alice, contract=alice_contract, kind="school", child_first_name="Léa",
                               child_last_name="Durand", school_year=_school_year())
    amendment = amend(alice, alice_contract, django_capture_on_commit_callbacks, payment_frequency="annual")

    assert amendment.document is not None or amendment.__class__.objects.get(pk=amendment.pk).document_id
    for certificate in (tenant, school):
        certificate.refresh_from_db()
        assert certificate.revoked_at is None
    assert Certificate.objects.filter(customer=alice).count() == 2
    assert not Notification.objects.filter(customer=alice, title__startswith="Attestation").exists()


def test_deductible_change_revokes_no_tenant_certificate(alice, alice_contract, django_capture_on_commit_callbacks):
    """The landlord's certificate states the guarantees and the liability ceiling, not the deductible."""
    tenant = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    amend(alice, alice_contract, django_capture_on_commit_callbacks, deductible="300")
    tenant.refresh_from_db()
    assert tenant.revoked_at is None


def test_deductible_change_replaces_the_lender_certificate_that_states_it(alice, alice_house,
                                                                         django_capture_on_commit_callbacks):
    """The lender's certificate prints each deductible: that one became untrue and is replaced."""
    lender = certificate_issue(customer=alice, contract=alice_house, kind="lender")
    assert "Incendie et explosion 229 000,00 € 150,00 €" in pdf_text(lender)
    amend(alice, alice_house, django_capture_on_commit_callbacks, deductible="300")
    lender.refresh_from_db()
    assert lender.revoked_at is not None
    new = Certificate.objects.get(customer=alice, kind="lender", revoked_at__isnull=True)
    assert "Incendie et explosion 229 000,00 € 300,00 €" in pdf_text(new)


def test_address_change_revokes_and_reissues_certificate_with_notification(alice, alice_contract):
    """What the certificate states (the insured home's address) changed: revoke it, reissue, tell the customer."""
    old = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    home = alice_contract.property
    home.address_line = "8 place Bellecour"  # as a change of address made by an amendment would
    home.save(update_fields=["address_line"])

    [(replaced, new)] = certificates_refresh_for_contract(contract=alice_contract, reason="Avenant AVT-1")

    old.refresh_from_db()
    assert replaced == old and old.revoked_at is not None
    assert old.revocation_reason == f"Avenant AVT-1 : remplacée par l'attestation {new.number}"
    assert new.kind == "tenant" and new.revoked_at is None and new.valid_until == old.valid_until
    assert "8 place Bellecour" in pdf_text(new)
    notification = Notification.objects.get(customer=alice, title=f"Attestation {old.number} remplacée")
    assert f"La nouvelle attestation {new.number}" in notification.body
    assert "transmettez-la à la place de l'ancienne" in notification.body
    # Idempotent: the new certificate states the truth, nothing more is revoked.
    assert certificates_refresh_for_contract(contract=alice_contract, reason="Avenant AVT-1") == []


def test_formula_change_reissues_the_certificates_listing_the_guarantees(alice, alice_contract,
                                                                        django_capture_on_commit_callbacks):
    tenant = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    amend(alice, alice_contract, django_capture_on_commit_callbacks, formula="integrale", options=[], deductible="0")
    tenant.refresh_from_db()
    assert tenant.revoked_at is not None
    new = Certificate.objects.get(customer=alice, kind="tenant", revoked_at__isnull=True)
    assert "Protection juridique" in pdf_text(new)


def _school_year() -> str:
    from django.utils import timezone

    from abri.certificates.rules import school_years_offered

    return school_years_offered(timezone.localdate())[0]
