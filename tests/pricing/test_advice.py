"""advise(): French advice from the profile."""

from decimal import Decimal

from abri.pricing import advise, quote
from tests.pricing.factories import make_request


def advice_containing(advice: list[str], text: str) -> list[str]:
    return [item for item in advice if text in item]


def test_valuables_above_the_formula_ceiling_suggest_integrale():
    advice = advise(make_request(options={"valuables"}, valuables_capital=Decimal(8000)))
    assert advice_containing(advice, "Vos objets de valeur (8\u202f000\u00a0€) dépassent le plafond de la formule "
                                     "Confort (5\u202f000\u00a0€) : la formule Intégrale les couvre jusqu'à "
                                     "15\u202f000\u00a0€.")


def test_valuables_above_every_ceiling_suggest_an_advisor():
    advice = advise(make_request(formula="integrale", options={"valuables"}, valuables_capital=Decimal(40000)))
    assert advice_containing(advice, "un conseiller peut étudier une garantie adaptée")


def test_valuables_without_the_option():
    assert advice_containing(advise(make_request(valuables_capital=Decimal(1000))),
                             "ajoutez l'option « Objets de valeur » (3\u00a0€ par an pour 1\u202f000\u00a0€ assurés)")


def test_ground_floor_without_alarm_suggests_the_alarm_discount():
    advice = advise(make_request(floor=0))
    assert advice_containing(advice, "Au rez-de-chaussée") == [
        "Au rez-de-chaussée, le risque de cambriolage est plus élevé : une alarme télésurveillée vous protège et "
        "réduit votre cotisation (−7\u00a0% sur la cotisation)."]
    assert not advice_containing(advise(make_request(floor=0, options={"alarm"})), "alarme")
    assert not advice_containing(advise(make_request(floor=3)), "alarme")


def test_tenant_without_legal_protection():
    assert advice_containing(advise(make_request()), "Locataire, la protection juridique")
    assert not advice_containing(advise(make_request(options={"legal"})), "protection juridique")
    assert not advice_containing(advise(make_request(formula="integrale")), "protection juridique")
    assert not advice_containing(advise(make_request(occupant_status="owner")), "Locataire")


def test_low_contents_capital_warns_of_underinsurance():
    advice = advise(make_request(contents_capital=Decimal(3000)))
    assert advice_containing(advice, "règle proportionnelle")
    assert not advice_containing(advise(make_request(contents_capital=Decimal(9000))), "règle proportionnelle")


def test_pool_garden_and_large_outbuildings_without_their_option():
    advice = advise(make_request(kind="house", floor=None, has_pool=True, has_garden=True, outbuildings_m2=80))
    assert advice_containing(advice, "Votre logement a une piscine : l'option « Piscine » (40\u00a0€ par an)")
    assert advice_containing(advice, "Votre logement a un jardin")
    assert advice_containing(advice, "Vos dépendances dépassent 50 m²")


def test_options_that_cost_more_than_integrale_suggest_integrale():
    request = make_request(options={"legal", "assistance", "new_for_old"}, deductible=Decimal(0))
    current = quote(request).total_annual
    integrale = quote(make_request(formula="integrale")).total_annual
    assert integrale < current
    assert advice_containing(advise(request), f"la formule Intégrale vous couvrirait davantage pour "
                                              f"{str(integrale).replace('.', ',')}\u00a0€ par an")


def test_instalments_show_what_annual_payment_saves():
    monthly = quote(make_request(payment_frequency="monthly")).total_annual
    annual = quote(make_request()).total_annual
    saving = str(monthly - annual).replace(".", ",")
    assert advice_containing(advise(make_request(payment_frequency="monthly")),
                             f"En payant en une fois par an, vous économiseriez {saving}\u00a0€")
    assert not advice_containing(advise(make_request()), "En payant en une fois")


def test_no_recent_claim_suggests_a_higher_deductible():
    assert advice_containing(advise(make_request()), "une franchise de 300\u00a0€ réduirait votre cotisation")
    assert not advice_containing(advise(make_request(claims_36_months=1)), "franchise")


def test_advice_never_fails_on_invalid_input():
    assert isinstance(advise(make_request(rooms=0, formula="gold", risk_zone=9, effective_date="hier")), list)
    assert isinstance(advise(make_request(claims_36_months=5)), list)
