"""formula_coverage(): what each formula covers, for the comparison page."""

from datetime import date
from decimal import Decimal

from abri.pricing import formula_coverage, tariff_in_force

TARIFF = tariff_in_force(date(2026, 6, 1))


def by_code():
    return {formula.code: formula for formula in formula_coverage(TARIFF)}


def test_formulas_in_order_with_ceilings_and_default_deductibles():
    formulas = formula_coverage(TARIFF)
    assert [(f.code, f.label, f.valuables_ceiling, f.default_deductible) for f in formulas] == [
        ("essentielle", "Essentielle", Decimal(2000), Decimal(150)),
        ("confort", "Confort", Decimal(5000), Decimal(150)),
        ("integrale", "Intégrale", Decimal(15000), Decimal(0)),
    ]


def test_legal_guarantees_are_in_every_formula():
    for formula in formula_coverage(TARIFF):
        for code in ("fire", "storm", "natcat", "techcat", "terrorism", "liability", "tenant_liability", "water"):
            assert formula.status_of(code) == "included"


def test_confort_adds_theft_glass_electrical_and_integrale_assistance_legal_new_for_old():
    formulas = by_code()
    for code in ("theft", "glass", "electrical"):
        assert formulas["essentielle"].status_of(code) == "unavailable"
        assert formulas["confort"].status_of(code) == "included"
    for code in ("assistance", "legal", "new_for_old"):
        assert formulas["integrale"].status_of(code) == "included"
    assert formulas["confort"].status_of("new_for_old") == "option"
    assert formulas["essentielle"].status_of("new_for_old") == "unavailable"
    assert formulas["essentielle"].status_of("legal") == "option"


def test_options_carry_their_price_and_ceilings_their_amount():
    confort = by_code()["confort"]
    garden = next(item for item in confort.items if item.code == "garden")
    assert [(o.code, o.amount) for o in garden.options] == [("garden", Decimal(25)), ("pool", Decimal(40))]
    valuables = next(item for item in confort.items if item.code == "valuables")
    assert valuables.ceiling == Decimal(5000)
    liability = next(item for item in confort.items if item.code == "liability")
    assert liability.ceiling == Decimal(10_000_000)
    tenant = next(item for item in confort.items if item.code == "tenant_liability")
    assert tenant.only_for == ("tenant",)
    assert [d.code for d in confort.discounts] == ["alarm"]


def test_default_tariff_is_the_one_in_force_today():
    assert [f.code for f in formula_coverage()] == ["essentielle", "confort", "integrale"]
