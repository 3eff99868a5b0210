from datetime import date
from decimal import Decimal

import pytest

from abri.claims.rules import (
    SettlementItem,
    add_working_days,
    compute_settlement,
    declaration_deadline,
    french_public_holidays,
    irsi_tranche,
)


def test_french_holidays_include_easter_monday_and_ascension():
    holidays = french_public_holidays(2026)
    assert date(2026, 4, 6) in holidays  # Easter Monday 2026
    assert date(2026, 5, 14) in holidays  # Ascension 2026
    assert date(2026, 7, 14) in holidays
    assert len(holidays) == 11


def test_working_days_skip_weekends_and_holidays():
    # Friday 8 May 2026 is a holiday; Thursday 7 May + 2 working days = Tuesday 12 May.
    assert add_working_days(date(2026, 5, 7), 2) == date(2026, 5, 12)
    assert add_working_days(date(2026, 11, 20), 5) == date(2026, 11, 27)


def test_deadlines_by_event():
    assert declaration_deadline(event="water", learned_on=date(2026, 11, 20)).due == date(2026, 11, 27)
    assert declaration_deadline(event="theft", learned_on=date(2026, 11, 20)).due == date(2026, 11, 24)
    natcat = declaration_deadline(event="natcat", learned_on=date(2026, 10, 1), natcat_decree_on=date(2026, 11, 2))
    assert natcat.due == date(2026, 12, 2)
    assert declaration_deadline(event="natcat", learned_on=date(2026, 10, 1)).due is None


def test_vandalism_has_five_working_days_only_theft_has_two_l113_2():
    """L113-2 4°: 5 working days in general; the 2-day deadline is for theft alone, not vandalism."""
    friday = date(2026, 11, 20)
    assert declaration_deadline(event="vandalism", learned_on=friday).due == date(2026, 11, 27)
    assert declaration_deadline(event="theft", learned_on=friday).due == date(2026, 11, 24)
    assert "5 jours ouvrés" in declaration_deadline(event="vandalism", learned_on=friday).rule


@pytest.mark.parametrize("event", ["water", "fire", "storm", "glass", "electrical", "vandalism", "theft", "other"])
def test_declaration_deadline_runs_from_the_day_the_loss_was_learned_l113_2(event):
    """L113-2 4°: the deadline runs « à partir du jour où [l'assuré] en a eu connaissance », not from the event."""
    learned = date(2026, 8, 24)  # back from holidays: the leak happened on 1 August
    days = 2 if event == "theft" else 5
    assert declaration_deadline(event=event, learned_on=learned).due == add_working_days(learned, days)


def test_settlement_applies_wear_deductible_and_cap():
    items = [
        SettlementItem("Canapé", "furniture", Decimal("1000"), Decimal("3")),  # 30 % wear
        SettlementItem("Ordinateur", "electronics", Decimal("1200"), Decimal("5")),  # 125 % -> capped 80 %
    ]
    s = compute_settlement(items=items, deductible=Decimal("150"), ceiling=None, new_for_old_covered=False)
    assert s.lines[0].wear_amount == Decimal("300.00")
    assert s.lines[1].wear_amount == Decimal("960.00")
    assert s.indemnity == Decimal("790.00")  # 700 + 240 - 150


def test_new_for_old_pays_wear_back_on_invoice_only():
    items = [
        SettlementItem("Télévision", "electronics", Decimal("800"), Decimal("2"), has_invoice_for_new=True),
        SettlementItem("Table", "furniture", Decimal("500"), Decimal("4")),
    ]
    s = compute_settlement(items=items, deductible=Decimal("0"), ceiling=None, new_for_old_covered=True)
    assert s.new_for_old_refund == Decimal("400.00")
    assert s.deferred_new_for_old == Decimal("200.00")
    assert s.indemnity == Decimal("1100.00")  # 800 + 300


def test_under_insurance_ratio_and_ceiling():
    items = [SettlementItem("Mobilier", "furniture", Decimal("10000"), Decimal("0"))]
    s = compute_settlement(items=items, deductible=Decimal("150"), ceiling=Decimal("6000"), new_for_old_covered=False,
                           declared_capital=Decimal("15000"), required_capital=Decimal("20000"))
    assert s.under_insurance_ratio == Decimal("0.7500")
    assert s.under_insurance_reduction == Decimal("2500.00")
    assert s.ceiling_reduction == Decimal("1350.00")
    assert s.indemnity == Decimal("6000.00")


def test_never_negative_and_irsi_tranches():
    items = [SettlementItem("Vitre", "building", Decimal("100"), Decimal("0"))]
    s = compute_settlement(items=items, deductible=Decimal("150"), ceiling=None, new_for_old_covered=False, event="water",
                           several_insurers=True)
    assert s.indemnity == Decimal("0.00")
    assert s.irsi_tranche.startswith("Tranche 1")
    assert irsi_tranche(Decimal("3000")).startswith("Tranche 2")
    assert irsi_tranche(Decimal("9000")).startswith("Au-delà")
