"""Money helpers: Decimal euros with two places, never float."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def euros(value) -> Decimal:
    """Round a value to the cent, half up (the French accounting convention)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_eur(value, language: str | None = None) -> str:
    """An amount for a person, in the active language (or `language`).

    French « 1 234,56 € » (narrow no-break space between thousands, no-break space before €);
    English « €1,234.56 ». Documents that are always French (PDFs) render under override("fr").
    """
    from django.utils.translation import get_language

    amount = euros(value)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if (language or get_language() or "fr").startswith("en"):
        return f"{sign}€{','.join(groups)}.{cents}"
    thin_space, nbsp = "\u202f", "\u00a0"
    return f"{sign}{thin_space.join(groups)},{cents}{nbsp}€"
