"""A certificate states only what is covered: each kind has its eligibility (status, guarantees)."""

import html
import io
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from abri.accounts.tokens import token_issue
from abri.certificates.models import Certificate
from abri.certificates.rules import certificate_kinds_for
from abri.certificates.services import certificate_issue

pytestmark = pytest.mark.django_db
URL = "/documents/attestations/"


@pytest.fixture(autouse=True)
def _generous_verification_rate_limit(settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000


def pdf_text(certificate) -> str:
    with certificate.document.file.open("rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    return re.sub(r"\s+", " ", text)


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u202f", " ").replace("\u00a0", " "))


def test_landlord_certificate_refused_for_owner_occupier_without_tenant_liability(alice, alice_house):
    """Loi n° 89-462 art. 7 g): the landlord's certificate proves the tenant's liability (risques locatifs);
    an owner-occupier's contract (e.g. the demo's MRH-2023-000102) has none, so none is issued."""
    assert not alice_house.guarantees.filter(code="tenant_liability").exists()
    with pytest.raises(ValidationError) as caught:
        certificate_issue(customer=alice, contract=alice_house, kind="tenant")
    assert "Réservée aux locataires" in caught.value.message_dict["kind"][0]
    assert "art. 7 g" in caught.value.message_dict["kind"][0]
    assert not Certificate.objects.filter(customer=alice).exists()


def test_landlord_certificate_refused_on_the_page_with_the_reason_beside_the_field(alice, alice_client, alice_house):
    response = alice_client.post(URL, {"contract": alice_house.number, "kind": "tenant"})
    assert response.status_code == 400
    assert "Réservée aux locataires" in page_text(response)
    assert not Certificate.objects.filter(customer=alice).exists()


def test_landlord_certificate_refused_by_the_api(client, alice, alice_house):
    response = client.post("/api/v1/certificates", {"kind": "tenant", "contract_number": alice_house.number},
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token_issue(user=alice.user)}")
    assert response.status_code == 422
    assert "Réservée aux locataires" in response.json()["detail"]
    assert not Certificate.objects.filter(customer=alice).exists()


def test_landlord_certificate_refused_by_the_command_line(alice, alice_house, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("issue_certificate", customer=alice.customer_number, contract=alice_house.number, kind="tenant",
                     out=str(tmp_path / "x.pdf"), stdout=StringIO())
    assert "Réservée aux locataires" in str(caught.value)
    assert not (tmp_path / "x.pdf").exists()


def test_lender_certificate_refused_for_a_tenants_contract(alice, alice_contract):
    """A tenant insures contents and tenant's liability, not the building a loan finances."""
    with pytest.raises(ValidationError) as caught:
        certificate_issue(customer=alice, contract=alice_contract, kind="lender")
    assert "propriétaires qui assurent le bâtiment" in caught.value.message_dict["kind"][0]


def test_school_certificate_refused_for_a_non_occupying_owner(alice, alice_rental):
    with pytest.raises(ValidationError) as caught:
        certificate_issue(customer=alice, contract=alice_rental, kind="school", child_first_name="Léa",
                          child_last_name="Durand", school_year="2026-2027")
    assert "propriétaire non occupant" in caught.value.message_dict["kind"][0]


@pytest.mark.parametrize(("fixture", "eligible"), [
    ("alice_contract", {"tenant", "temporary", "school"}),
    ("alice_house", {"lender", "temporary", "school"}),
    ("alice_rental", {"lender", "temporary"}),
])
def test_each_kind_has_its_eligibility_by_status_and_guarantees(request, fixture, eligible):
    contract = request.getfixturevalue(fixture)
    kinds = certificate_kinds_for(contract=contract)
    assert {k.kind for k in kinds if k.eligible} == eligible
    assert all(k.reason for k in kinds if not k.eligible)


def test_form_offers_only_the_kinds_that_apply_and_says_why_the_others_do_not(alice, alice_client, alice_house):
    response = alice_client.get(URL)
    markup = response.content.decode()
    assert 'value="lender"' in markup and 'value="temporary"' in markup and 'value="school"' in markup
    assert 'value="tenant"' not in markup
    text = page_text(response)
    assert f"Non proposées pour le contrat {alice_house.number} (Propriétaire occupant) :" in text
    assert "Attestation locative (pour le bailleur) — Réservée aux locataires" in text


def test_lender_certificate_states_building_capital_at_rebuild_value(alice, alice_house):
    """The lender's certificate states the building cover: capital at rebuild value (valeur à neuf)."""
    certificate = certificate_issue(customer=alice, contract=alice_house, kind="lender")
    text = pdf_text(certificate)
    assert "Bâtiment assuré" in text
    assert "valeur de reconstruction à neuf pour un capital de 209 000,00 €" in text
    assert "Incendie et explosion 229 000,00 €" in text  # building + contents, not the contents ceiling alone


def test_liability_sub_limits_are_printed_on_certificates(alice, alice_contract, alice_house):
    tenant = pdf_text(certificate_issue(customer=alice, contract=alice_contract, kind="tenant"))
    assert ("Responsabilité civile vie privée — plafond 10 000 000,00 € (dont dommages corporels 10 000 000,00 €, "
            "dommages matériels et immatériels 1 500 000,00 €)") in tenant
    lender = pdf_text(certificate_issue(customer=alice, contract=alice_house, kind="lender"))
    assert "dont dommages matériels et immatériels 1 500 000,00 €" in lender
