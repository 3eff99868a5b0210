from datetime import date
from decimal import Decimal

from abri.contracts.rules import add_months, due_date_end, termination_date, unused_premium

TODAY = date(2026, 11, 26)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 26), 3) == date(2027, 2, 26)


def test_hamon_needs_one_year_then_one_month():
    young = termination_date(reason="hamon", today=TODAY, start_date=date(2026, 3, 1), main_due_date=date(2027, 3, 1))
    assert young.effective is None and "après un an" in young.refused
    old = termination_date(reason="hamon", today=TODAY, start_date=date(2024, 3, 1), main_due_date=date(2027, 3, 1))
    assert old.effective == date(2026, 12, 26)  # last day covered (until 24:00): effect on 27/12 at 0:00


def test_due_date_needs_one_month_notice():
    # Less than a month before: the following due date (ends the day before it, at 24:00).
    assert due_date_end(today=TODAY, main_due_date=date(2026, 12, 10)) == date(2027, 12, 9)
    assert due_date_end(today=TODAY, main_due_date=date(2027, 3, 1)) == date(2027, 2, 28)
    first_year = termination_date(reason="due_date", today=TODAY, start_date=date(2026, 3, 1),
                                  main_due_date=date(2027, 3, 1))
    assert (first_year.effective, first_year.basis) == (date(2027, 2, 28), "due_date")


def test_moving_and_sale():
    moving = termination_date(reason="moving", today=TODAY, start_date=date(2026, 6, 1),
                              main_due_date=date(2027, 6, 1), requested_date=date(2027, 2, 15))
    assert moving.effective == date(2027, 2, 15)
    quick = termination_date(reason="moving", today=TODAY, start_date=date(2026, 6, 1),
                             main_due_date=date(2027, 6, 1), requested_date=date(2026, 12, 1))
    assert quick.effective == date(2026, 12, 26)
    sale = termination_date(reason="sale", today=TODAY, start_date=date(2026, 6, 1), main_due_date=date(2027, 6, 1),
                            requested_date=date(2027, 1, 10))
    assert sale.effective == date(2027, 1, 10)


def test_unused_premium():
    assert unused_premium(annual_total=Decimal("365"), effective=date(2027, 1, 1), paid_until=date(2027, 1, 31)) \
        == Decimal("30.00")
    assert unused_premium(annual_total=Decimal("365"), effective=date(2027, 2, 1), paid_until=date(2027, 1, 31)) \
        == Decimal("0.00")


def test_contracts_end_at_their_termination_date_and_certificates_are_revoked(db, alice):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from abri.certificates.models import Certificate
    from abri.certificates.services import certificate_issue
    from abri.contracts.models import Contract
    from abri.contracts.services import contracts_end_due
    from tests.contracts.factories import make_contract

    contract = make_contract(customer=alice, start_date=timezone.localdate() - timedelta(days=400),
                             main_due_date=timezone.localdate() + timedelta(days=100))
    certificate_issue(customer=alice, contract=contract, kind="tenant")
    Contract.objects.filter(pk=contract.pk).update(status="termination_requested",
                                                   end_date=timezone.localdate() + timedelta(days=1))
    assert contracts_end_due() == 0
    # Covered until 24:00 on the end date: still in force that day, ended the day after.
    assert contracts_end_due(today=timezone.localdate() + timedelta(days=1)) == 0
    assert contracts_end_due(today=timezone.localdate() + timedelta(days=2)) == 1
    contract.refresh_from_db()
    assert contract.status == "terminated"
    assert Certificate.objects.get(contract=contract).revoked_at is not None
    call_command("end_due_contracts")
