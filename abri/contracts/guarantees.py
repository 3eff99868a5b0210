"""Which guarantees each formula and option carries, with default ceilings (DOMAIN.md calibration).

Ceilings fixed by the tariff (liability and its sub-limits, glass, electrical, legal protection) and
deductibles fixed by law (Cat Nat 380 €, technological catastrophes none: L128-2) are read from the
tariff file of the contract's version, so that a contract states what its conditions state.
"""

from datetime import date
from decimal import Decimal

from abri import pricing
from abri.contracts.choices import Formula, GuaranteeCode, OccupantStatus
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR

BASE = [GuaranteeCode.FIRE, GuaranteeCode.STORM, GuaranteeCode.NATCAT, GuaranteeCode.TECHCAT,
        GuaranteeCode.TERRORISM, GuaranteeCode.LIABILITY, GuaranteeCode.WATER]
BY_FORMULA = {
    Formula.ESSENTIELLE: BASE,
    Formula.CONFORT: BASE + [GuaranteeCode.THEFT, GuaranteeCode.GLASS, GuaranteeCode.ELECTRICAL],
    Formula.INTEGRALE: BASE + [GuaranteeCode.THEFT, GuaranteeCode.GLASS, GuaranteeCode.ELECTRICAL,
                               GuaranteeCode.ASSISTANCE, GuaranteeCode.LEGAL, GuaranteeCode.NEW_FOR_OLD],
}
VALUABLES_CEILING = {Formula.ESSENTIELLE: Decimal("2000"), Formula.CONFORT: Decimal("5000"),
                     Formula.INTEGRALE: Decimal("15000")}
DEFAULT_DEDUCTIBLE = {Formula.ESSENTIELLE: Decimal("150"), Formula.CONFORT: Decimal("150"),
                      Formula.INTEGRALE: Decimal("0")}
OPTION_CODES = {"legal": GuaranteeCode.LEGAL, "assistance": GuaranteeCode.ASSISTANCE,
                "new_for_old": GuaranteeCode.NEW_FOR_OLD, "valuables": GuaranteeCode.VALUABLES,
                "garden": GuaranteeCode.GARDEN, "pool": GuaranteeCode.GARDEN, "outbuildings": GuaranteeCode.OUTBUILDINGS}
# Property-damage guarantees that also answer for the building when the insured owns it.
BUILDING_GUARANTEES = {GuaranteeCode.FIRE, GuaranteeCode.WATER, GuaranteeCode.STORM, GuaranteeCode.THEFT}
NO_DEDUCTIBLE = {GuaranteeCode.LIABILITY, GuaranteeCode.TENANT_LIABILITY, GuaranteeCode.TERRORISM,
                 GuaranteeCode.ASSISTANCE, GuaranteeCode.LEGAL}


def contents_ceiling(rooms: int) -> Decimal:
    """About 8 000 € for the first room + 3 000 € per extra room."""
    return Decimal(8000 + 3000 * max(rooms - 1, 0))


def valuables_ceiling(formula: str, valuables_capital: Decimal | None) -> Decimal:
    """The valuables cover of a contract: its insured capital, never above the formula's maximum."""
    maximum = VALUABLES_CEILING[Formula(formula)]
    if valuables_capital:
        return min(Decimal(valuables_capital), maximum)
    return maximum


def tariff_for(version: str | None = None, on: date | None = None):
    """The tariff of a contract's version (or the one in force on a date, today by default)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    # The configured directory first (an insurer's versions), then the files shipped with Abri.
    for directory in (None, DEFAULT_TARIFFS_DIR):
        try:
            if version:
                try:
                    return pricing.tariff_by_version(version, directory)
                except pricing.NoTariffInForce:
                    pass
            return pricing.tariff_in_force(on, directory)
        except (pricing.NoTariffInForce, pricing.TariffFileError):
            continue
    raise pricing.NoTariffInForce(f"no tariff for version {version!r} nor in force on {on.isoformat()}")


def insures_building(occupant_status: str, tariff_version: str | None = None) -> bool:
    """Owners, co-owners (owners of an apartment) and non-occupying owners insure the building."""
    return tariff_for(tariff_version).insures_building(occupant_status)


def building_capital_computed(*, kind: str, surface_m2, occupant_status: str,
                              tariff_version: str | None = None) -> Decimal:
    """The building capital at rebuild value computed from the surface (0 for a tenant)."""
    tariff = tariff_for(tariff_version)
    if not tariff.insures_building(occupant_status):
        return Decimal("0")
    return tariff.rebuild_value(kind, surface_m2)


def guarantees_for(*, formula: str, options: list[str], occupant_status: str, rooms: int,
                   deductible: Decimal, building_capital: Decimal = Decimal("0"),
                   tariff_version: str | None = None, valuables_capital: Decimal | None = None) -> list[dict]:
    """The guarantee rows of a contract: code, ceiling, deductible, sub-limits, whether it is an option.

    The valuables ceiling is the capital the customer insured (the particular conditions' figure), within the
    formula's maximum: one figure for the cover table, the conditions and a claim settlement.
    """
    tariff = tariff_for(tariff_version)
    codes = list(BY_FORMULA[Formula(formula)])
    if occupant_status == OccupantStatus.TENANT:
        codes.insert(5, GuaranteeCode.TENANT_LIABILITY)
    rows = []
    contents = contents_ceiling(rooms)
    # An owner's fire, water, storm and theft cover the building as well as the contents.
    damage = contents + (building_capital or Decimal("0"))
    ceilings = {
        GuaranteeCode.LIABILITY: Decimal("10000000"), GuaranteeCode.TENANT_LIABILITY: Decimal("1500000"),
        GuaranteeCode.WATER: damage, GuaranteeCode.FIRE: damage, GuaranteeCode.STORM: damage,
        GuaranteeCode.THEFT: damage, GuaranteeCode.GLASS: Decimal("3000"), GuaranteeCode.ELECTRICAL: Decimal("5000"),
        GuaranteeCode.LEGAL: Decimal("20000"), GuaranteeCode.VALUABLES: valuables_ceiling(formula, valuables_capital),
    }

    def row(code, *, is_option: bool) -> dict:
        data = tariff.guarantees.get(str(code))
        ceiling = data.ceiling if data is not None and data.ceiling is not None and code not in BUILDING_GUARANTEES \
            else ceilings.get(code)
        if data is not None and data.deductible is not None:
            ded = data.deductible  # fixed by law: Cat Nat 380 € (A125-1), technological catastrophes 0 (L128-2)
        else:
            ded = Decimal("0") if code in NO_DEDUCTIBLE else deductible
        sub_limits = {key: str(value) for key, value in data.sub_limits.items()} if data is not None else {}
        return {"code": code, "ceiling": ceiling, "deductible": ded, "is_option": is_option, "sub_limits": sub_limits}

    for code in codes:
        rows.append(row(code, is_option=False))
    for option in options:
        code = OPTION_CODES.get(option)
        if code and code not in {r["code"] for r in rows}:
            rows.append(row(code, is_option=True))
    return rows
