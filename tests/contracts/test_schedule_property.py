"""Property: whatever the amendments (avenants, L112-3) and their dates, a contract year is charged its annual
premium plus the pro-rata of each amendment (pro rata temporis until the main due date), never more, to the cent;
the next year follows the last price in the last payment frequency."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abri.billing.models import ScheduleItem
from abri.contracts.pricing import contract_choices, quote_change
from abri.contracts.rules import add_months
from abri.contracts.services import ContractError, amendment_apply
from tests.accounts.factories import CustomerFactory
from tests.contracts.factories import PropertyFactory, make_contract

pytestmark = pytest.mark.django_db
FREQUENCIES = ["annual", "half_yearly", "quarterly", "monthly"]
COUNTS = {"annual": 1, "half_yearly": 2, "quarterly": 4, "monthly": 12}
START = "2026-06-10 10:00:00+02:00"

change = st.one_of(
    st.tuples(st.just("payment_frequency"), st.sampled_from(FREQUENCIES)),
    st.tuples(st.just("options"), st.sets(st.sampled_from(["legal", "assistance", "new_for_old"]))),
    st.tuples(st.just("formula"), st.sampled_from(["essentielle", "confort", "integrale"])),
    st.tuples(st.just("contents_capital"), st.integers(min_value=4, max_value=40).map(lambda n: str(n * 500))),
)


class _Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(frequency=st.sampled_from(FREQUENCIES), rooms=st.integers(min_value=1, max_value=5),
       days_to_due=st.integers(min_value=15, max_value=364),
       amendments=st.lists(st.tuples(st.integers(min_value=0, max_value=120), change), min_size=1, max_size=3))
def test_a_contract_year_adds_up_to_the_annual_premium_plus_the_proratas(frequency, rooms, days_to_due, amendments):
    try:
        with transaction.atomic():
            _check(frequency, rooms, days_to_due, amendments)
            raise _Rollback
    except _Rollback:
        pass


def _check(frequency, rooms, days_to_due, amendments):
    with freeze_time(START) as clock:
        from django.utils import timezone

        today = timezone.localdate()
        due = today + timedelta(days=days_to_due)
        customer = CustomerFactory()
        home = PropertyFactory(customer=customer, rooms=rooms, surface_m2=20 * rooms)
        contract = make_contract(customer=customer, property=home, start_date=add_months(due, -24), main_due_date=due,
                                 payment_frequency=frequency)
        current = quote_change(contract=contract, choices=contract_choices(contract)).quote
        contract.annual_premium = current.total_annual
        contract.save(update_fields=["annual_premium"])
        step = 12 // current.instalment_count
        for year in (-1, 0):  # this year's instalments (some already paid) and next year's
            for index, amount in enumerate(current.instalments):
                day = add_months(due, 12 * year + index * step)
                ScheduleItem.objects.create(customer=customer, contract=contract, due_date=day, amount=amount,
                                            status="paid" if day <= today else "upcoming")
        proratas = Decimal("0.00")
        for number, (offset, (field, value)) in enumerate(amendments):
            day = timezone.localdate() + timedelta(days=offset)
            if day >= due:
                break
            clock.move_to(f"{day.isoformat()} 10:00:00+01:00")
            # The bank has collected what fell due meanwhile.
            ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__lte=day).update(status="paid")
            contract.refresh_from_db()
            choices = {**contract_choices(contract), field: sorted(value) if field == "options" else value}
            try:
                amendment = amendment_apply(customer=customer, contract=contract, choices=choices,
                                            expected_version=contract.version,
                                            idempotency_key=f"p-{contract.pk}-{number}")
            except ContractError:
                continue  # refused (e.g. a capital above the ceiling): nothing charged
            proratas += amendment.prorata_amount

        contract.refresh_from_db()
        live = ScheduleItem.objects.filter(contract=contract).exclude(status="cancelled")
        adjustments = [i.amount for i in live if i.reference.startswith("PRO-")]
        this_year = [i.amount for i in live if not i.reference.startswith("PRO-") and i.due_date < due]
        next_year = [i.amount for i in live if not i.reference.startswith("PRO-") and i.due_date >= due]
        assert sum(this_year) + sum(adjustments) == current.total_annual + proratas
        assert sum(next_year) == contract.annual_premium
        assert len(next_year) == COUNTS[contract.payment_frequency]
        assert max(next_year) - min(next_year) <= Decimal("0.11")  # even instalments, never the whole year each
