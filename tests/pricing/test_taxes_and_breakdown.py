"""Taxes, instalment surcharge, instalments and the per-guarantee breakdown, to the cent."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from abri.pricing import quote, tariff_in_force
from abri.pricing.engine import _allocate
from tests.pricing.factories import EFFECTIVE, make_request


def line(result, code):
    return next(item for item in result.lines if item.code == code)


def test_reference_quote_taxes_and_total():
    result = quote(make_request())
    # Property damage = 82 % of 95 € (everything but liabilities): Cat Nat 20 % of 77,90 €.
    assert result.catnat_surcharge == Decimal("15.58")
    # TSCA: 30 % of the fire part with the tenant's liability (19 € + 9,50 €) + 9 % of the other 66,50 €
    # = 8,55 + 5,985 = 14,535 €, rounded once.
    assert result.insurance_tax == Decimal("14.54")
    assert result.terrorism_contribution == Decimal("6.50")
    assert result.instalment_surcharge == Decimal("0.00")
    assert result.total_annual == Decimal("131.62")
    assert result.taxes == Decimal("15.58") + Decimal("14.54") + Decimal("6.50")


def test_catnat_surcharge_only_on_property_damage():
    result = quote(make_request(options={"legal", "assistance"}))
    for code in ("liability", "tenant_liability", "legal", "assistance"):
        assert line(result, code).catnat_surcharge == Decimal("0.00")
    assert line(result, "water").catnat_surcharge == line(result, "water").net_premium * Decimal("0.2")
    assert result.catnat_surcharge == Decimal("15.58")  # unchanged by legal protection and assistance


def test_fire_part_is_taxed_at_30_percent():
    """CGI art. 1001: the fire part of a home contract bears 30 %."""
    result = quote(make_request())
    assert line(result, "fire").net_premium == Decimal("19.00")
    assert line(result, "fire").insurance_tax == Decimal("5.70")


def test_tenant_liability_is_taxed_with_fire_at_30_percent():
    """CGI art. 1001: the tenant's liability (risques locatifs) is taxed with fire, 30 %, not at 9 %."""
    result = quote(make_request())
    tenant = line(result, "tenant_liability")
    assert tenant.net_premium == Decimal("9.50")
    assert tenant.insurance_tax == Decimal("2.85")


def test_legal_protection_taxed_at_13_4_percent():
    """CGI art. 991 and 1001: legal protection bears 13.4 % (9 % only when its own conditions are met)."""
    result = quote(make_request(options={"legal"}))
    assert line(result, "legal").net_premium == Decimal("35.00")
    assert line(result, "legal").insurance_tax == Decimal("4.69")


def test_other_guarantees_are_taxed_at_9_percent():
    """CGI art. 1001: every other guarantee of the home contract (water, storm, liability…) bears 9 %."""
    result = quote(make_request())
    # 9 % of 28,50 € is 2,565 €: the line gets 2,56 € or 2,57 € depending on the cents left to share.
    for code in ("water", "storm", "liability", "theft"):
        item = line(result, code)
        assert abs(item.insurance_tax - item.net_premium * Decimal("0.09")) < Decimal("0.01"), code


def test_tax_classes_are_data_of_the_tariff_file():
    t = tariff_in_force(EFFECTIVE)
    assert {g.code: g.tax_class for g in t.guarantees.values() if g.tax_class != "other"} == {
        "fire": "fire", "tenant_liability": "fire", "legal": "legal_protection"}


def test_terrorism_contribution_is_per_contract_whatever_the_premium():
    small = quote(make_request(formula="essentielle", risk_zone=1))
    large = quote(make_request(kind="house", occupant_status="owner", floor=None, rooms=8, surface_m2=200,
                               formula="integrale", risk_zone=5))
    assert small.terrorism_contribution == large.terrorism_contribution == Decimal("6.50")


@pytest.mark.parametrize(("frequency", "count", "rate"), [("annual", 1, "0"), ("half_yearly", 2, "0.01"),
                                                          ("quarterly", 4, "0.02"), ("monthly", 12, "0.03")])
def test_instalment_surcharge_and_count(frequency, count, rate):
    result = quote(make_request(payment_frequency=frequency))
    # On the net premium (95 €), not on the taxes nor on the FGTI contribution.
    assert result.instalment_surcharge == (Decimal("95") * Decimal(rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert result.instalment_count == count
    assert len(result.instalments) == count
    assert sum(result.instalments) == result.total_annual
    assert result.first_instalment_amount - result.instalment_amount < Decimal("0.01") * count


def test_instalment_surcharge_is_in_the_taxable_base():
    """CGI art. 991: the tax is due on the premium and its accessories, the instalment surcharge included."""
    annual = quote(make_request())
    monthly = quote(make_request(payment_frequency="monthly"))
    # 14,535 € of tax on 95 €; monthly, on 95 + 2,85 €: 14,535 × 1.03 = 14,971 €.
    assert monthly.instalment_surcharge == Decimal("2.85")
    assert monthly.insurance_tax == Decimal("14.97") > annual.insurance_tax
    assert line(monthly, "fire").insurance_tax == Decimal("5.87")  # 30 % of 19 + 0,57


def test_monthly_instalments_of_the_reference_quote():
    result = quote(make_request(payment_frequency="monthly"))
    assert result.instalment_surcharge == Decimal("2.85")
    assert result.total_annual == Decimal("134.90")
    assert result.instalment_amount == Decimal("11.24")
    assert result.first_instalment_amount == Decimal("11.26")


def test_breakdown_columns_sum_to_the_totals():
    result = quote(make_request(kind="house", occupant_status="owner", floor=None, rooms=5, surface_m2=130,
                                risk_zone=4, options={"garden", "pool", "valuables", "legal", "alarm"},
                                has_garden=True, has_pool=True, valuables_capital=Decimal("3333.33"),
                                payment_frequency="monthly", claims_36_months=1))
    assert sum(item.net_premium for item in result.lines) == result.net_premium
    assert sum(item.catnat_surcharge for item in result.lines) == result.catnat_surcharge
    assert sum(item.insurance_tax for item in result.lines) == result.insurance_tax
    assert sum(item.instalment_surcharge for item in result.lines) == result.instalment_surcharge
    assert sum(item.total for item in result.lines) + result.terrorism_contribution == result.total_annual
    for item in result.lines:
        assert item.total == item.net_premium + item.catnat_surcharge + item.insurance_tax + item.instalment_surcharge
    # Garden and pool are one guarantee « Jardin et piscine »: 25 + 40 €.
    assert line(result, "garden").net_premium == Decimal("65.00")


def test_totals_are_rounded_once_from_the_exact_amounts():
    # Owner apartment, 3 rooms, zone 2, Essentielle: 150 × 1.12 × 0.9 × 0.75 = 113,40 € split into lines whose
    # exact amounts have fractions of a cent; the rounded lines must still add up to the rounded exact total.
    result = quote(make_request(occupant_status="owner", rooms=3, surface_m2=60, risk_zone=2,
                                formula="essentielle", payment_frequency="quarterly"))
    exact_net = Fraction(150) * Fraction("1.12") * Fraction("0.9") * Fraction("0.75")
    assert result.net_premium == Decimal("113.40") == Decimal(float(exact_net)).quantize(Decimal("0.01"))
    t = tariff_in_force(EFFECTIVE)
    weights = {code: Fraction(t.guarantees[code].weight) for code in ("fire", "storm", "techcat", "liability",
                                                                    "water")}
    total_weight = sum(weights.values())
    exact_tax = sum(exact_net * w / total_weight * Fraction(t.insurance_tax[t.guarantees[code].tax_class])
                    for code, w in weights.items())
    exact_catnat = sum(exact_net * w / total_weight * Fraction("0.2") for code, w in weights.items()
                       if t.guarantees[code].property_damage)
    assert result.insurance_tax == _round(exact_tax * Fraction("1.02"))  # the surcharge is taxed too
    assert result.catnat_surcharge == _round(exact_catnat)
    assert sum(item.insurance_tax for item in result.lines) == result.insurance_tax
    assert result.instalment_surcharge == _round(exact_net * Fraction("0.02"))


def _round(value: Fraction) -> Decimal:
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2)


def test_largest_remainder_gives_the_missing_cents_to_the_largest_fractions():
    # Three lines of 1/3 cent... scaled: amounts 0.40, 0.35, 0.25 cents (quotient 100) total 1 cent.
    assert _allocate([40, 35, 25], 100) == [1, 0, 0]
    # 3 × 33,333… = 100 → the first two of equal remainders get the cents.
    assert _allocate([10, 10, 10], 3) == [4, 3, 3]
    # Total 1,5 cents rounds half up to 2.
    assert _allocate([75, 75], 100) == [1, 1]
    assert _allocate([0, 0], 7) == [0, 0]


def test_every_amount_has_two_decimal_places():
    result = quote(make_request(options={"valuables"}, valuables_capital=Decimal("1234.56"),
                                payment_frequency="monthly"))
    amounts = [result.net_premium, result.catnat_surcharge, result.insurance_tax, result.terrorism_contribution,
               result.instalment_surcharge, result.total_annual, result.instalment_amount,
               result.first_instalment_amount]
    amounts += [value for item in result.lines for value in item[2:]]
    assert all(isinstance(value, Decimal) and value.as_tuple().exponent == -2 for value in amounts)


def test_quote_names_the_tariff_version_and_covered_guarantees():
    result = quote(make_request(options={"valuables"}, valuables_capital=Decimal(1000)))
    assert result.tariff_version == "2026-01"
    assert "natcat" in result.covered and "terrorism" in result.covered and "tenant_liability" in result.covered
    assert "valuables" in result.covered
    assert "tenant_liability" not in quote(make_request(occupant_status="owner")).covered
    assert dict(result.factors)["zone"] == Decimal("1.00")
