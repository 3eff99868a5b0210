"""Which guarantees each formula and option carries, with default ceilings (DOMAIN.md calibration)."""

from decimal import Decimal

from abri.contracts.choices import Formula, GuaranteeCode, OccupantStatus

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


def contents_ceiling(rooms: int) -> Decimal:
    """About 8 000 € for the first room + 3 000 € per extra room."""
    return Decimal(8000 + 3000 * max(rooms - 1, 0))


def guarantees_for(*, formula: str, options: list[str], occupant_status: str, rooms: int,
                   deductible: Decimal) -> list[dict]:
    """The guarantee rows of a contract: code, ceiling, deductible, whether it is an option."""
    codes = list(BY_FORMULA[Formula(formula)])
    if occupant_status == OccupantStatus.TENANT:
        codes.insert(5, GuaranteeCode.TENANT_LIABILITY)
    rows = []
    contents = contents_ceiling(rooms)
    ceilings = {
        GuaranteeCode.LIABILITY: Decimal("10000000"), GuaranteeCode.TENANT_LIABILITY: Decimal("1500000"),
        GuaranteeCode.WATER: contents, GuaranteeCode.FIRE: contents, GuaranteeCode.STORM: contents,
        GuaranteeCode.THEFT: contents, GuaranteeCode.GLASS: Decimal("3000"), GuaranteeCode.ELECTRICAL: Decimal("5000"),
        GuaranteeCode.LEGAL: Decimal("20000"), GuaranteeCode.VALUABLES: VALUABLES_CEILING[Formula(formula)],
    }
    for code in codes:
        ded = Decimal("380") if code == GuaranteeCode.NATCAT else (
            Decimal("0") if code in {GuaranteeCode.LIABILITY, GuaranteeCode.TENANT_LIABILITY, GuaranteeCode.TERRORISM,
                                     GuaranteeCode.ASSISTANCE, GuaranteeCode.LEGAL} else deductible)
        rows.append({"code": code, "ceiling": ceilings.get(code), "deductible": ded, "is_option": False})
    for option in options:
        code = OPTION_CODES.get(option)
        if code and code not in {r["code"] for r in rows}:
            rows.append({"code": code, "ceiling": ceilings.get(code), "deductible": Decimal("0") if code in {
                GuaranteeCode.LEGAL, GuaranteeCode.ASSISTANCE} else deductible, "is_option": True})
    return rows
