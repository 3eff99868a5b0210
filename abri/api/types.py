"""Field types shared by the API schemas."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

from abri.core.money import euros

# Money in euros as a string with two decimals ("180.00"): exact, unlike a JSON number.
Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{euros(value):.2f}", return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "Montant en euros, 2 décimales.",
         "examples": ["180.00"]},
        mode="serialization",
    ),
]

# A business number in a path (contract, claim): bounded, so that a huge or odd value is a 422.
NUMBER_PATTERN = r"^[A-Za-z0-9-]{1,20}$"
