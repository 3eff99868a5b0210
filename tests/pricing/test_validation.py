"""Invalid requests raise TariffValidationError with one French message per field; 3+ claims are referred."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from abri.pricing import Referral, TariffValidationError, quote, validate
from tests.pricing.factories import make_request


def errors_of(**overrides) -> dict[str, str]:
    with pytest.raises(TariffValidationError) as caught:
        quote(make_request(**overrides))
    # validate() raises the same errors without pricing.
    with pytest.raises(TariffValidationError) as again:
        validate(make_request(**overrides))
    assert again.value.errors == caught.value.errors
    return caught.value.errors


def test_valid_request_passes_validation_and_names_its_tariff():
    assert validate(make_request()).version == "2026-01"


def test_unknown_formula():
    assert errors_of(formula="gold") == {
        "formula": "Formule inconnue : choisissez Essentielle, Confort ou Intégrale."}


def test_unknown_kind_and_status():
    errors = errors_of(kind="castle", occupant_status="squatter")
    assert errors["kind"] == "Type de logement inconnu : choisissez appartement ou maison."
    assert errors["occupant_status"].startswith("Statut d'occupation inconnu")


@pytest.mark.parametrize("rooms", [0, -2, 31, 100, "3", 2.5, True])
def test_rooms_must_be_between_1_and_30(rooms):
    assert errors_of(rooms=rooms)["rooms"] == "Le nombre de pièces doit être un nombre entier entre 1 et 30."


@pytest.mark.parametrize("surface", [0, -10, 2001, Decimal("NaN"), 40.5])
def test_surface_must_be_plausible(surface):
    assert errors_of(surface_m2=surface)["surface_m2"] == (
        "La surface habitable doit être comprise entre 1 et 2\u202f000 m².")


def test_surface_too_small_for_the_rooms():
    assert "paraît trop petite pour 6 pièces" in errors_of(rooms=6, surface_m2=30)["surface_m2"]


@pytest.mark.parametrize("zone", [0, 6, -1, None])
def test_risk_zone_between_1_and_5(zone):
    assert errors_of(risk_zone=zone)["risk_zone"] == "La zone de risque doit être comprise entre 1 et 5."


def test_apartment_needs_its_floor_but_a_house_does_not():
    assert errors_of(floor=None)["floor"] == "Indiquez l'étage de l'appartement (0 pour le rez-de-chaussée)."
    assert "entre 0 (rez-de-chaussée) et 60" in errors_of(floor=61)["floor"]
    assert "floor" not in _errors_or_empty(kind="house", floor=None)


def _errors_or_empty(**overrides):
    try:
        validate(make_request(**overrides))
    except TariffValidationError as exc:
        return exc.errors
    return {}


@pytest.mark.parametrize("deductible", [Decimal(100), Decimal(-150), 1000, 150.0])
def test_deductible_must_be_one_of_the_tariff(deductible):
    assert errors_of(deductible=deductible)["deductible"] == (
        "Franchise non proposée : choisissez 0\u00a0€, 150\u00a0€, 300\u00a0€ ou 500\u00a0€.")


def test_capitals_must_be_positive_amounts():
    errors = errors_of(contents_capital=Decimal(-1), valuables_capital=Decimal(-5))
    assert errors["contents_capital"] == "Le capital mobilier doit être un montant positif en euros."
    assert errors["valuables_capital"] == "Le capital des objets de valeur doit être un montant positif en euros."
    assert "contents_capital" in errors_of(contents_capital=Decimal("1E+12"))
    assert "contents_capital" in errors_of(contents_capital=5000.0)  # a float is never money
    assert "valuables_capital" in errors_of(options={"valuables"}, valuables_capital=Decimal("1000.001"))


def test_contents_capital_above_the_ceiling_of_the_rooms():
    assert errors_of(contents_capital=Decimal("11000.01"))["contents_capital"] == (
        "Le capital mobilier ne peut dépasser 11\u202f000\u00a0€ pour 2 pièces.")
    assert errors_of(rooms=1, surface_m2=20, contents_capital=Decimal(9000))["contents_capital"] == (
        "Le capital mobilier ne peut dépasser 8\u202f000\u00a0€ pour 1 pièce.")
    assert _errors_or_empty(contents_capital=Decimal(11000)) == {}


def test_valuables_above_the_formula_ceiling_suggest_a_higher_formula():
    message = errors_of(options={"valuables"}, valuables_capital=Decimal(6000))["valuables_capital"]
    assert message == ("Les objets de valeur sont assurés jusqu'à 5\u202f000\u00a0€ avec la formule Confort : "
                       "choisissez la formule Intégrale (jusqu'à 15\u202f000\u00a0€) ou déclarez un capital plus bas.")
    message = errors_of(formula="integrale", options={"valuables"},
                        valuables_capital=Decimal(20000))["valuables_capital"]
    assert "un conseiller peut étudier une garantie spécifique" in message


def test_valuables_capital_and_option_go_together():
    assert errors_of(valuables_capital=Decimal(1000))["valuables_capital"] == (
        "Ajoutez l'option « Objets de valeur » pour assurer ce capital.")
    assert errors_of(options={"valuables"})["valuables_capital"] == (
        "Indiquez la valeur de vos objets de valeur pour l'option « Objets de valeur ».")


def test_new_for_old_needs_confort_or_above():
    assert errors_of(formula="essentielle", options={"new_for_old"})["options"] == (
        "L'option « Rééquipement à neuf » n'est pas proposée avec la formule Essentielle : "
        "choisissez la formule Confort.")


def test_option_already_included_in_the_formula():
    assert errors_of(formula="integrale", options={"legal"})["options"] == (
        "« Protection juridique » est déjà comprise dans la formule Intégrale.")


def test_pool_and_garden_options_need_a_pool_and_a_garden():
    assert errors_of(options={"pool"})["options"] == "L'option « Piscine » suppose que le logement a une piscine."
    assert errors_of(options={"garden"})["options"] == "L'option « Jardin » suppose que le logement a un jardin."
    assert _errors_or_empty(options={"pool", "garden"}, has_pool=True, has_garden=True) == {}


def test_outbuildings_option_is_for_outbuildings_over_50_m2():
    assert errors_of(options={"outbuildings"}, outbuildings_m2=50)["options"] == (
        "Des dépendances de 50 m² ou moins sont couvertes sans l'option « Dépendances de plus de 50 m² ».")
    assert "outbuildings_m2" in errors_of(outbuildings_m2=-3)


def test_unknown_options_and_several_option_errors_in_one_message():
    message = errors_of(formula="essentielle", options=["zzz", "new_for_old", "pool"])["options"]
    assert message.startswith("Option inconnue : zzz.")
    assert "Rééquipement à neuf" in message and "piscine" in message


def test_claims_must_be_a_plausible_count():
    assert errors_of(claims_36_months=-1)["claims_36_months"] == (
        "Indiquez le nombre de sinistres des 36 derniers mois (0 ou plus).")
    assert "paraît impossible" in errors_of(claims_36_months=51)["claims_36_months"]


def test_unknown_payment_frequency():
    assert errors_of(payment_frequency="weekly")["payment_frequency"] == (
        "Fréquence de paiement inconnue : choisissez annuelle, semestrielle, trimestrielle ou mensuelle.")


def test_effective_date_without_a_tariff_in_force():
    assert errors_of(effective_date=date(2025, 6, 30)) == {"effective_date": (
        "Aucun tarif n'est en vigueur au 30/06/2025 : choisissez une date d'effet plus récente.")}
    assert errors_of(effective_date="2026-03-01") == {"effective_date": "Indiquez une date d'effet valide."}
    assert errors_of(effective_date=datetime(2026, 3, 1, 12, 0)) == {
        "effective_date": "Indiquez une date d'effet valide."}


def test_every_invalid_field_is_reported_at_once():
    errors = errors_of(formula="gold", rooms=0, surface_m2=0, risk_zone=9, payment_frequency="x",
                       claims_36_months=-1, contents_capital=Decimal(-1))
    assert set(errors) == {"formula", "rooms", "surface_m2", "risk_zone", "payment_frequency", "claims_36_months",
                           "contents_capital"}


def test_validation_error_is_a_value_error_naming_the_fields():
    with pytest.raises(ValueError, match="rooms: Le nombre de pièces"):
        quote(make_request(rooms=0))


@pytest.mark.parametrize("claims", [3, 4, 10])
def test_three_claims_or_more_are_referred_to_an_advisor(claims):
    result = quote(make_request(claims_36_months=claims))
    assert isinstance(result, Referral)
    assert result.code == "claims_history"
    assert "à étudier par un conseiller" in result.reason
    assert f"{claims} sinistres déclarés au cours des 36 derniers mois" in result.reason
    assert result.tariff_version == "2026-01"


def test_invalid_request_with_many_claims_is_still_a_validation_error():
    assert "rooms" in errors_of(rooms=0, claims_36_months=5)
