"""Owners insure the building at rebuild value; liability sub-limits and legal deductibles as stated."""

import html
import re
from decimal import Decimal

import pytest

from tests.contracts.factories import PropertyFactory, make_contract

pytestmark = pytest.mark.django_db


def plain(response) -> str:
    """The page's text as a person reads it: tags removed, spaces (and French no-break spaces) collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text).replace("\u202f", " ").replace("\u00a0", " "))


def owner_house(customer, **fields):
    home = PropertyFactory(customer=customer, kind="house", occupant_status="owner", rooms=5, surface_m2=110,
                           floor=None, **fields)
    return make_contract(customer=customer, property=home, formula="integrale", deductible=Decimal("0"))


def test_owner_house_fire_cover_includes_the_building_at_rebuild_value(alice, alice_client):
    """A 110 m² house showed fire cover of 20 000 € (the contents ceiling): the building is insured too."""
    contract = owner_house(alice)
    assert contract.building_capital == Decimal("209000")  # 110 m² × 1 900 €/m² (tariff calibration)
    ceilings = {g.code: g.ceiling for g in contract.guarantees.all()}
    for code in ("fire", "water", "storm", "theft"):
        assert ceilings[code] == Decimal("229000"), code  # building + contents ceiling of 5 rooms (20 000 €)

    page = plain(alice_client.get(f"/contrats/{contract.number}/"))
    assert "Capital bâtiment 209 000,00 € en valeur de reconstruction à neuf" in page
    assert "Incendie et explosion 229 000,00 €" in page


@pytest.mark.parametrize("status", ["owner", "pno"])
def test_co_owner_and_non_occupying_owner_insure_the_building(alice, status):
    home = PropertyFactory(customer=alice, kind="apartment", occupant_status=status, rooms=3, surface_m2=60)
    contract = make_contract(customer=alice, property=home)
    assert contract.building_capital == Decimal(60 * 1700)


def test_declared_building_capital_is_kept(alice):
    home = PropertyFactory(customer=alice, kind="house", occupant_status="owner", rooms=5, surface_m2=110, floor=None)
    contract = make_contract(customer=alice, property=home, building_capital=Decimal("250000"))
    assert contract.building_capital == Decimal("250000")
    assert contract.guarantees.get(code="fire").ceiling == Decimal("270000")


def test_tenant_insures_no_building(alice_contract, alice_client):
    assert alice_contract.building_capital == 0
    assert alice_contract.guarantees.get(code="fire").ceiling == Decimal("14000")  # contents ceiling, 3 rooms
    assert "Capital bâtiment" not in plain(alice_client.get(f"/contrats/{alice_contract.number}/"))


def test_liability_sub_limits_are_stored_and_printed_on_the_contract_page(alice_contract, alice_client):
    """The conditions state 10 M€ for bodily injury and 1.5 M€ for property damage."""
    liability = alice_contract.guarantees.get(code="liability")
    assert liability.sub_limits == {"bodily": "10000000", "material": "1500000"}
    page = plain(alice_client.get(f"/contrats/{alice_contract.number}/"))
    assert "dont dommages corporels : 10 000 000,00 €" in page
    assert "dont dommages matériels et immatériels : 1 500 000,00 €" in page
    conditions = plain(alice_client.get(f"/contrats/{alice_contract.number}/conditions/"))
    assert "dont dommages matériels et immatériels : 1 500 000,00 €" in conditions


def test_technological_catastrophe_has_no_deductible(alice_contract):
    """L128-2: technological catastrophes are compensated in full (réparation intégrale), no deductible."""
    assert alice_contract.deductible == Decimal("150")
    assert alice_contract.guarantees.get(code="techcat").deductible == Decimal("0")
    assert alice_contract.guarantees.get(code="natcat").deductible == Decimal("380")  # A125-1 annex I


def test_owner_premium_prices_the_declared_building_capital(alice):
    from abri.contracts.pricing import contract_choices, quote_change

    home = PropertyFactory(customer=alice, kind="house", occupant_status="owner", rooms=5, surface_m2=110, floor=None)
    computed = make_contract(customer=alice, property=home)
    home2 = PropertyFactory(customer=alice, kind="house", occupant_status="owner", rooms=5, surface_m2=110,
                            floor=None)
    higher = make_contract(customer=alice, property=home2, building_capital=Decimal("300000"))
    price = {c.pk: quote_change(contract=c, choices=contract_choices(c), claims=0).quote for c in (computed, higher)}
    assert price[computed.pk].building_capital == Decimal("209000")
    assert price[higher.pk].building_capital == Decimal("300000")
    assert price[higher.pk].total_annual > price[computed.pk].total_annual


def test_price_detail_names_the_fgti_contribution(alice, alice_client, alice_contract):
    """The per-contract contribution is the terrorism fund's (FGTI), shown in the price detail."""
    page = plain(alice_client.get(f"/contrats/{alice_contract.number}/modifier/",
                                  {"formula": "confort", "deductible": "150", "payment_frequency": "annual",
                                   "contents_capital": "", "valuables_capital": "0"},
                                  HTTP_HX_REQUEST="true"))
    assert "+ Contribution attentats (FGTI, par contrat et par an) 6,50 €" in page
