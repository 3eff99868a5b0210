"""Tariff tables: the data model, the TOML loader that validates it, and the choice of the version in force."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from abri.pricing.errors import NoTariffInForce, TariffFileError

DEFAULT_TARIFFS_DIR = Path(__file__).resolve().parent / "tariffs"
TARIFFS_DIR_ENV = "ABRI_TARIFFS_DIR"

KINDS = ("apartment", "house")
STATUSES = ("tenant", "owner", "pno")
SUB_LIMITS = ("bodily", "material")  # liability sub-limits: bodily injury, property damage
OPTION_PRICINGS = ("flat", "per_thousand", "percent", "factor")
OPTION_REQUIREMENTS = ("has_garden", "has_pool", "valuables_capital", "outbuildings")
MAX_NUMBER = 10**9
MAX_DECIMAL_PLACES = 8



@dataclass(frozen=True, slots=True)
class Guarantee:
    """One guarantee: its share of the formula premium and how it is taxed."""

    code: str
    label: str
    weight: Decimal
    property_damage: bool
    tax_class: str
    statuses: tuple[str, ...]
    ceiling: Decimal | None
    deductible: Decimal | None
    # Sub-limits of a ceiling (liability: bodily, material) and deductibles fixed by law for one kind of
    # event (Cat Nat: subsidence), as stated in the conditions.
    sub_limits: dict[str, Decimal] = field(default_factory=dict)
    event_deductibles: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula (Essentielle, Confort, Intégrale): factor, ceilings, default deductible, guarantees."""

    code: str
    label: str
    factor: Decimal
    default_deductible: Decimal
    valuables_ceiling: Decimal
    guarantees: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Option:
    """An option: how it is priced, which formulas offer or include it, what the home must have."""

    code: str
    label: str
    guarantee: str | None
    pricing: str
    amount: Decimal
    available_in: tuple[str, ...]
    included_in: tuple[str, ...]
    requires: str | None
    threshold_m2: Decimal


@dataclass(frozen=True, slots=True)
class PaymentFrequency:
    """A payment frequency: number of instalments and surcharge rate."""

    code: str
    label: str
    instalments: int
    surcharge: Decimal


@dataclass(frozen=True, slots=True)
class LineTemplate:
    """Precomputed for the engine: a guarantee's integer weight and its tax rates as integers over rate_scale."""

    code: str
    label: str
    weight: int
    catnat: int
    tax: int


@dataclass(frozen=True, slots=True)
class FormulaLines:
    """Precomputed for one (formula, occupant status): its lines and, per column, weight × rate multipliers."""

    total_weight: int
    templates: tuple[LineTemplate, ...]
    covered: tuple[str, ...]
    net: tuple[int, ...]
    catnat: tuple[int, ...]
    tax: tuple[int, ...]


Ratio = tuple[int, int]  # an exact number as (numerator, denominator)


@dataclass(frozen=True, slots=True)
class Lookups:
    """Per-tariff precomputation for the engine: every factor as an exact integer ratio, tables by rooms."""

    base: dict[tuple[str, str], Ratio]
    rooms: dict[str, tuple[tuple[Decimal, int, int], ...]]  # kind -> [rated rooms] -> (factor, num, den)
    m2_per_rated_room: Ratio
    zones: dict[int, Ratio]
    ground_floor: Ratio
    formulas: dict[str, Ratio]
    deductibles: dict[Decimal, Ratio]
    claims: tuple[Ratio, ...]
    # [declared rooms] -> ((highest capital of the band, factor, num, den), ...)
    contents: tuple[tuple[tuple[Decimal, Decimal, int, int], ...], ...]
    options: dict[str, Ratio]
    terrorism_cents: int
    building_per_m2: dict[str, Ratio]
    # ((highest share of the computed rebuild value, factor, num, den), ...)
    building_bands: tuple[tuple[Decimal, Decimal, int, int], ...]


@dataclass(frozen=True, slots=True)
class Tariff:
    """One version of the tariff, as loaded from a validated file."""

    version: str
    effective_from: date
    label: str
    currency: str
    source: str
    base_premiums: dict[tuple[str, str], Decimal]
    rooms_reference: int
    rooms_max: int
    m2_per_rated_room: Decimal
    min_m2_per_room: Decimal
    max_surface_m2: Decimal
    room_increase: dict[str, Decimal]
    zone_factors: dict[int, Decimal]
    ground_floor_factor: Decimal
    max_floor: int
    deductible_factors: dict[Decimal, Decimal]
    claims_factors: tuple[Decimal, ...]
    claims_refer_from: int
    claims_max_plausible: int
    contents_first_room: Decimal
    contents_extra_room: Decimal
    contents_bands: tuple[tuple[Decimal, Decimal], ...]
    catnat_rate: Decimal
    terrorism_contribution: Decimal
    insurance_tax: dict[str, Decimal]
    frequencies: dict[str, PaymentFrequency]
    guarantees: dict[str, Guarantee]
    formulas: dict[str, Formula]
    options: dict[str, Option]
    building_statuses: tuple[str, ...]
    building_per_m2: dict[str, Decimal]
    building_min_share: Decimal
    building_max_share: Decimal
    building_bands: tuple[tuple[Decimal, Decimal], ...]
    # Precomputed for exact integer arithmetic in the engine: every rate (Cat Nat, tax, instalment
    # surcharge) is an integer over rate_scale; the guarantees of (formula, occupant status) share the
    # formula premium in proportion to integer weights.
    rate_scale: int = field(repr=False)
    surcharges: dict[str, int] = field(repr=False)
    lines: dict[tuple[str, str], FormulaLines] = field(repr=False)
    option_lines: dict[str, LineTemplate] = field(repr=False)
    lookups: Lookups = field(repr=False)

    def contents_ceiling(self, rooms: int) -> Decimal:
        """Highest contents capital for a home of this many rooms."""
        return self.contents_first_room + self.contents_extra_room * max(rooms - 1, 0)

    def insures_building(self, occupant_status: str) -> bool:
        """Whether this occupant status insures the building (owners, co-owners, non-occupying owners)."""
        return occupant_status in self.building_statuses

    def rebuild_value(self, kind: str, surface_m2: Decimal | int) -> Decimal:
        """The building capital computed from the living surface: rebuild value per m², to the euro."""
        return (self.building_per_m2[kind] * Decimal(surface_m2)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


class _Reader:
    """Reads a parsed TOML document, collecting every problem with its dotted location."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def table(self, where: str, parent: dict | None = None, *, required: bool = True) -> dict:
        parent = self.data if parent is None else parent
        key = where.rsplit(".", 1)[-1]
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(where, "missing table")
            return {}
        if not isinstance(value, dict):
            self.problem(where, "must be a table")
            return {}
        return value

    def value(self, where: str, parent: dict, *, required: bool = True) -> Any:
        key = where.rsplit(".", 1)[-1]
        if key not in parent:
            if required:
                self.problem(where, "missing value")
            return None
        return parent[key]

    def text(self, where: str, parent: dict, *, required: bool = True) -> str:
        value = self.value(where, parent, required=required)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(where, f"must be a non-empty string, got {value!r}")
            return ""
        return value

    def number(self, where: str, parent: dict | None = None, *, value: Any = None, minimum: Decimal | int = 0,
               maximum: Decimal | int | None = None, positive: bool = False, required: bool = True,
               default: Decimal | None = None) -> Decimal:
        if parent is not None:
            value = self.value(where, parent, required=required and default is None)
            if value is None:
                return default if default is not None else Decimal(0)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(where, f"must be a number, got {value!r}")
            return Decimal(0)
        number = Decimal(value)
        if not number.is_finite():
            self.problem(where, f"must be a finite number, got {value!r}")
            return Decimal(0)
        # Exact integer arithmetic in the engine: keep every number a reasonable size.
        if abs(number) > MAX_NUMBER or (number != 0 and number.as_tuple().exponent < -MAX_DECIMAL_PLACES):
            self.problem(where, f"must be at most {MAX_NUMBER:,} with at most {MAX_DECIMAL_PLACES} decimal places, "
                                f"got {value}")
            return Decimal(0)
        if positive and number <= 0:
            self.problem(where, f"must be greater than 0, got {number}")
        elif number < minimum:
            self.problem(where, f"must be at least {minimum}, got {number}")
        if maximum is not None and number > maximum:
            self.problem(where, f"must be at most {maximum}, got {number}")
        return number

    def integer(self, where: str, parent: dict, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.value(where, parent)
        if value is None:
            return minimum
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"must be an integer, got {value!r}")
            return minimum
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.problem(where, f"must be {bound}, got {value}")
        return value

    def codes(self, where: str, parent: dict, allowed, *, required: bool = True) -> tuple[str, ...]:
        value = self.value(where, parent, required=required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(where, "must be a list of strings")
            return ()
        unknown = [item for item in value if item not in allowed]
        if unknown:
            self.problem(where, f"unknown code(s) {', '.join(unknown)}; expected among {', '.join(allowed)}")
        if len(set(value)) != len(value):
            self.problem(where, "lists a code twice")
        return tuple(item for item in value if item in allowed)


def parse_tariff(data: dict[str, Any], *, source: str = "<memory>") -> Tariff:
    """Build a Tariff from a parsed TOML document (numbers as Decimal), raising TariffFileError listing every defect."""
    r = _Reader(data)
    head = r.table("tariff")
    version = r.text("tariff.version", head)
    effective_from = r.value("tariff.effective_from", head)
    if effective_from is not None and (not isinstance(effective_from, date) or hasattr(effective_from, "hour")):
        r.problem("tariff.effective_from", f"must be a TOML date such as 2026-01-01, got {effective_from!r}")
        effective_from = None
    label = r.text("tariff.label", head, required=False) or version
    currency = r.text("tariff.currency", head, required=False) or "EUR"
    if currency != "EUR":
        r.problem("tariff.currency", f"only EUR is supported, got {currency!r}")

    base_table = r.table("base_premiums")
    base_premiums: dict[tuple[str, str], Decimal] = {}
    for status in STATUSES:
        by_kind = r.table(f"base_premiums.{status}", base_table)
        for kind in KINDS:
            base_premiums[(status, kind)] = r.number(f"base_premiums.{status}.{kind}", by_kind, positive=True)
    _reject_unknown(r, "base_premiums", base_table, STATUSES)

    rooms = r.table("rooms")
    rooms_reference = r.integer("rooms.reference", rooms, minimum=1, maximum=30)
    rooms_max = r.integer("rooms.max", rooms, minimum=1, maximum=200)
    m2_per_rated_room = r.number("rooms.m2_per_rated_room", rooms, positive=True)
    min_m2_per_room = r.number("rooms.min_m2_per_room", rooms, default=Decimal(0))
    max_surface_m2 = r.number("rooms.max_surface_m2", rooms, positive=True)
    increase_table = r.table("rooms.increase_per_room", rooms)
    room_increase = {kind: r.number(f"rooms.increase_per_room.{kind}", increase_table, maximum=10)
                     for kind in KINDS}

    zones = r.table("zones")
    zone_factors: dict[int, Decimal] = {}
    for key, value in zones.items():
        if not key.isdigit():
            r.problem(f"zones.{key}", "zone keys must be integers (1, 2, …)")
            continue
        zone_factors[int(key)] = r.number(f"zones.{key}", value=value, positive=True)
    if zones and sorted(zone_factors) != list(range(1, len(zone_factors) + 1)):
        r.problem("zones", "zones must be numbered 1, 2, 3, … without gaps")

    floor = r.table("floor")
    ground_floor_factor = r.number("floor.ground_floor_factor", floor, positive=True)
    max_floor = r.integer("floor.max_floor", floor, minimum=0, maximum=300)

    deductibles = r.table("deductibles")
    deductible_factors: dict[Decimal, Decimal] = {}
    for key, value in deductibles.items():
        if not key.isdigit():
            r.problem(f"deductibles.{key}", "deductible keys must be whole euros (0, 150, …)")
            continue
        deductible_factors[Decimal(key)] = r.number(f"deductibles.{key}", value=value, positive=True)
    if deductibles and not deductible_factors:
        r.problem("deductibles", "at least one deductible is needed")
    _check_monotonic(r, "deductibles", sorted(deductible_factors.items()), increasing=False,
                     meaning="a higher deductible must never cost more")

    claims = r.table("claims")
    claims_list = r.value("claims.factors", claims)
    claims_factors: tuple[Decimal, ...] = ()
    if claims_list is not None:
        if not isinstance(claims_list, list) or not claims_list:
            r.problem("claims.factors", "must be a non-empty list of numbers (index = number of claims)")
        else:
            claims_factors = tuple(r.number(f"claims.factors[{i}]", value=v, positive=True)
                                   for i, v in enumerate(claims_list))
            _check_monotonic(r, "claims.factors", list(enumerate(claims_factors)), increasing=True,
                             meaning="more claims must never cost less")
    claims_refer_from = r.integer("claims.refer_from", claims, minimum=1, maximum=1000)
    if claims_factors and claims_refer_from > len(claims_factors):
        r.problem("claims.refer_from", f"needs a factor for every count below it ({claims_refer_from} needed, "
                                       f"{len(claims_factors)} given)")
    claims_max_plausible = r.integer("claims.max_plausible", claims, minimum=claims_refer_from or 1)

    contents = r.table("contents")
    contents_first_room = r.number("contents.first_room_ceiling", contents, positive=True)
    contents_extra_room = r.number("contents.extra_room_ceiling", contents)
    contents_bands = _capital_bands(r, "contents.bands", r.value("contents.bands", contents),
                                    of="the ceiling", max_share=Decimal(1))
    shares = [share for share, _ in contents_bands]
    if shares != sorted(set(shares)):
        r.problem("contents.bands", "shares must be strictly increasing")
    if shares and shares[-1] != 1:
        r.problem("contents.bands", "the last band must end at share 1 (the ceiling)")

    taxes = r.table("taxes")
    catnat_rate = r.number("taxes.catnat_rate", taxes, maximum=1)
    terrorism_contribution = r.number("taxes.terrorism_contribution", taxes)
    # Tax classes are data: each key of [taxes.insurance_tax] is a class that guarantees may name.
    tax_table = r.table("taxes.insurance_tax", taxes)
    insurance_tax = {cls: r.number(f"taxes.insurance_tax.{cls}", tax_table, maximum=1) for cls in tax_table}
    if taxes and not insurance_tax:
        r.problem("taxes.insurance_tax", "at least one tax class is needed")
    tax_classes = tuple(insurance_tax)

    building = r.table("building")
    building_statuses = r.codes("building.statuses", building, STATUSES)
    per_m2_table = r.table("building.rebuild_value_per_m2", building)
    building_per_m2 = {kind: r.number(f"building.rebuild_value_per_m2.{kind}", per_m2_table, positive=True)
                       for kind in KINDS}
    building_min_share = r.number("building.min_share", building, maximum=1)
    building_max_share = r.number("building.max_share", building, minimum=1, maximum=10)
    building_bands = _capital_bands(r, "building.bands", r.value("building.bands", building),
                                    of="the rebuild value", max_share=Decimal(10))
    if building_bands and building_max_share is not None and building_bands[-1][0] < building_max_share:
        r.problem("building.bands", "the last band must reach max_share")

    freq_table = r.table("payment_frequencies")
    frequencies: dict[str, PaymentFrequency] = {}
    for code, entry in freq_table.items():
        where = f"payment_frequencies.{code}"
        if not isinstance(entry, dict):
            r.problem(where, "must be a table")
            continue
        frequencies[code] = PaymentFrequency(
            code=code, label=r.text(f"{where}.label", entry),
            instalments=r.integer(f"{where}.instalments", entry, minimum=1, maximum=12),
            surcharge=r.number(f"{where}.surcharge", entry, maximum=1))
    if freq_table and "annual" not in frequencies:
        r.problem("payment_frequencies", "the annual frequency is required")

    guarantee_table = r.table("guarantees")
    guarantees: dict[str, Guarantee] = {}
    for code, entry in guarantee_table.items():
        where = f"guarantees.{code}"
        if not isinstance(entry, dict):
            r.problem(where, "must be a table")
            continue
        property_damage = r.value(f"{where}.property_damage", entry)
        if property_damage is not None and not isinstance(property_damage, bool):
            r.problem(f"{where}.property_damage", "must be true or false")
        tax_class = r.text(f"{where}.tax_class", entry)
        if tax_class and tax_class not in tax_classes:
            r.problem(f"{where}.tax_class", f"must be one of {', '.join(tax_classes)} ([taxes.insurance_tax]), "
                                            f"got {tax_class!r}")
        statuses = r.codes(f"{where}.statuses", entry, STATUSES, required=False) or STATUSES
        ceiling = r.number(f"{where}.ceiling", entry, required=False) if "ceiling" in entry else None
        deductible = r.number(f"{where}.deductible", entry, required=False) if "deductible" in entry else None
        sub_table = r.table(f"{where}.sub_limits", entry, required=False)
        _reject_unknown(r, f"{where}.sub_limits", sub_table, SUB_LIMITS)
        sub_limits = {key: r.number(f"{where}.sub_limits.{key}", sub_table, positive=True)
                      for key in SUB_LIMITS if key in sub_table}
        for key, amount in sub_limits.items():
            if ceiling is not None and amount > ceiling:
                r.problem(f"{where}.sub_limits.{key}", f"must not exceed the ceiling {ceiling}")
        event_table = r.table(f"{where}.event_deductibles", entry, required=False)
        event_deductibles = {key: r.number(f"{where}.event_deductibles.{key}", event_table) for key in event_table}
        guarantees[code] = Guarantee(
            code=code, label=r.text(f"{where}.label", entry), weight=r.number(f"{where}.weight", entry),
            property_damage=bool(property_damage), tax_class=tax_class if tax_class in tax_classes else "other",
            statuses=statuses, ceiling=ceiling, deductible=deductible, sub_limits=sub_limits,
            event_deductibles=event_deductibles)

    formula_table = r.table("formulas")
    formulas: dict[str, Formula] = {}
    for code, entry in formula_table.items():
        where = f"formulas.{code}"
        if not isinstance(entry, dict):
            r.problem(where, "must be a table")
            continue
        default_deductible = r.number(f"{where}.default_deductible", entry)
        if deductible_factors and default_deductible not in deductible_factors:
            r.problem(f"{where}.default_deductible", f"{default_deductible} is not in [deductibles]")
        formulas[code] = Formula(
            code=code, label=r.text(f"{where}.label", entry), factor=r.number(f"{where}.factor", entry, positive=True),
            default_deductible=default_deductible,
            valuables_ceiling=r.number(f"{where}.valuables_ceiling", entry),
            guarantees=r.codes(f"{where}.guarantees", entry, tuple(guarantees)))
    if formula_table and not formulas:
        r.problem("formulas", "at least one formula is needed")

    option_table = r.table("options", required=False)
    options: dict[str, Option] = {}
    for code, entry in option_table.items():
        where = f"options.{code}"
        if not isinstance(entry, dict):
            r.problem(where, "must be a table")
            continue
        pricing = r.text(f"{where}.pricing", entry)
        if pricing and pricing not in OPTION_PRICINGS:
            r.problem(f"{where}.pricing", f"must be one of {', '.join(OPTION_PRICINGS)}, got {pricing!r}")
        if pricing == "factor":
            amount = r.number(f"{where}.factor", entry, positive=True)
            guarantee = None
            if "guarantee" in entry:
                r.problem(f"{where}.guarantee", "a factor option multiplies the formula premium: no guarantee")
        else:
            amount = r.number(f"{where}.rate" if pricing == "percent" else f"{where}.amount", entry)
            guarantee = r.text(f"{where}.guarantee", entry)
            if guarantee and guarantee not in guarantees:
                r.problem(f"{where}.guarantee", f"unknown guarantee {guarantee!r}")
        requires = r.text(f"{where}.requires", entry, required=False) or None
        if requires and requires not in OPTION_REQUIREMENTS:
            r.problem(f"{where}.requires", f"must be one of {', '.join(OPTION_REQUIREMENTS)}, got {requires!r}")
        if pricing == "per_thousand" and requires != "valuables_capital":
            r.problem(f"{where}.requires", "a per_thousand option must require valuables_capital")
        threshold = (r.number(f"{where}.threshold_m2", entry) if requires == "outbuildings" else Decimal(0))
        available_in = r.codes(f"{where}.available_in", entry, tuple(formulas))
        included_in = r.codes(f"{where}.included_in", entry, tuple(formulas), required=False)
        if set(available_in) & set(included_in):
            r.problem(where, "a formula cannot both offer and include the option")
        for formula_code in included_in:
            if guarantee and guarantee not in formulas[formula_code].guarantees:
                r.problem(f"{where}.included_in", f"formula {formula_code} does not list guarantee {guarantee}")
        options[code] = Option(
            code=code, label=r.text(f"{where}.label", entry), guarantee=guarantee or None, pricing=pricing,
            amount=amount, available_in=available_in, included_in=included_in, requires=requires,
            threshold_m2=threshold)

    rates = [catnat_rate, *insurance_tax.values(), *(f.surcharge for f in frequencies.values())]
    rate_scale = 10 ** _decimal_places(rates)
    weight_scale = 10 ** _decimal_places([g.weight for g in guarantees.values()])

    def template(guarantee: Guarantee) -> LineTemplate:
        return LineTemplate(
            code=guarantee.code, label=guarantee.label, weight=int(guarantee.weight * weight_scale),
            catnat=int(catnat_rate * rate_scale) if guarantee.property_damage else 0,
            tax=int(insurance_tax.get(guarantee.tax_class, Decimal(0)) * rate_scale))

    lines: dict[tuple[str, str], FormulaLines] = {}
    for formula in formulas.values():
        for status in STATUSES:
            weighted = tuple(template(guarantees[code]) for code in formula.guarantees
                             if status in guarantees[code].statuses and guarantees[code].weight > 0)
            if not weighted:
                r.problem(f"formulas.{formula.code}.guarantees",
                          f"no guarantee with a positive weight for occupant status {status}")
                continue
            covered = tuple(code for code in formula.guarantees if status in guarantees[code].statuses)
            lines[(formula.code, status)] = FormulaLines(
                total_weight=sum(line.weight for line in weighted), templates=weighted, covered=covered,
                net=tuple(line.weight for line in weighted), catnat=tuple(line.weight * line.catnat for line in weighted),
                tax=tuple(line.weight * line.tax for line in weighted))
    option_lines = {g.code: template(g) for g in guarantees.values()}
    surcharges = {code: int(f.surcharge * rate_scale) for code, f in frequencies.items()}

    if r.problems:
        raise TariffFileError(source, r.problems)
    # Decimal's // truncates toward zero: math.ceil of the quotient, plus one for safety.
    max_rated_rooms = max(rooms_max, math.ceil(max_surface_m2 / m2_per_rated_room) + 1)
    ratio = Decimal.as_integer_ratio
    lookups = Lookups(
        base={key: ratio(value) for key, value in base_premiums.items()},
        rooms={kind: tuple(_room_factor(room_increase[kind], rooms_reference, rated)
                           for rated in range(int(max_rated_rooms) + 1)) for kind in KINDS},
        m2_per_rated_room=ratio(m2_per_rated_room),
        zones={zone: ratio(value) for zone, value in zone_factors.items()},
        ground_floor=ratio(ground_floor_factor),
        formulas={code: ratio(formula.factor) for code, formula in formulas.items()},
        deductibles={key: ratio(value) for key, value in deductible_factors.items()},
        claims=tuple(ratio(value) for value in claims_factors),
        contents=tuple(
            tuple((share * (contents_first_room + contents_extra_room * max(rooms - 1, 0)), factor, *ratio(factor))
                  for share, factor in contents_bands)
            for rooms in range(rooms_max + 1)),
        options={code: ratio(option.amount) for code, option in options.items()},
        terrorism_cents=int(terrorism_contribution.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        building_per_m2={kind: ratio(value) for kind, value in building_per_m2.items()},
        building_bands=tuple((share, factor, *ratio(factor)) for share, factor in building_bands))
    assert isinstance(effective_from, date)  # checked above; for the type checker
    return Tariff(
        version=version, effective_from=effective_from, label=label, currency=currency, source=source,
        base_premiums=base_premiums, rooms_reference=rooms_reference, rooms_max=rooms_max,
        m2_per_rated_room=m2_per_rated_room, min_m2_per_room=min_m2_per_room, max_surface_m2=max_surface_m2,
        room_increase=room_increase, zone_factors=zone_factors, ground_floor_factor=ground_floor_factor,
        max_floor=max_floor, deductible_factors=deductible_factors, claims_factors=claims_factors,
        claims_refer_from=claims_refer_from, claims_max_plausible=claims_max_plausible,
        contents_first_room=contents_first_room, contents_extra_room=contents_extra_room,
        contents_bands=contents_bands, catnat_rate=catnat_rate, terrorism_contribution=terrorism_contribution,
        insurance_tax=insurance_tax, frequencies=frequencies, guarantees=guarantees, formulas=formulas,
        options=options, building_statuses=building_statuses, building_per_m2=building_per_m2,
        building_min_share=building_min_share, building_max_share=building_max_share, building_bands=building_bands,
        rate_scale=rate_scale, surcharges=surcharges, lines=lines, option_lines=option_lines,
        lookups=lookups)


def _room_factor(increase: Decimal, reference: int, rated_rooms: int) -> tuple[Decimal, int, int]:
    factor = Decimal(1) + increase * max(rated_rooms - reference, 0)
    return (factor, *factor.as_integer_ratio())


def _decimal_places(numbers: list[Decimal]) -> int:
    """How many decimal places the most precise of these numbers has."""
    return max((max(-n.normalize().as_tuple().exponent, 0) for n in numbers if n.is_finite()), default=0)


def _reject_unknown(r: _Reader, where: str, table: dict, allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            r.problem(f"{where}.{key}", f"unknown key; expected among {', '.join(allowed)}")


def _capital_bands(r, name: str, value, *, of: str, max_share: Decimal) -> tuple[tuple[Decimal, Decimal], ...]:
    """[share of `of`, factor] pairs, checked: a non-empty list, shares in (0, max_share], more never cheaper."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(b, list) and len(b) == 2 for b in value):
        r.problem(name, f"must be a non-empty list of [share of {of}, factor] pairs")
        return ()
    bands = tuple((r.number(f"{name}[{i}][0]", value=b[0], positive=True, maximum=max_share),
                   r.number(f"{name}[{i}][1]", value=b[1], positive=True)) for i, b in enumerate(value))
    _check_monotonic(r, name, bands, increasing=True, meaning="more capital must never cost less")
    return bands


def _check_monotonic(r: _Reader, where: str, pairs, *, increasing: bool, meaning: str) -> None:
    factors = [factor for _, factor in pairs]
    for before, after in zip(factors, factors[1:], strict=False):
        if (after < before) if increasing else (after > before):
            r.problem(where, f"factors must be {'non-decreasing' if increasing else 'non-increasing'} ({meaning})")
            return


def load_tariff(path: str | os.PathLike) -> Tariff:
    """Read and validate one tariff file (TOML); raises TariffFileError with every problem found."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except OSError as exc:
        raise TariffFileError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise TariffFileError(str(path), [f"not valid TOML: {exc}"]) from exc
    return parse_tariff(data, source=str(path))


def tariffs_directory() -> Path:
    """The directory of tariff files: $ABRI_TARIFFS_DIR if set, else the files shipped with Abri."""
    configured = os.environ.get(TARIFFS_DIR_ENV)
    return Path(configured) if configured else DEFAULT_TARIFFS_DIR


@lru_cache(maxsize=8)
def _catalogue(directory: str) -> tuple[Tariff, ...]:
    paths = sorted(Path(directory).glob("*.toml"))
    if not paths:
        raise TariffFileError(directory, ["no tariff file (*.toml) in this directory"])
    tariffs = sorted((load_tariff(path) for path in paths), key=lambda t: t.effective_from)
    problems = []
    seen: dict[str, str] = {}
    for tariff in tariffs:
        if tariff.version in seen:
            problems.append(f"version {tariff.version} is defined twice ({seen[tariff.version]}, {tariff.source})")
        seen[tariff.version] = tariff.source
    for before, after in zip(tariffs, tariffs[1:], strict=False):
        if before.effective_from == after.effective_from:
            problems.append(f"{before.source} and {after.source} take effect on the same date "
                            f"{after.effective_from.isoformat()}")
    if problems:
        raise TariffFileError(directory, problems)
    return tuple(tariffs)


_configured: list[tuple[Tariff, ...]] = []  # the catalogue of tariffs_directory(), once read


def available_tariffs(directory: str | os.PathLike | None = None) -> tuple[Tariff, ...]:
    """Every tariff version of the directory, oldest first (loaded once, then cached)."""
    if directory is None:
        # Read $ABRI_TARIFFS_DIR once, not at every quote; clear_tariff_cache() reads it again.
        if not _configured:
            _configured.append(_catalogue(str(tariffs_directory())))
        return _configured[0]
    return _catalogue(str(Path(directory)))


def tariff_in_force(on: date, directory: str | os.PathLike | None = None) -> Tariff:
    """The tariff version in force on this date: the latest whose effective date is on or before it."""
    for tariff in reversed(available_tariffs(directory)):
        if tariff.effective_from <= on:
            return tariff
    raise NoTariffInForce(f"no tariff in force on {on.isoformat()}")


def tariff_by_version(version: str, directory: str | os.PathLike | None = None) -> Tariff:
    """The tariff with this version id (e.g. the one a contract was priced with)."""
    for tariff in available_tariffs(directory):
        if tariff.version == version:
            return tariff
    raise NoTariffInForce(f"unknown tariff version {version!r}")


def clear_tariff_cache() -> None:
    """Forget loaded tariffs and the configured directory, so that replaced files are read again."""
    _catalogue.cache_clear()
    _configured.clear()
