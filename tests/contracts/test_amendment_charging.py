"""A change is charged once (avenant, pro rata temporis): one method, and the schedule shown before signing is
the one written, and the one the confirmation states."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from freezegun import freeze_time

import abri.urls  # noqa: F401 - the API's schemas are built before the clock is frozen (pydantic and FakeDate)
from abri.accounts.stepup import step_up_mark_fresh
from abri.billing.models import ScheduleItem
from abri.contracts.models import Amendment, Contract
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.notifications.models import OutboxMessage
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"

# The case: Camille's flat (demo data of 1 December 2026), Confort 150 € → Intégrale 0 €, paid monthly,
# three instalments (5 Dec, 5 Jan, 5 Feb) before the main due date of 1 March 2027.
UPGRADE = {"formula": "integrale", "options": ["valuables"], "deductible": "0", "contents_capital": "14000",
           "valuables_capital": "3000", "payment_frequency": "monthly"}


def _upcoming(contract):
    return {i.pk: i.amount for i in ScheduleItem.objects.filter(contract=contract, status="upcoming")}


def _sign(client, contract, choices, django_capture_on_commit_callbacks):
    step_up_mark_fresh(client)
    url = f"/contrats/{contract.number}/avenant/"
    page = client.get(url, choices).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**choices, "version": version, "idempotency_key": key, "confirm": "1"},
                               follow=True)
    return page, response.content.decode()


@freeze_time("2026-12-01 10:00:00+01:00")
def test_amendment_is_charged_once_either_prorata_or_new_instalments(django_capture_on_commit_callbacks):
    """Avenant: the difference for the rest of the period is charged once, pro rata temporis until the next main
    due date (20,44 €). Before, the three instalments of the period were also raised (+20,46 €): charged twice."""
    call_command("seed_demo")
    contract = Contract.objects.get(number="MRH-2024-000101")
    camille = contract.customer
    assert contract.main_due_date == date(2027, 3, 1) and contract.payment_frequency == "monthly"
    before = _upcoming(contract)
    client = logged_in_client(camille)

    page, confirmation = _sign(client, contract, UPGRADE, django_capture_on_commit_callbacks)

    # Before signing: the pro-rata and the whole new schedule, in French amounts.
    assert "Votre nouvel échéancier" in page
    assert f"20,44{NBSP}€" in page
    assert "Ajustement de l&#x27;avenant jusqu&#x27;au 1er mars 2027 (prorata)" in page
    instalment = format_eur(ScheduleItem.objects.get(contract=contract, due_date=date(2026, 12, 5)).amount)
    for day in ("5 décembre 2026", "5 janvier 2027", "5 février 2027"):
        assert re.search(rf"{day}</td><td>Échéance \(inchangée\)</td><td class=\"amount\">{re.escape(instalment)}", page), day
    assert re.search(r"5 mars 2027</td><td>Échéance au nouveau tarif", page)

    amendment = Amendment.objects.get(contract=contract)
    assert amendment.prorata_amount == Decimal("20.44")
    after = _upcoming(contract)
    in_period = [pk for pk, item in ScheduleItem.objects.in_bulk(list(before)).items()
                 if item.due_date < contract.main_due_date]
    assert len(in_period) == 3
    assert all(after[pk] == before[pk] for pk in in_period)  # not raised a second time
    extra = sum(after.values()) - sum(before.values())
    next_period = sum(after[pk] - before[pk] for pk in before if pk not in in_period)
    assert extra - next_period == Decimal("20.44")  # the period's difference is charged exactly once
    adjustment = ScheduleItem.objects.get(contract=contract, reference=f"PRO-{amendment.number}")
    assert adjustment.amount == Decimal("20.44") and adjustment.due_date == date(2026, 12, 11)

    # What the page showed is what was written.
    shown = re.findall(r"<tr class=\"schedule-\w+\"><td>(\d{1,2}(?:er)? \w+ \d{4})</td><td>.*?</td>"
                       r"<td class=\"amount\">([\d\u202f]+,\d\d)\u00a0€</td></tr>", page)
    written = sorted((day_in_words(i.due_date), f"{i.amount:.2f}".replace(".", ","))
                     for i in ScheduleItem.objects.filter(contract=contract, status="upcoming"))
    assert sorted(shown) == written

    # The confirmation states the same single charge.
    assert f"facturé une seule fois : 20,44{NBSP}€" in confirmation
    assert "restent inchangées" in OutboxMessage.objects.filter(customer=camille, channel="email",
                                                                subject__contains=amendment.number).get().body
    text = " ".join(amendment.document.text.replace(NBSP, " ").split())  # as extracted from the PDF
    assert "Montant dû jusqu'à la prochaine échéance (prorata) : 20,44 €, seul montant" in text
    assert "11 décembre 2026 20,44 €" in text and "Échéance (inchangée) 5 décembre 2026" in text
    assert "Formule Confort Intégrale" in text and "integrale" not in text  # labels, not codes


@freeze_time("2026-12-01 10:00:00+01:00")
def test_switching_monthly_to_annual_leaves_one_prorata_line_then_one_annual_line(
        django_capture_on_commit_callbacks):
    """The issue's case (MRH-2024-000101, monthly -> annual on 1 December, main due date 1 March): before, the
    annual premium 228,63 € was due on 5 Dec, 5 Jan, 5 Feb and 5 Mar. The change is an avenant (L112-3) charged
    pro rata temporis until the main due date: the three monthly instalments left in the period are settled in
    one line with the pro-rata, then one annual instalment at the main due date."""
    from abri.contracts.pricing import contract_choices

    call_command("seed_demo")
    contract = Contract.objects.get(number="MRH-2024-000101")
    assert contract.main_due_date == date(2027, 3, 1) and contract.payment_frequency == "monthly"
    left = ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__lt=date(2027, 3, 1))
    monthly = sum(i.amount for i in left)
    assert left.count() == 3
    client = logged_in_client(contract.customer)
    page, confirmation = _sign(client, contract, {**contract_choices(contract), "payment_frequency": "annual"},
                               django_capture_on_commit_callbacks)
    assert "regroupées en un seul paiement" in page

    amendment = Amendment.objects.get(contract=contract)
    upcoming = list(ScheduleItem.objects.filter(contract=contract, status="upcoming").order_by("due_date"))
    assert [(i.due_date, i.amount) for i in upcoming] == [
        (date(2026, 12, 11), monthly + amendment.prorata_amount),  # one line: the period's balance and pro-rata
        (date(2027, 3, 1), amendment.new_total_annual),  # then the new rhythm: once a year
    ]
    assert amendment.new_total_annual < contract.annual_premium * 2  # sanity: the annual premium, not 12 of them

    payments = client.get("/paiements/").content.decode().replace(NBSP, " ").replace("\u202f", " ")
    assert "Solde jusqu&#x27;au 1er mars 2027 : 3 échéances regroupées et l&#x27;avenant au prorata" in payments
    assert format_eur(monthly + amendment.prorata_amount).replace(NBSP, " ").replace("\u202f", " ") in payments
    assert "Cotisation annuelle — échéance du 1er mars 2027" in payments
    annual = format_eur(amendment.new_total_annual).replace(NBSP, " ").replace("\u202f", " ")
    assert payments.count(annual) == 1  # not billed every month
    dashboard = client.get("/tableau-de-bord/").content.decode().replace(NBSP, " ").replace("\u202f", " ")
    balance = format_eur(monthly + amendment.prorata_amount).replace(NBSP, " ").replace("\u202f", " ")
    assert re.search(rf"11 décembre 2026</strong> — <span class=\"amount\">{re.escape(balance)}</span>", dashboard)
    assert dashboard.count(annual) <= 1  # the annual premium is never due every month


@pytest.mark.parametrize("frequency", ["annual", "half_yearly", "quarterly", "monthly"])
@pytest.mark.parametrize("days_to_due", [1, 45, 200, 364])
def test_amendment_is_charged_once_for_every_payment_frequency(alice, frequency, days_to_due):
    """Avenant, whatever the frequency and the day: the current period's instalments are not repriced, the only
    charge for it is one pro-rata item equal to the price difference to the day."""
    from datetime import timedelta

    from django.utils import timezone

    from abri.contracts.pricing import contract_choices, quote_change
    from abri.contracts.rules import add_months
    from abri.contracts.services import amendment_apply
    from tests.contracts.factories import make_contract

    today = timezone.localdate()
    due = today + timedelta(days=days_to_due)
    contract = make_contract(customer=alice, start_date=add_months(due, -24), main_due_date=due,
                             payment_frequency=frequency)
    current = quote_change(contract=contract, choices=contract_choices(contract)).quote
    step = 12 // current.instalment_count
    for year in (-1, 0):  # this period's instalments (some already paid) and the next period's
        for index, amount in enumerate(current.instalments):
            day = add_months(due, 12 * year + index * step)
            ScheduleItem.objects.create(customer=alice, contract=contract, due_date=day, amount=amount,
                                        status="paid" if day <= today else "upcoming")
    before = _upcoming(contract)
    choices = {**contract_choices(contract), "formula": "integrale", "deductible": "0"}
    result = quote_change(contract=contract, choices=choices)
    amendment = amendment_apply(customer=alice, contract=contract, choices=choices,
                                expected_version=contract.version, idempotency_key=f"{frequency}-{days_to_due}")
    assert amendment.prorata_amount == result.prorata and result.prorata > 0
    after = ScheduleItem.objects.filter(contract=contract, status="upcoming")
    for item in after.filter(due_date__lt=due).exclude(reference__startswith="PRO-"):
        assert item.amount == before[item.pk]  # this period: not repriced
    assert list(after.filter(reference__startswith="PRO-").values_list("amount", flat=True)) == [result.prorata]
    next_period = list(after.filter(due_date__gte=due).exclude(reference__startswith="PRO-").order_by("due_date")
                       .values_list("amount", flat=True))
    assert next_period == list(result.quote.instalments)  # next period: the new price


@pytest.mark.parametrize(("old", "new"), [("annual", "monthly"), ("quarterly", "half_yearly"),
                                          ("half_yearly", "quarterly"), ("monthly", "quarterly")])
def test_every_frequency_change_pays_the_period_once_then_the_new_rhythm(alice, alice_client, old, new):
    """Avenant (L112-3) changing the payment frequency, 100 days before the main due date: paid less often, the
    instalments left in the period are settled in one line with the pro-rata; paid more often, they stay (and keep
    their own rhythm's name on the payments page). From the main due date: the new rhythm at the new price."""
    from datetime import timedelta

    from django.utils import timezone

    from abri.contracts.pricing import contract_choices, quote_change
    from abri.contracts.rules import add_months
    from abri.contracts.services import amendment_apply
    from tests.contracts.factories import make_contract

    today = timezone.localdate()
    due = today + timedelta(days=100)
    contract = make_contract(customer=alice, start_date=add_months(due, -24), main_due_date=due, payment_frequency=old)
    current = quote_change(contract=contract, choices=contract_choices(contract)).quote
    step = 12 // current.instalment_count
    for year in (-1, 0):
        for index, amount in enumerate(current.instalments):
            day = add_months(due, 12 * year + index * step)
            ScheduleItem.objects.create(customer=alice, contract=contract, due_date=day, amount=amount,
                                        status="paid" if day <= today else "upcoming")
    left = list(ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__lt=due))
    choices = {**contract_choices(contract), "payment_frequency": new}
    result = quote_change(contract=contract, choices=choices)
    amendment = amendment_apply(customer=alice, contract=contract, choices=choices, expected_version=contract.version,
                                idempotency_key=f"{old}-{new}")
    upcoming = ScheduleItem.objects.filter(contract=contract, status="upcoming")
    regular_in_period = list(upcoming.filter(due_date__lt=due).exclude(reference__startswith="PRO-"))
    adjustment = list(upcoming.filter(reference__startswith="PRO-").values_list("amount", flat=True))
    fewer = result.quote.instalment_count < current.instalment_count
    if fewer and left:
        assert regular_in_period == [] and adjustment == [sum(i.amount for i in left) + amendment.prorata_amount]
    else:
        assert regular_in_period == left and adjustment == ([amendment.prorata_amount] if amendment.prorata_amount
                                                            else [])
    next_period = list(upcoming.filter(due_date__gte=due).order_by("due_date").values_list("amount", flat=True))
    assert next_period == list(result.quote.instalments) and sum(next_period) == amendment.new_total_annual

    payments = alice_client.get("/paiements/").content.decode()
    if fewer and left:
        assert "regroupées et l&#x27;avenant au prorata" in payments or "échéance et l&#x27;avenant" in payments
    for item in regular_in_period:  # kept, under their own rhythm's name
        old_label = {"half_yearly": "semestrielle", "monthly": "mensuelle", "quarterly": "trimestrielle"}[old]
        assert f"Cotisation {old_label} — échéance du {day_in_words(item.due_date)}" in payments
