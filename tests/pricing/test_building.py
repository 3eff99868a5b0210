"""Owners insure the building at rebuild value: computed from the surface or declared, and priced."""

from decimal import Decimal

import pytest

from abri.pricing import TariffValidationError, quote, tariff_in_force
from tests.pricing.factories import EFFECTIVE, make_request

OWNER_HOUSE = dict(kind="house", occupant_status="owner", floor=None, rooms=5, surface_m2=110)


@pytest.mark.parametrize("status", ["owner", "pno"])
def test_owners_building_capital_is_computed_from_the_surface_at_rebuild_value(status):
    """Owners and non-occupying owners insure the building at rebuild value (valeur à neuf)."""
    t = tariff_in_force(EFFECTIVE)
    result = quote(make_request(**{**OWNER_HOUSE, "occupant_status": status}))
    assert t.building_per_m2["house"] == Decimal(1900)  # documented calibration of the tariff file
    assert result.building_capital == Decimal(209_000) == t.rebuild_value("house", 110)


def test_co_owner_of_an_apartment_insures_the_building_at_the_apartment_rate():
    result = quote(make_request(occupant_status="owner", rooms=3, surface_m2=64))
    assert result.building_capital == Decimal(64 * 1700)


def test_tenant_insures_no_building():
    assert quote(make_request()).building_capital is None
    with pytest.raises(TariffValidationError) as caught:
        quote(make_request(building_capital=Decimal(100_000)))
    assert "pas le bâtiment" in caught.value.errors["building_capital"]


def test_declared_building_capital_is_priced():
    computed = quote(make_request(**OWNER_HOUSE))
    same = quote(make_request(**OWNER_HOUSE, building_capital=Decimal(209_000)))
    higher = quote(make_request(**OWNER_HOUSE, building_capital=Decimal(300_000)))
    lower = quote(make_request(**OWNER_HOUSE, building_capital=Decimal(160_000)))
    assert same.net_premium == computed.net_premium
    assert higher.building_capital == Decimal(300_000)
    assert higher.net_premium > computed.net_premium > lower.net_premium
    assert dict(higher.factors)["building"] == Decimal("1.12")  # share 1.44: band up to 1.50


def test_building_capital_far_below_the_rebuild_value_is_refused():
    with pytest.raises(TariffValidationError) as caught:
        quote(make_request(**OWNER_HOUSE, building_capital=Decimal(50_000)))
    message = caught.value.errors["building_capital"]
    assert "valeur de reconstruction" in message and "104\u202f500\u00a0€" in message


def test_building_capital_far_above_the_rebuild_value_goes_to_an_advisor():
    with pytest.raises(TariffValidationError) as caught:
        quote(make_request(**OWNER_HOUSE, building_capital=Decimal(900_000)))
    assert "conseiller" in caught.value.errors["building_capital"]
