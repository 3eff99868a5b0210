"""Moving house keeps the customer's rights: the Hamon clock (L113-15-2) is not reset, the old home can stay
insured until its lease or sale ends, and the L113-16 window is three months after the event."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

import abri.urls  # noqa: F401 - the API's schemas are built before the clock is frozen (pydantic and FakeDate)
from abri.accounts.stepup import step_up_mark_fresh
from abri.billing.models import ScheduleItem
from abri.contracts.models import Contract, TerminationRequest
from abri.contracts.rules import add_months, termination_date
from abri.core.formats import day
from tests.conftest import logged_in_client
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

NEW_HOME = {"address_line": "8 quai Perrache", "postcode": "69002", "city": "Lyon", "kind": "apartment",
            "occupant_status": "tenant", "rooms": "3", "surface_m2": "68", "floor": "4"}


def _move(client, contract, moving: date, django_capture_on_commit_callbacks, **extra):
    step_up_mark_fresh(client)
    response = client.post(f"/contrats/{contract.number}/demenagement/",
                           {**NEW_HOME, "moving_date": moving.isoformat(), **extra})
    assert response.status_code == 302, response.content.decode()[-3000:]
    confirm = client.get(response["Location"]).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', confirm).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"idempotency_key": key})
    return confirm, Contract.objects.filter(customer=contract.customer).exclude(pk=contract.pk).get()


def test_moving_house_keeps_first_subscription_date_for_hamon(alice, alice_client, django_capture_on_commit_callbacks):
    """L113-15-2 (loi Hamon): after one year with the insurer, the customer may terminate at any time. A move
    handled by the insurer must not reset that year: the new home's contract keeps the first subscription date."""
    with freeze_time("2026-12-01 10:00:00+01:00"):
        first = date(2025, 6, 15)
        contract = make_contract(customer=alice, start_date=first, main_due_date=date(2027, 6, 15),
                                 payment_frequency="annual")
        confirm, new = _move(alice_client, contract, date(2026, 12, 20), django_capture_on_commit_callbacks)
        assert "Client depuis le" in confirm and "15 juin 2025" in confirm and "loi Hamon" in confirm
    assert new.start_date == date(2026, 12, 20) and new.first_subscription_date == first
    assert new.subscribed_since == first
    with freeze_time("2027-01-10 10:00:00+01:00"):  # three weeks into the new home, 19 months with the insurer
        alice_client = logged_in_client(alice)  # a new session, weeks later
        step_up_mark_fresh(alice_client)
        detail = alice_client.get(f"/contrats/{new.number}/").content.decode()
        assert "Client depuis le" in detail and "15 juin 2025" in detail
        response = alice_client.post(f"/contrats/{new.number}/resilier/", {"reason": "hamon"})
        assert response.status_code == 302, "Hamon refused after a move: " + response.content.decode()[-2000:]
        summary = alice_client.get(response["Location"]).content.decode()
        # One month after the request: covered until 10 February 2027 at 24:00 (the last covered day).
        assert "Loi Hamon (L113-15-2)" in summary and "10 février 2027" in summary


def test_moving_can_keep_the_old_home_insured_until_the_lease_ends(alice, alice_client,
                                                                     django_capture_on_commit_callbacks):
    """L113-16 / market practice: a tenant's notice or a sale can end after the move; on request the old home stays
    insured until then (the end date is stated), and only the premium after that date is refunded."""
    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=today - timedelta(days=500),
                             main_due_date=today + timedelta(days=200), payment_frequency="annual")
    moving, lease_end = today + timedelta(days=20), today + timedelta(days=20 + 60)
    step_up_mark_fresh(alice_client)
    too_late = alice_client.post(f"/contrats/{contract.number}/demenagement/",
                                 {**NEW_HOME, "moving_date": moving.isoformat(),
                                  "old_home_until": add_months(moving, 7).isoformat()}).content.decode()
    assert "six mois au plus" in too_late
    before = alice_client.post(f"/contrats/{contract.number}/demenagement/",
                               {**NEW_HOME, "moving_date": moving.isoformat(),
                                "old_home_until": (moving - timedelta(days=1)).isoformat()}).content.decode()
    assert "au plus tôt celle du déménagement" in before
    confirm, new = _move(alice_client, contract, moving, django_capture_on_commit_callbacks,
                         old_home_until=lease_end.isoformat())
    assert "assuré jusqu&#x27;au" in confirm or "assuré jusqu'au" in confirm
    contract.refresh_from_db()
    assert contract.end_date == lease_end and contract.status == "termination_requested"
    termination = TerminationRequest.objects.get(contract=contract)
    assert termination.effective_date == lease_end and day(lease_end, language="fr") in termination.rule
    assert new.start_date == moving
    assert not ScheduleItem.objects.filter(contract=contract, status="upcoming", amount__gt=0,
                                           due_date__gte=lease_end).exists()


def test_moving_termination_window_is_three_months_after_the_event(alice, alice_client):
    """L113-16: the contract may be terminated for a move within the three months following it (not 60 days)."""
    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=today - timedelta(days=200),
                             main_due_date=today + timedelta(days=165))
    step_up_mark_fresh(alice_client)
    eighty_days_ago = today - timedelta(days=80)
    response = alice_client.post(f"/contrats/{contract.number}/resilier/",
                                 {"reason": "moving", "requested_date": eighty_days_ago.isoformat()})
    assert response.status_code == 302, response.content.decode()[-2000:]
    too_old = add_months(today, -3) - timedelta(days=1)
    html = alice_client.post(f"/contrats/{contract.number}/resilier/",
                             {"reason": "moving", "requested_date": too_old.isoformat()}).content.decode()
    assert "dans les trois mois" in html
    # The rule itself, for any event: open on the last day of the third month, closed the day after.
    event = date(2026, 11, 30)
    last = termination_date(reason="moving", today=date(2027, 2, 28), start_date=date(2026, 1, 1),
                            main_due_date=date(2027, 1, 1), requested_date=event)
    closed = termination_date(reason="moving", today=date(2027, 3, 1), start_date=date(2026, 1, 1),
                              main_due_date=date(2027, 1, 1), requested_date=event)
    assert last.effective is not None and closed.effective is None and "trois mois" in closed.refused


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(event=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), delay=st.integers(0, 200))
def test_moving_window_is_open_for_three_calendar_months_on_every_day_of_the_year(event, delay):
    """L113-16: open until the same day three months after the event (month-end clamped), closed after; never
    shorter than the old 60 days."""
    from abri.contracts.rules import moving_window_end

    today = event + timedelta(days=delay)
    outcome = termination_date(reason="moving", today=today, start_date=date(2025, 1, 1),
                               main_due_date=date(2028, 1, 1), requested_date=event)
    assert (outcome.effective is not None) == (today <= add_months(event, 3))
    assert moving_window_end(event) >= event + timedelta(days=89)
    if outcome.effective is not None:
        # The moving basis ends one month after the notification (last covered day); another basis that ends
        # earlier (the due date) is offered first, as the law's "earliest end date" requires.
        moving = next(b for b in outcome.bases if b.code == "moving")
        assert moving.end >= add_months(today, 1)
        assert outcome.effective <= max(moving.end, event)
