"""Contracts of each occupant status for certificate tests (Alice rents a flat and owns a house)."""

import pytest

from tests.contracts.factories import PropertyFactory, make_contract


@pytest.fixture
def alice_house(alice):
    """Alice's owner-occupied house, 110 m², like the demo's MRH-2023-000102: no tenant's liability."""
    home = PropertyFactory(customer=alice, kind="house", occupant_status="owner", rooms=5, surface_m2=110,
                           floor=None, address_line="4 chemin de Kerbiquet", postcode="56340", city="Carnac")
    return make_contract(customer=alice, property=home, formula="integrale")


@pytest.fixture
def alice_rental(alice):
    """A flat Alice owns and lets (propriétaire non occupant)."""
    home = PropertyFactory(customer=alice, kind="apartment", occupant_status="pno", rooms=2, surface_m2=45,
                           floor=3)
    return make_contract(customer=alice, property=home, formula="essentielle")
