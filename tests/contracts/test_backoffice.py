"""Back-office contracts: any contract, a change on the customer's behalf (audited), termination requests,
tariff versions uploaded by administrators that apply to new quotes only."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from abri import pricing
from abri.accounts.roles import ensure_staff_groups
from abri.contracts.models import Amendment
from abri.contracts.services import termination_request
from abri.core.models import AuditLog
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR
from tests.backoffice.conftest import make_staff, staff_client
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_tariff_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ABRI_TARIFFS_DIR", str(tmp_path / "tariffs"))
    pricing.clear_tariff_cache()
    yield
    pricing.clear_tariff_cache()


@pytest.fixture
def contract(alice):
    return make_contract(customer=alice, start_date=timezone.localdate() - timedelta(days=500),
                         main_due_date=timezone.localdate() + timedelta(days=90), payment_frequency="annual")


def test_advisor_sees_contract_and_applies_a_change_for_the_customer(alice, contract):
    advisor = make_staff(ensure_staff_groups(), "advisor")
    client = staff_client(advisor)
    assert contract.number in client.get("/backoffice/contrats/", {"q": contract.number}).content.decode()
    params = {"formula": "integrale", "deductible": "0", "payment_frequency": "annual", "valuables_capital": "0"}
    page = client.get(f"/backoffice/contrats/{contract.number}/", params).content.decode()
    assert "Appliquer l&#x27;avenant pour le client" in page or "Appliquer l'avenant pour le client" in page
    response = client.post(f"/backoffice/contrats/{contract.number}/modifier/",
                           {**params, "version": contract.version, "idempotency_key": "bo-0001"})
    assert response.status_code == 302
    amendment = Amendment.objects.get(contract=contract)
    assert amendment.created_by == advisor
    assert AuditLog.objects.filter(action="contract.amended", actor=advisor, customer=alice).exists()


def test_termination_requests_are_listed(alice, contract):
    termination_request(customer=alice, contract=contract, reason="hamon", idempotency_key="t-0001",
                        new_insurer="Mutuelle du Rhône", new_policy_number="MR-1")
    client = staff_client(make_staff(ensure_staff_groups(), "advisor"))
    html = client.get("/backoffice/contrats/").content.decode()
    assert "Demandes de résiliation à traiter" in html and contract.number in html


def test_claims_handler_cannot_change_contracts(contract):
    client = staff_client(make_staff(ensure_staff_groups(), "claims_handler"))
    response = client.post(f"/backoffice/contrats/{contract.number}/modifier/",
                           {"formula": "integrale", "deductible": "0", "payment_frequency": "annual",
                            "version": contract.version})
    assert response.status_code == 403


def test_administrator_uploads_a_tariff_that_applies_to_new_quotes_only(alice, alice_client, contract):
    admin = make_staff(ensure_staff_groups(), "administrator", is_superuser=True)
    client = staff_client(admin)
    source = (DEFAULT_TARIFFS_DIR / "2026-01.toml").read_text()
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    new = source.replace('version = "2026-01"', 'version = "2027-01"').replace(
        "effective_from = 2026-01-01", f"effective_from = {future}").replace("apartment = 95.00", "apartment = 120.00")
    broken = client.post("/backoffice/contrats/tarifs/", {"tariff": SimpleUploadedFile("t.toml", b"[tariff]\nx=1")})
    assert "n&#x27;est pas valide" in broken.content.decode() or "n'est pas valide" in broken.content.decode()
    ok = client.post("/backoffice/contrats/tarifs/", {"tariff": SimpleUploadedFile("t.toml", new.encode())})
    assert ok.status_code == 302
    assert [t.version for t in pricing.available_tariffs()] == ["2026-01", "2027-01"]
    assert pricing.tariff_in_force(timezone.localdate()).version == "2026-01"  # not yet in force today
    assert pricing.tariff_in_force(timezone.localdate() + timedelta(days=1)).version == "2027-01"
    contract.refresh_from_db()
    assert contract.tariff_version == "2026-01"  # existing contracts keep their premium
    duplicate = client.post("/backoffice/contrats/tarifs/", {"tariff": SimpleUploadedFile("t.toml", new.encode())})
    assert "existe déjà" in duplicate.content.decode()
    advisor = staff_client(make_staff(ensure_staff_groups(), "advisor"))
    assert advisor.post("/backoffice/contrats/tarifs/",
                        {"tariff": SimpleUploadedFile("t.toml", new.encode())}).status_code == 403
