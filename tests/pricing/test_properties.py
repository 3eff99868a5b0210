"""Properties that hold for every valid request (hypothesis)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abri.pricing import Quote, QuoteRequest, quote, tariff_in_force

TARIFF = tariff_in_force(date(2026, 6, 1))
FREQUENCIES = ["annual", "half_yearly", "quarterly", "monthly"]
DEDUCTIBLES = [Decimal(0), Decimal(150), Decimal(300), Decimal(500)]
# The autouse fixtures of tests/conftest.py (Django settings) do not matter to the pure engine.
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def cents(low: int, high: int):
    return st.integers(low * 100, high * 100).map(lambda c: Decimal(c).scaleb(-2))


PRICED_CLAIMS = st.integers(0, 2)


@st.composite
def requests(draw, claims=PRICED_CLAIMS) -> QuoteRequest:
    """A valid request: options consistent with the formula and the home."""
    kind = draw(st.sampled_from(["apartment", "house"]))
    formula = draw(st.sampled_from(list(TARIFF.formulas)))
    rooms = draw(st.integers(1, 30))
    offered = sorted(code for code, option in TARIFF.options.items() if formula in option.available_in)
    options = draw(st.sets(st.sampled_from(offered)))
    ceiling = TARIFF.formulas[formula].valuables_ceiling
    return QuoteRequest(
        kind=kind, occupant_status=draw(st.sampled_from(["tenant", "owner", "pno"])), rooms=rooms,
        surface_m2=draw(st.integers(7 * rooms, 2000)), risk_zone=draw(st.integers(1, 5)), formula=formula,
        effective_date=draw(st.dates(date(2026, 1, 1), date(2030, 12, 31))),
        floor=draw(st.integers(0, 60)) if kind == "apartment" else None, options=options,
        contents_capital=draw(st.none() | cents(0, int(TARIFF.contents_ceiling(rooms)))),
        valuables_capital=draw(cents(1, int(ceiling))) if "valuables" in options else Decimal(0),
        deductible=draw(st.none() | st.sampled_from(DEDUCTIBLES)), claims_36_months=draw(claims),
        payment_frequency=draw(st.sampled_from(FREQUENCIES)),
        has_garden="garden" in options or draw(st.booleans()), has_pool="pool" in options or draw(st.booleans()),
        outbuildings_m2=draw(st.integers(51, 300)) if "outbuildings" in options else draw(st.integers(0, 300)))


def total(request: QuoteRequest) -> Decimal:
    result = quote(request)
    assert isinstance(result, Quote)
    return result.total_annual


@SETTINGS
@given(requests(), st.data())
def test_more_capital_never_costs_less(request, data):
    ceiling = TARIFF.contents_ceiling(request.rooms)
    low, high = sorted(data.draw(st.lists(cents(0, int(ceiling)), min_size=2, max_size=2)))
    assert total(replace(request, contents_capital=low)) <= total(replace(request, contents_capital=high))
    assert total(replace(request, contents_capital=high)) <= total(replace(request, contents_capital=None))
    if "valuables" in request.options:
        more = data.draw(cents(0, int(TARIFF.formulas[request.formula].valuables_ceiling)))
        if more > request.valuables_capital:
            assert total(request) <= total(replace(request, valuables_capital=more))


@SETTINGS
@given(requests())
def test_a_higher_deductible_never_costs_more(request):
    totals = [total(replace(request, deductible=deductible)) for deductible in DEDUCTIBLES]
    assert totals == sorted(totals, reverse=True)


@SETTINGS
@given(requests())
def test_removing_an_option_never_costs_more_and_removing_the_alarm_never_less(request):
    for code in request.options:
        without = replace(request, options=request.options - {code},
                          valuables_capital=Decimal(0) if code == "valuables" else request.valuables_capital)
        if TARIFF.options[code].pricing == "factor":  # a discount: monitored alarm
            assert total(without) >= total(request)
        else:
            assert total(without) <= total(request)


@SETTINGS
@given(requests())
def test_more_claims_or_a_riskier_zone_never_cost_less(request):
    assert total(replace(request, claims_36_months=0)) <= total(replace(request, claims_36_months=1)) \
        <= total(replace(request, claims_36_months=2))
    zones = [total(replace(request, risk_zone=zone)) for zone in range(1, 6)]
    assert zones == sorted(zones)


@SETTINGS
@given(requests())
def test_breakdown_always_sums_to_the_totals(request):
    result = quote(request)
    assert sum(line.net_premium for line in result.lines) == result.net_premium
    assert sum(line.catnat_surcharge for line in result.lines) == result.catnat_surcharge
    assert sum(line.insurance_tax for line in result.lines) == result.insurance_tax
    assert sum(line.instalment_surcharge for line in result.lines) == result.instalment_surcharge
    assert sum(line.total for line in result.lines) + result.terrorism_contribution == result.total_annual
    assert result.total_annual == (result.net_premium + result.catnat_surcharge + result.insurance_tax
                                   + result.terrorism_contribution + result.instalment_surcharge)
    assert sum(result.instalments) == result.total_annual
    assert all(value >= 0 for line in result.lines for value in line[2:])
    assert 0 <= result.first_instalment_amount - result.instalment_amount < Decimal("0.01") * result.instalment_count


@SETTINGS
@given(requests())
def test_net_premium_is_the_exact_premium_rounded_once(request):
    # Independent recomputation with fractions from the factors the quote reports.
    result = quote(request)
    exact = Fraction(1)
    for _, factor in result.factors:
        exact *= Fraction(factor)
    for code in request.options:
        option = TARIFF.options[code]
        if option.pricing == "flat":
            exact_option = Fraction(option.amount)
        elif option.pricing == "per_thousand":
            exact_option = Fraction(option.amount) * Fraction(request.valuables_capital) / 1000
        elif option.pricing == "percent":
            product = Fraction(1)
            for _, factor in result.factors:
                product *= Fraction(factor)
            exact_option = Fraction(option.amount) * product
        else:
            continue
        exact += exact_option
    exact_cents = exact * 100
    rounded = exact_cents.numerator // exact_cents.denominator
    if exact_cents - rounded >= Fraction(1, 2):
        rounded += 1
    assert result.net_premium == Decimal(rounded).scaleb(-2)


@SETTINGS
@given(requests())
def test_same_input_same_output(request):
    again = replace(request, options=frozenset(sorted(request.options, reverse=True)))
    assert quote(request) == quote(request) == quote(again)


@SETTINGS
@given(requests())
def test_paying_in_instalments_never_costs_less_than_annually(request):
    totals = [total(replace(request, payment_frequency=frequency)) for frequency in FREQUENCIES]
    assert totals == sorted(totals)
    assert totals[-1] >= totals[0]


@SETTINGS
@given(requests(claims=st.integers(3, 50)))
def test_three_claims_or_more_never_get_a_price(request):
    assert not isinstance(quote(request), Quote)
