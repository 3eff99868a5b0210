"""Writes for contracts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from abri.contracts.guarantees import guarantees_for
from abri.contracts.models import Contract, ContractGuarantee, Property
from abri.core.services import audit_record


@transaction.atomic
def contract_create(
    *,
    customer,
    property: Property,
    number: str,
    formula: str,
    annual_premium: Decimal,
    start_date: date,
    main_due_date: date,
    options: list[str] | None = None,
    deductible: Decimal = Decimal("150"),
    **fields,
) -> Contract:
    """Create a contract on one of the customer's homes, with the guarantees of its formula."""
    if property.customer_id != customer.pk:
        raise ValueError("property belongs to another customer")
    options = options or []
    contract = Contract.objects.create(
        customer=customer, property=property, number=number, formula=formula, options=options,
        deductible=deductible, annual_premium=annual_premium, start_date=start_date,
        main_due_date=main_due_date, **fields,
    )
    ContractGuarantee.objects.bulk_create(
        ContractGuarantee(contract=contract, **row)
        for row in guarantees_for(formula=formula, options=options, occupant_status=property.occupant_status,
                                  rooms=property.rooms, deductible=deductible)
    )
    audit_record(action="contract.created", target=contract, actor_label="system")
    return contract
