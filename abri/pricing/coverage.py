"""What each formula covers, for the comparison page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from abri.pricing.tariff import STATUSES, Option, Tariff, tariff_in_force

INCLUDED = "included"
OPTION = "option"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class CoverageItem:
    """One guarantee in one formula: included, available as an option (with its options), or not offered."""

    code: str
    label: str
    status: str
    options: tuple[Option, ...]
    only_for: tuple[str, ...]
    ceiling: Decimal | None


@dataclass(frozen=True, slots=True)
class FormulaCoverage:
    """A formula with its ceilings, default deductible and every guarantee's status."""

    code: str
    label: str
    default_deductible: Decimal
    valuables_ceiling: Decimal
    items: tuple[CoverageItem, ...]
    discounts: tuple[Option, ...]

    def status_of(self, guarantee: str) -> str:
        """included / option / unavailable."""
        for item in self.items:
            if item.code == guarantee:
                return item.status
        return UNAVAILABLE


def formula_coverage(tariff: Tariff | None = None) -> tuple[FormulaCoverage, ...]:
    """Every formula of the tariff (by default the one in force today, Paris time), in the file's order.

    Guarantee codes are those of abri.contracts.choices.GuaranteeCode; only_for lists the occupant statuses a
    guarantee applies to (empty: all), e.g. tenant's liability for tenants.
    """
    if tariff is None:
        tariff = tariff_in_force(datetime.now(ZoneInfo("Europe/Paris")).date())
    result = []
    for formula in tariff.formulas.values():
        items = []
        for guarantee in tariff.guarantees.values():
            offers = tuple(option for option in tariff.options.values()
                           if option.guarantee == guarantee.code and formula.code in option.available_in)
            if guarantee.code in formula.guarantees:
                status = INCLUDED
            elif offers:
                status = OPTION
            else:
                status = UNAVAILABLE
            ceiling = formula.valuables_ceiling if guarantee.code == "valuables" else guarantee.ceiling
            only_for = () if set(guarantee.statuses) == set(STATUSES) else guarantee.statuses
            items.append(CoverageItem(code=guarantee.code, label=guarantee.label, status=status, options=offers,
                                      only_for=only_for, ceiling=ceiling))
        discounts = tuple(option for option in tariff.options.values()
                          if option.pricing == "factor" and formula.code in option.available_in)
        result.append(FormulaCoverage(code=formula.code, label=formula.label,
                                      default_deductible=formula.default_deductible,
                                      valuables_ceiling=formula.valuables_ceiling, items=tuple(items),
                                      discounts=discounts))
    return tuple(result)
