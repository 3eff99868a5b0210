"""The 360° view of a customer, its audited reads and downloads, and the advisor's actions."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from abri.accounts.models import LoginThrottle
from abri.billing.models import ScheduleItem
from abri.claims.models import ClaimStep
from abri.core.models import AuditLog
from abri.core.services import audit_record
from abri.notifications.models import OutboxMessage
from tests.claims.factories import make_claim
from tests.contracts.factories import make_contract
from tests.documents.factories import make_document


def url(customer) -> str:
    return f"/backoffice/clients/{customer.customer_number}/"


def add_activity(customer, contract, n: int) -> None:
    """n more claims (each with steps), documents, instalments and audit rows."""
    for i in range(n):
        claim = make_claim(contract=contract, status="under_review")
        ClaimStep.objects.create(claim=claim, status="under_review", note=f"Analyse {i}")
        make_document(customer=customer, title=f"Quittance {i}", kind="receipt", contract=contract)
        ScheduleItem.objects.create(customer=customer, contract=contract, amount=Decimal("15.00"),
                                    due_date=timezone.localdate() - timedelta(days=30 * i))
        audit_record(action="auth.login", target=customer, actor=customer.user)


@pytest.mark.django_db
def test_360_view_shows_identity_contracts_claims_payments_documents_and_audit(advisor_client, alice,
                                                                              alice_contract):
    claim = make_claim(contract=alice_contract, status="expert_appointed")
    ClaimStep.objects.create(claim=claim, status="expert_appointed", note="Cabinet Expertises Rhône")
    doc = make_document(customer=alice, title="Attestation habitation 2026", contract=alice_contract)
    ScheduleItem.objects.create(customer=alice, contract=alice_contract, amount=Decimal("15.45"),
                                due_date=timezone.localdate(), reference="REF-1")
    audit_record(action="auth.login", target=alice, actor=alice.user)
    response = advisor_client.get(url(alice))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        alice.customer_number, "Alice", "DURAND", alice.email, alice.phone, "75002 Paris",
        alice_contract.number, "Confort", "Dégâts des eaux", "Responsabilité civile vie privée",
        claim.number, "Expert missionné", "Cabinet Expertises Rhône",
        "15,45", "À venir",
        "Attestation habitation 2026", f"/backoffice/clients/{alice.customer_number}/documents/{doc.pk}/",
        "<td>Connexion <span", "Non verrouillé",
    ]:
        assert expected in html, expected
    assert 'style="' not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    try:  # the claim-handling pages, when mounted, are one click away
        claim_url = reverse("backoffice_claims:detail", args=[claim.number])
    except NoReverseMatch:
        claim_url = None
    if claim_url:
        assert f'href="{claim_url}"' in html


@pytest.mark.django_db
def test_each_360_read_is_audited_with_the_staff_member_as_actor(advisor_client, advisor, alice):
    advisor_client.get(url(alice))
    entry = AuditLog.objects.get(action="staff.customer.viewed")
    assert entry.actor == advisor and entry.customer == alice


@pytest.mark.django_db
def test_unknown_customer_answers_404(advisor_client, db):
    assert advisor_client.get("/backoffice/clients/XXXXXXXXX/").status_code == 404


@pytest.mark.django_db
def test_360_query_count_stays_constant_as_the_customer_data_grows(advisor_client, alice, alice_contract):
    add_activity(alice, alice_contract, 2)
    with CaptureQueriesContext(connection) as small:
        assert advisor_client.get(url(alice)).status_code == 200
    second = make_contract(customer=alice, formula="integrale")
    add_activity(alice, second, 30)
    add_activity(alice, alice_contract, 30)
    with CaptureQueriesContext(connection) as large:
        response = advisor_client.get(url(alice))
    assert response.status_code == 200
    assert len(response.context["view"].claims) == 20 and response.context["view"].more_claims
    assert len(large.captured_queries) == len(small.captured_queries), [q["sql"] for q in large.captured_queries]


@pytest.mark.django_db
def test_staff_download_returns_the_file_and_is_audited(advisor_client, advisor, alice):
    doc = make_document(customer=alice, title="Avis d'échéance")
    response = advisor_client.get(f"/backoffice/clients/{alice.customer_number}/documents/{doc.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    entry = AuditLog.objects.get(action="staff.document.download")
    assert entry.actor == advisor and entry.customer == alice and entry.target_id == str(doc.pk)


@pytest.mark.django_db
def test_a_document_is_only_reachable_through_its_own_customer(advisor_client, alice, bob):
    bobs = make_document(customer=bob)
    assert advisor_client.get(f"/backoffice/clients/{alice.customer_number}/documents/{bobs.pk}/").status_code == 404
    assert not AuditLog.objects.filter(action="staff.document.download").exists()


@pytest.mark.django_db
def test_customers_cannot_use_the_staff_download(alice_client, alice):
    doc = make_document(customer=alice)
    response = alice_client.get(f"/backoffice/clients/{alice.customer_number}/documents/{doc.pk}/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_advisor_unlocks_a_locked_customer(advisor_client, advisor, alice):
    LoginThrottle.objects.create(customer_number=alice.customer_number, locked_at=timezone.now(),
                                 consecutive_failures=10)
    assert "Verrouillé" in advisor_client.get(url(alice)).content.decode()
    response = advisor_client.post(f"{url(alice)}deverrouiller/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "L'accès du client est déverrouillé. Il en est informé par e-mail."]
    assert not LoginThrottle.objects.filter(customer_number=alice.customer_number, locked_at__isnull=False).exists()
    entry = AuditLog.objects.get(action="auth.unlocked_by_advisor")
    assert entry.actor == advisor and entry.customer == alice


@pytest.mark.django_db
def test_advisor_starts_a_pin_reset_sent_to_the_contact_on_file(advisor_client, advisor, alice):
    response = advisor_client.post(f"{url(alice)}reinitialiser-code/", follow=True)
    assert "Réinitialisation lancée" in response.content.decode()
    assert OutboxMessage.objects.filter(to=alice.email).exists()
    entry = AuditLog.objects.get(action="auth.pin_reset_started_by_advisor")
    assert entry.actor == advisor and entry.customer == alice


@pytest.mark.django_db
def test_actions_refuse_get(advisor_client, alice):
    assert advisor_client.get(f"{url(alice)}deverrouiller/").status_code == 405


@pytest.mark.django_db
def test_backoffice_shell_is_accessible_and_has_its_own_navigation(advisor_client, alice, alice_contract):
    html = advisor_client.get(url(alice)).content.decode()
    assert '<html lang="fr">' in html and 'href="#contenu"' in html
    assert 'aria-label="Menu du back-office"' in html and "Recherche client" in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html
    assert "<caption id=" in html and 'scope="col"' in html
    assert 'class="table-scroll" tabindex="0" role="region"' in html
    assert "Se déconnecter" in html
