import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abri.notifications.services import notification_create
from tests.claims.factories import make_claim
from tests.contracts.factories import make_contract
from tests.documents.factories import make_document


def _fill(customer, n):
    contract = make_contract(customer=customer)
    for _ in range(n):
        make_claim(contract=contract)
        make_document(customer=customer, contract=contract)
        notification_create(customer=customer, title="Message")


def _count_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/tableau-de-bord/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_dashboard_shows_guarantees_payments_claims_documents(alice_client, alice, alice_contract):
    make_claim(contract=alice_contract, status="expert_appointed")
    make_document(customer=alice, title="Attestation habitation 2026")
    notification_create(customer=alice, title="Votre attestation est prête")
    html = alice_client.get("/tableau-de-bord/").content.decode()
    assert "Bonjour Alice" in html
    assert "Dégâts des eaux" in html
    assert "Expert missionné" in html
    assert "Attestation habitation 2026" in html
    assert "Votre attestation est prête" in html


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_history(alice_client, alice):
    _fill(alice, 2)
    small = _count_queries(alice_client)
    _fill(alice, 20)
    large = _count_queries(alice_client)
    assert large == small


def _with_payments(customer, contract, n, method="transfer"):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from abri.billing.models import ScheduleItem

    today = timezone.localdate()
    for i in range(n):
        ScheduleItem.objects.create(customer=customer, contract=contract, due_date=today - dt.timedelta(days=5 + i),
                                    amount=Decimal("45.00"), status="failed" if i % 2 else "upcoming")
        ScheduleItem.objects.create(customer=customer, contract=contract, due_date=today + dt.timedelta(days=5 + i),
                                    amount=Decimal("45.00"), method=method)


@pytest.mark.django_db
def test_dashboard_shows_overdue_payments_with_pay_now_and_the_next_payment(alice_client, alice, alice_contract, bob,
                                                                           bob_contract):
    _with_payments(alice, alice_contract, 2)
    _with_payments(bob, bob_contract, 1)
    html = alice_client.get("/tableau-de-bord/").content.decode()
    assert "2 paiements en retard" in html
    assert "Prélèvement rejeté" in html
    assert html.count("Payer maintenant") == 3  # each overdue line and the next payment
    from abri.billing.models import ScheduleItem

    for item in ScheduleItem.objects.filter(customer=bob):
        assert f"/paiements/payer/{item.pk}/" not in html


@pytest.mark.django_db
def test_dashboard_offers_no_pay_now_on_an_upcoming_direct_debit(alice_client, alice, alice_contract):
    """The bank collects it on its due date: a « Payer maintenant » there would charge the customer twice."""
    _with_payments(alice, alice_contract, 1, method="direct_debit")
    html = alice_client.get("/tableau-de-bord/").content.decode()
    assert html.count("Payer maintenant") == 1  # the overdue line only


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_overdue_payments(alice_client, alice, alice_contract):
    _with_payments(alice, alice_contract, 1)
    small = _count_queries(alice_client)
    _with_payments(alice, alice_contract, 15)
    assert _count_queries(alice_client) == small
