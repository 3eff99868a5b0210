"""Factories for homes and contracts."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from abri.contracts.models import Property
from abri.contracts.services import contract_create
from tests.accounts.factories import CustomerFactory


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    customer = factory.SubFactory(CustomerFactory)
    kind = "apartment"
    occupant_status = "tenant"
    address_line = factory.Faker("street_address", locale="fr_FR")
    postcode = "69003"
    city = "Lyon"
    rooms = 3
    surface_m2 = 60
    floor = 1
    risk_zone = 3


_counter = {"n": 0}


def make_contract(*, customer=None, property=None, formula="confort", **kwargs):
    """A contract with the guarantees of its formula (through the service)."""
    customer = customer or (property.customer if property else CustomerFactory())
    property = property or PropertyFactory(customer=customer)
    _counter["n"] += 1
    today = timezone.localdate()
    defaults = dict(
        number=f"MRH-T-{_counter['n']:06d}-{customer.pk}",
        annual_premium=Decimal("180.00"),
        start_date=date(today.year - 1, 1, 1),
        main_due_date=today + timedelta(days=40),
    )
    defaults.update(kwargs)
    return contract_create(customer=customer, property=property, formula=formula, **defaults)
