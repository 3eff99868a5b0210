"""Renewal at the main due date (tacite reconduction), loi Chatel fed by the renewal notices, refunds to the
day, and the termination page showing every basis side by side."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

import abri.urls  # noqa: F401 - the API schemas are built before time is frozen (pydantic rejects FakeDate)
from abri import pricing
from abri.accounts.stepup import step_up_mark_fresh
from abri.billing.models import ScheduleItem
from abri.contracts.models import Contract, ContractRenewal, TerminationRequest
from abri.contracts.rules import add_months
from abri.contracts.services import (
    contracts_renew_due,
    renewal_notice_record,
    termination_options,
    termination_request,
)
from tests.contracts.factories import PropertyFactory, make_contract

pytestmark = pytest.mark.django_db


def _owner_contract(customer, **kwargs):
    return make_contract(customer=customer, property=PropertyFactory(customer=customer, occupant_status="owner"),
                         **kwargs)


def test_renewal_moves_due_date_once_even_if_run_twice(alice):
    """Tacit renewal (one year, renewed at the main due date): the job renews each contract once per due date,
    under the tariff version in force that day, and writes the new year's schedule."""
    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=add_months(today, -12), main_due_date=today,
                             payment_frequency="monthly", tariff_version="old")
    assert contracts_renew_due(today=today) == 1
    assert contracts_renew_due(today=today) == 0
    contract.refresh_from_db()
    assert contract.main_due_date == add_months(today, 12) and contract.version == 2
    assert contract.tariff_version == pricing.tariff_in_force(today).version
    renewal = ContractRenewal.objects.get(contract=contract)
    assert renewal.due_date == today and renewal.renewed_at is not None and renewal.notice_sent_on is None
    items = ScheduleItem.objects.filter(contract=contract, status="upcoming").order_by("due_date")
    assert [i.due_date for i in items] == [add_months(today, m) for m in range(12)]
    assert sum(i.amount for i in items) == contract.annual_premium


def test_renewal_catches_up_every_missed_due_date(alice):
    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=add_months(today, -30), main_due_date=add_months(today, -18),
                             payment_frequency="annual")
    assert contracts_renew_due(today=today) == 2
    contract.refresh_from_db()
    assert contract.main_due_date == add_months(today, 6)
    assert ContractRenewal.objects.filter(contract=contract).count() == 2


def test_renewal_notice_late_feeds_the_chatel_basis(alice):
    """L113-15-1: the billing work records when it sent the renewal notice; a late one opens the 20 days."""
    contract = _owner_contract(alice, start_date=date(2026, 3, 1), main_due_date=date(2027, 3, 1))
    renewal_notice_record(contract=contract, due_date=date(2027, 3, 1), sent_on=date(2027, 1, 25))
    renewal_notice_record(contract=contract, due_date=date(2027, 3, 1), sent_on=date(2027, 1, 30))  # first counts
    options = termination_options(contract=contract, reason="due_date", today=date(2027, 2, 10))
    chosen = next(o for o in options if o["default"])
    assert (chosen["code"], chosen["end"]) == ("chatel", date(2027, 2, 28))


def test_renewal_without_notice_allows_termination_the_next_day(alice):
    """L113-15-1: renewed by the job with no notice recorded: termination at any time, effective the next day."""
    today = timezone.localdate()
    contract = _owner_contract(alice, start_date=add_months(today, -12), main_due_date=today)
    contracts_renew_due(today=today)
    contract.refresh_from_db()
    chosen = next(o for o in termination_options(contract=contract, reason="other") if o["default"])
    assert (chosen["code"], chosen["end"]) == ("chatel", today)


def test_certificate_after_the_anniversary_shows_the_current_period(alice):
    """After the due date, the insurance year shown on certificates is the new one, not the past one."""
    from abri.certificates.rules import current_period

    today = timezone.localdate()
    due = today - timedelta(days=5)
    contract = make_contract(customer=alice, start_date=add_months(due, -24), main_due_date=due)
    assert current_period(contract) == (due, add_months(due, 12) - timedelta(days=1))  # before the job runs
    contracts_renew_due(today=today)
    contract.refresh_from_db()
    assert current_period(contract) == (due, add_months(due, 12) - timedelta(days=1))


def test_amendment_after_the_anniversary_does_not_crash(alice):
    """A change priced between the due date and the renewal job counts the pro-rata to the next due date."""
    from abri.contracts.pricing import contract_choices, quote_change

    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=add_months(today, -24), main_due_date=today - timedelta(days=3))
    result = quote_change(contract=contract, choices={**contract_choices(contract), "formula": "integrale"})
    assert result.ok and result.prorata > 0


def test_certificate_and_termination_share_the_last_covered_day(alice):
    """One convention: an end date is the last day covered (until 24:00), on certificates as on terminations."""
    from abri.certificates.rules import current_period

    with freeze_time("2026-12-02 10:00:00"):
        contract = _owner_contract(alice, start_date=date(2024, 6, 1), main_due_date=date(2027, 6, 1))
        termination = termination_request(customer=alice, contract=contract, reason="other", reason_text="Prix",
                                          idempotency_key="conv-0001")
        contract.refresh_from_db()
        assert termination.effective_date == contract.end_date == date(2027, 1, 2)
        assert current_period(contract)[1] == date(2027, 1, 2)


def test_termination_refunds_the_paid_days_after_the_end_within_thirty_days(alice):
    """L113-15-2: the premium paid for the days after the end date is refunded within 30 days; an instalment
    not yet paid is billed for its covered days only."""
    with freeze_time("2026-12-06 10:00:00"):
        contract = _owner_contract(alice, start_date=date(2024, 6, 1), main_due_date=date(2027, 6, 1),
                                   payment_frequency="monthly")
        for month, status in ((11, "paid"), (12, "paid")):
            ScheduleItem.objects.create(customer=alice, contract=contract, due_date=date(2026, month, 5),
                                        amount=Decimal("31.00"), status=status, reference=f"M-{month}")
        january = ScheduleItem.objects.create(customer=alice, contract=contract, due_date=date(2027, 1, 5),
                                              amount=Decimal("31.00"), reference="M-1")
        termination = termination_request(customer=alice, contract=contract, reason="other", reason_text="Prix",
                                          idempotency_key="refund-0001")
    assert termination.effective_date == date(2027, 1, 6) and termination.basis == "hamon"
    # Paid to 4 January; covered to 6 January: the 5 January instalment is due for 2 days of 31.
    assert termination.refund_amount == Decimal("0.00")
    january.refresh_from_db()
    assert january.amount == Decimal("2.00") and january.status == "upcoming"
    with freeze_time("2026-12-03 10:00:00"):
        other = _owner_contract(alice, start_date=date(2024, 6, 1), main_due_date=date(2027, 6, 1),
                                payment_frequency="quarterly")
        ScheduleItem.objects.create(customer=alice, contract=other, due_date=date(2026, 12, 1),
                                    amount=Decimal("90.00"), status="paid", reference="Q-4")
        done = termination_request(customer=alice, contract=other, reason="other", reason_text="Prix",
                                   idempotency_key="refund-0002")
    # Quarter 1 Dec–28 Feb (90 days) paid; cover ends 3 January: 56 days × 1 € refunded.
    assert done.refund_amount == Decimal("56.00")
    refund = ScheduleItem.objects.get(contract=other, amount__lt=0)
    assert refund.amount == Decimal("-56.00") and refund.due_date <= done.effective_date + timedelta(days=30)


@freeze_time("2026-02-10 09:00:00")
def test_termination_page_shows_every_basis_side_by_side_and_defaults_to_the_earliest(alice, alice_client):
    """The issue's case: on 10/02/2026, three weeks before the 01/03 due date, after a renewal sent without a
    notice (Chatel) on a contract over one year old (Hamon): the bases side by side, in French dates and euros."""
    contract = _owner_contract(alice, start_date=date(2024, 3, 1), main_due_date=date(2026, 3, 1),
                               payment_frequency="quarterly")
    ContractRenewal.objects.create(contract=contract, due_date=date(2025, 3, 1), notice_sent_on=None,
                                   renewed_at=timezone.now())
    ScheduleItem.objects.create(customer=alice, contract=contract, due_date=date(2025, 12, 1),
                                amount=Decimal("90.00"), status="paid", reference="Q-4")
    step_up_mark_fresh(alice_client)
    form = alice_client.get(f"/contrats/{contract.number}/resilier/").content.decode()
    assert "préavis de deux mois ; vos conditions générales le ramènent à un mois" in form
    assert "le contrat prend fin le jour de la vente, à 24 h" in form
    response = alice_client.post(f"/contrats/{contract.number}/resilier/", {"reason": "due_date"})
    summary = alice_client.get(response["Location"]).content.decode()
    text = re.sub(r"\s+", " ", summary.replace("\u00a0", " ").replace("&#x27;", "'"))
    assert "mardi 10 février 2026 à 24 h" in text and "18,00 €" in text  # Chatel: 18 of 90 days refunded
    assert "mardi 10 mars 2026 à 24 h" in text  # Hamon
    assert "dimanche 28 février 2027 à 24 h" in text  # due date
    assert text.index("10 février 2026") < text.index("10 mars 2026") < text.index("28 février 2027")
    assert re.search(r'value="chatel" id="basis-chatel" checked', summary)
    assert "Votre nouvel assureur" not in summary  # an owner: no compulsory cover to hand over
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', summary).group(1)
    done = alice_client.post(f"/contrats/{contract.number}/resilier/recapitulatif/",
                             {"idempotency_key": key, "basis": "hamon"})
    termination = TerminationRequest.objects.get(contract=contract)
    assert termination.basis == "hamon" and termination.effective_date == date(2026, 3, 10)
    page = re.sub(r"\s+", " ", alice_client.get(done["Location"]).content.decode())
    assert "mardi 10 mars 2026 à 24 h" in page
    assert Contract.objects.get(pk=contract.pk).end_date == date(2026, 3, 10)


def test_tenant_hamon_termination_asks_for_the_new_insurer(alice, alice_client):
    """L113-15-2 with a compulsory insurance (tenant's liability): the new insurer and contract are asked, so the
    cover continues."""
    contract = make_contract(customer=alice, start_date=timezone.localdate() - timedelta(days=500),
                             main_due_date=timezone.localdate() + timedelta(days=90))
    step_up_mark_fresh(alice_client)
    response = alice_client.post(f"/contrats/{contract.number}/resilier/", {"reason": "hamon"})
    summary = alice_client.get(response["Location"]).content.decode()
    assert "Votre nouvel assureur" in summary and "risques locatifs est obligatoire" in summary
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', summary).group(1)
    missing = alice_client.post(f"/contrats/{contract.number}/resilier/recapitulatif/",
                                {"idempotency_key": key, "basis": "hamon"})
    assert missing.status_code == 422
    assert "Indiquez le nom de votre nouvel assureur" in missing.content.decode()
    assert not TerminationRequest.objects.filter(contract=contract).exists()
    done = alice_client.post(f"/contrats/{contract.number}/resilier/recapitulatif/", {
        "idempotency_key": key, "basis": "hamon", "new_insurer": "Mutuelle du Rhône", "new_policy_number": "MR-7"})
    assert done.status_code == 302
    termination = TerminationRequest.objects.get(contract=contract)
    assert (termination.new_insurer, termination.new_policy_number) == ("Mutuelle du Rhône", "MR-7")
    assert "Mutuelle du Rhône" in alice_client.get(done["Location"]).content.decode()


def test_worker_runs_the_renewal_job_every_hour(alice, monkeypatch):
    """The hourly worker job renews a contract on its due date, as it ends those whose end date has passed."""
    from abri.portal.management.commands import worker

    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=add_months(today, -12), main_due_date=today)
    monkeypatch.setattr(worker, "_last_hourly", [])
    worker.heartbeat_once("test-worker")
    contract.refresh_from_db()
    assert contract.main_due_date == add_months(today, 12)
    worker.heartbeat_once("test-worker")  # within the hour: nothing runs again
    assert ContractRenewal.objects.filter(contract=contract).count() == 1


def test_renewal_of_a_contract_ending_later_bills_only_its_covered_days(alice):
    """A contract whose termination ends after the due date still renews, billed only until its end date."""
    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=add_months(today, -24), main_due_date=today,
                             payment_frequency="quarterly")
    end = add_months(today, 4) - timedelta(days=1)  # one quarter and one month
    Contract.objects.filter(pk=contract.pk).update(status="termination_requested", end_date=end)
    assert contracts_renew_due(today=today) == 1
    contract.refresh_from_db()
    items = list(ScheduleItem.objects.filter(contract=contract, status="upcoming").order_by("due_date"))
    assert [i.due_date for i in items] == [today, add_months(today, 3)]
    second_period_days = (add_months(today, 6) - add_months(today, 3)).days
    covered = (end - add_months(today, 3)).days + 1
    assert 0 < items[1].amount < items[0].amount
    assert abs(items[1].amount - items[0].amount * covered / second_period_days) <= Decimal("0.02")
