"""Writes for identities."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from abri.accounts.models import Customer
from abri.accounts.numbers import generate_customer_number, is_valid_customer_number
from abri.core.services import audit_record

User = get_user_model()


@transaction.atomic
def customer_create(
    *,
    first_name: str,
    last_name: str,
    pin: str | None = None,
    customer_number: str | None = None,
    **fields,
) -> Customer:
    """Create a customer and their login (PIN unusable until activation when not given)."""
    if customer_number is None:
        customer_number = generate_customer_number()
        while User.objects.filter(username=customer_number).exists():
            customer_number = generate_customer_number()
    if not is_valid_customer_number(customer_number):
        raise ValueError("invalid customer number")
    user = User(username=customer_number, is_customer=True, first_name=first_name, last_name=last_name)
    if pin:
        user.set_password(pin)
    else:
        user.set_unusable_password()
    user.save()
    customer = Customer.objects.create(
        user=user, customer_number=customer_number, first_name=first_name, last_name=last_name, **fields
    )
    audit_record(action="customer.created", target=customer, actor_label="system")
    return customer
