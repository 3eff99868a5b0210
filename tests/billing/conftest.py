"""A frozen day and Alice's history of every euro (and one line of Bob's, which she must never see)."""

import datetime as dt
from decimal import Decimal

import pytest
from freezegun import freeze_time

from abri.billing.models import ScheduleItem
from abri.claims.models import ClaimPayment
from tests.claims.factories import make_claim

TODAY = dt.date(2026, 6, 15)


def _aware(day, hour=9):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def add_item(contract, day, amount, status="upcoming", reference="", **kwargs):
    return ScheduleItem.objects.create(
        customer=contract.customer, contract=contract, due_date=day, amount=Decimal(amount), status=status,
        paid_at=_aware(day) if status in {"paid", "refunded"} else None,
        reference=reference or f"{contract.number}-{day:%Y%m%d}", **kwargs)


@pytest.fixture
def frozen():
    from django.urls import get_resolver

    assert get_resolver().url_patterns  # import the API's schemas before dates are faked (pydantic rejects FakeDate)
    with freeze_time("2026-06-15 10:00:00"):
        yield TODAY


@pytest.fixture
def history(frozen, alice, alice_contract, bob_contract):
    c = alice_contract
    items = {
        "premium_2025": add_item(c, dt.date(2025, 1, 15), "1234.56", "paid"),
        "premium_jan": add_item(c, dt.date(2026, 1, 15), "529.35", "paid"),
        "prorata": add_item(c, dt.date(2026, 3, 1), "12.30", "paid", reference="PRO-AVT-2026-00000001"),
        "prorata_refund": add_item(c, dt.date(2026, 4, 1), "-8.00", "paid", reference="PRO-AVT-2026-00000002",
                                   method="transfer"),
        "rejected": add_item(c, dt.date(2026, 5, 10), "45.00", "failed"),
        "overdue": add_item(c, dt.date(2026, 6, 10), "45.00"),
        "next": add_item(c, dt.date(2026, 7, 15), "45.00", method="transfer"),  # a transfer payer pays it himself
        "later": add_item(c, dt.date(2026, 8, 15), "45.00"),
        "cancelled": add_item(c, dt.date(2026, 9, 15), "45.00", "cancelled"),
    }
    claim = make_claim(contract=c)
    items["indemnity"] = ClaimPayment.objects.create(claim=claim, customer=alice, amount=Decimal("300.00"),
                                                     paid_at=_aware(dt.date(2026, 2, 20)), reference="IND-0001")
    items["claim"] = claim
    items["bob"] = add_item(bob_contract, dt.date(2026, 1, 15), "999.99", "paid", reference="BOB-SECRET-REF")
    items["bob_next"] = add_item(bob_contract, dt.date(2026, 7, 20), "77.77", reference="BOB-NEXT-REF")
    return items
