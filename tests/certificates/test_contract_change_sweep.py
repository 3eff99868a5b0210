"""Revocation is a sweep run in the contract's own transaction (ADR 0008), never « after commit, if signing worked »."""

import uuid

import pytest
from django.db import transaction

from abri.certificates.models import Certificate
from abri.certificates.services import certificate_issue, certificate_states_the_truth
from abri.certificates.verification import certificate_verify
from abri.contracts.models import Amendment, Contract
from abri.contracts.pricing import contract_choices
from abri.contracts.services import amendment_apply, contract_transition
from abri.contracts.signals import contract_changed
from abri.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _generous_verification_rate_limit(settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000


def _signing_fails(*args, **kwargs):
    raise RuntimeError("HSM unreachable")


def test_signing_failure_during_an_amendment_leaves_no_untrue_certificate_valid(alice, alice_contract, monkeypatch,
                                                                                client):
    old = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    monkeypatch.setattr("abri.documents.services.pdf_sign", _signing_fails)
    alice_contract.refresh_from_db()

    amendment = amendment_apply(
        customer=alice, contract=alice_contract, expected_version=alice_contract.version,
        choices={**contract_choices(alice_contract), "formula": "integrale", "options": [], "deductible": "0"},
        idempotency_key=uuid.uuid4().hex,
    )

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert certificate_verify(raw_number=old.number, ip="192.0.2.1").outcome == "revoked"
    contract = Contract.objects.get(pk=alice_contract.pk)
    for certificate in Certificate.objects.filter(contract=contract, revoked_at__isnull=True):
        assert certificate_states_the_truth(certificate=certificate, contract=contract)
    # The amendment stands, its PDF waits for the signature: « en préparation », not a crash.
    amendment = Amendment.objects.select_related("document").get(pk=amendment.pk)
    assert amendment.document is not None and amendment.document.is_pending
    client.force_login(alice.user, backend="abri.accounts.backends.CustomerPinBackend")
    page = client.get("/documents/")
    assert page.status_code == 200
    assert "En préparation : le document sera disponible dans quelques instants." in page.content.decode()
    download = client.get(f"/documents/{amendment.document.pk}/telecharger/")
    assert "Ce document est en préparation" in download.content.decode()
    certificates_page = client.get("/documents/attestations/").content.decode()
    assert "En préparation" in certificates_page


def test_a_rolled_back_amendment_revokes_nothing(alice, alice_contract):
    """The sweep runs in the contract's transaction: when that transaction rolls back, so does the revocation."""
    old = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    alice_contract.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        amendment_apply(
            customer=alice, contract=alice_contract, expected_version=alice_contract.version,
            choices={**contract_choices(alice_contract), "formula": "integrale", "options": [], "deductible": "0"},
            idempotency_key=uuid.uuid4().hex,
        )
        raise RuntimeError("the request failed after the amendment")
    old.refresh_from_db()
    assert old.revoked_at is None


def test_ending_a_contract_revokes_its_certificates_once(alice, alice_contract):
    """The status change sends `contract_changed`; a second sweep (a retried signal) writes nothing more."""
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    contract_transition(contract=alice_contract, to_status="termination_requested", actor=None)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # still in force until its end date: what it states holds
    contract_transition(contract=alice_contract, to_status="terminated", actor=None)
    contract_changed.send(sender=Contract, contract=alice_contract, change="status", reason="Contrat résilié")
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revocation_reason == "Contrat résilié"
    assert AuditLog.objects.filter(action="certificate.revoked", target_id=str(certificate.pk)).count() == 1


def test_a_new_certificate_is_never_issued_beside_a_stale_one(alice, alice_contract):
    """Issuing runs the sweep first, in the same transaction: a certificate made untrue is revoked then."""
    stale = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    home = alice_contract.property
    home.address_line = "8 place Bellecour"
    home.save(update_fields=["address_line"])  # changed without the amendment service (e.g. by a data fix)
    fresh = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    stale.refresh_from_db()
    assert stale.revoked_at is not None and fresh.revoked_at is None


def test_two_sweeps_racing_revoke_and_audit_each_certificate_once(alice, alice_contract, monkeypatch):
    """Another sweep revokes the certificate between this sweep's read and its write: the conditional
    UPDATE … WHERE revoked_at IS NULL changes nothing, so there is one revocation and one audit row."""
    from abri.certificates import services

    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    def other_sweep_wins(*, certificate, contract=None, guarantees=None):
        services._revoke_if_valid(certificate_id=certificate.pk, reason="Premier passage", actor=None)
        return False  # this sweep read it as valid and now finds it untrue

    monkeypatch.setattr(services, "certificate_states_the_truth", other_sweep_wins)
    assert services.certificates_sweep(contract=alice_contract, reason="Second passage") == []
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Premier passage"
    assert AuditLog.objects.filter(action="certificate.revoked", target_id=str(certificate.pk)).count() == 1
