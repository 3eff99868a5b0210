"""Claim rules from French law and the insurer's conventions: deadlines, cover, settlement.

Pure functions (no ORM) so that they are easy to test and reuse in the back-office and API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")

# Which guarantee of the contract answers which event (codes of contracts.choices.GuaranteeCode).
EVENT_GUARANTEE = {
    "water": "water",
    "theft": "theft",
    "fire": "fire",
    "storm": "storm",
    "glass": "glass",
    "electrical": "electrical",
    "natcat": "natcat",
    "subsidence": "natcat",  # drought / subsidence of clay soils: a Cat Nat event with its own legal deductible
    "techcat": "techcat",
    "vandalism": "theft",
    "liability": "liability",
    "other": None,
}

# Usual delay before the next step, shown on the timeline (days).
NEXT_STEP_DELAY = {
    "received": ("under_review", 2),
    "under_review": ("expert_appointed", 7),
    "expert_appointed": ("visit_planned", 7),
    "visit_planned": ("report_received", 15),
    "report_received": ("offer_made", 30),
    "offer_made": ("accepted", 0),
    "accepted": ("paid", 21),
    "paid": ("closed", 7),
}

# Allowed transitions of the handler's workflow (refusal possible from any open step).
TRANSITIONS = {
    "received": {"under_review", "refused"},
    "under_review": {"expert_appointed", "offer_made", "refused"},
    "expert_appointed": {"visit_planned", "report_received", "refused"},
    "visit_planned": {"report_received", "refused"},
    "report_received": {"offer_made", "refused"},
    "offer_made": {"accepted", "offer_made", "refused"},
    "accepted": {"paid"},
    "paid": {"closed"},
    "closed": set(),
    "refused": {"closed"},
}


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def french_public_holidays(year: int) -> set[date]:
    """The 11 national public holidays of metropolitan France."""
    easter = _easter(year)
    return {
        date(year, 1, 1), easter + timedelta(days=1), date(year, 5, 1), date(year, 5, 8),
        easter + timedelta(days=39), easter + timedelta(days=50), date(year, 7, 14), date(year, 8, 15),
        date(year, 11, 1), date(year, 11, 11), date(year, 12, 25),
    }


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (weekends and public holidays skipped)."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in french_public_holidays(current.year):
            left -= 1
    return current


@dataclass(frozen=True)
class Deadline:
    """The declaration deadline that applies to an event."""

    due: date | None
    rule: str


def declaration_deadline(*, event: str, learned_on: date, natcat_decree_on: date | None = None) -> Deadline:
    """Declaration deadline (Code des assurances L113-2 4°), counted from the day the insured learned of the loss.

    5 working days in general — vandalism included —, 2 working days for theft only, 30 days after the
    publication of the Cat Nat decree (L125-1, A125-1 annex I).
    """
    if event in {"natcat", "subsidence"}:
        if natcat_decree_on is None:
            return Deadline(None, _("30 jours après la publication de l'arrêté de catastrophe naturelle"))
        return Deadline(natcat_decree_on + timedelta(days=30),
                        _("30 jours après la publication de l'arrêté de catastrophe naturelle"))
    if event == "theft":
        return Deadline(add_working_days(learned_on, 2),
                        _("2 jours ouvrés après la découverte du vol (avec dépôt de plainte)"))
    return Deadline(add_working_days(learned_on, 5), _("5 jours ouvrés après la découverte du sinistre"))


# --- Settlement -----------------------------------------------------------------------------
# Wear per year and cap by item category (DOMAIN.md: ~10 %/year contents, 20–25 %/year electronics, cap 80 %).
WEAR = {
    "furniture": (Decimal("0.10"), Decimal("0.80")),
    "electronics": (Decimal("0.25"), Decimal("0.80")),
    "appliance": (Decimal("0.15"), Decimal("0.80")),
    "clothing": (Decimal("0.20"), Decimal("0.80")),
    "building": (Decimal("0.03"), Decimal("0.50")),
    "structure": (Decimal("0.02"), Decimal("0.40")),
    "decoration": (Decimal("0.10"), Decimal("0.80")),
    "other": (Decimal("0.10"), Decimal("0.80")),
}
ITEM_CATEGORY_LABELS = {
    "furniture": gettext_lazy("Mobilier"),
    "electronics": gettext_lazy("Électronique, informatique"),
    "appliance": gettext_lazy("Électroménager"),
    "clothing": gettext_lazy("Vêtements"),
    "building": gettext_lazy("Embellissements, revêtements"),
    "structure": gettext_lazy("Bâtiment (murs, toiture, gros œuvre)"),
    "decoration": gettext_lazy("Décoration"),
    "other": gettext_lazy("Autre"),
}
IRSI_TRANCHE_1 = Decimal("1600")  # excl. tax: occupant's insurer pays without recourse
IRSI_TRANCHE_2 = Decimal("5000")
IRSI_EVENTS = {"water", "fire"}  # the IRSI convention covers water damage and fire in a building, nothing else
# For an owner, damage to these categories is damage to the building (under-insurance on the building capital).
BUILDING_CATEGORIES = {"structure", "building"}
# VAT in the replacement value, per line: work on a home over two years old 10 % (CGI art. 279-0 bis),
# goods 20 % (art. 278). Used to state the amounts excluding tax (IRSI thresholds are excl. tax).
VAT_RATES = {"structure": Decimal("0.10"), "building": Decimal("0.10")}
DEFAULT_VAT_RATE = Decimal("0.20")


def vat_rate_for(category: str) -> Decimal:
    """The VAT rate included in the replacement value of an item of this category."""
    return VAT_RATES.get(category, DEFAULT_VAT_RATE)


def event_deductible(*, event: str, guarantee_deductible: Decimal, legal_deductible: Decimal | None = None,
                     event_deductibles: dict | None = None) -> Decimal:
    """The deductible of a claim: the one the law sets for this event (Cat Nat subsidence 1 520 €,
    A125-1 annex I), else the guarantee's legal one (Cat Nat 380 €, technological catastrophe 0 € by L128-2),
    else the contract guarantee's."""
    if event_deductibles and event in event_deductibles:
        return Decimal(event_deductibles[event])
    if legal_deductible is not None:
        return Decimal(legal_deductible)
    return guarantee_deductible


@dataclass(frozen=True)
class SettlementItem:
    """One damaged item as assessed (by the expert or the handler)."""

    label: str
    category: str
    replacement_value: Decimal
    age_years: Decimal
    has_invoice_for_new: bool = False


@dataclass(frozen=True)
class SettlementLine:
    label: str
    category: str
    replacement_value: Decimal
    wear_rate: Decimal
    wear_amount: Decimal
    indemnity: Decimal
    vat_rate: Decimal = DEFAULT_VAT_RATE
    replacement_value_excl_tax: Decimal = Decimal("0")


@dataclass
class Settlement:
    """The computed indemnity, with every step shown to the customer."""

    lines: list[SettlementLine] = field(default_factory=list)
    replacement_total: Decimal = Decimal("0")
    wear_total: Decimal = Decimal("0")
    new_for_old_refund: Decimal = Decimal("0")
    under_insurance_ratio: Decimal = Decimal("1")
    building_under_insurance_ratio: Decimal = Decimal("1")
    under_insurance_reduction: Decimal = Decimal("0")
    deductible: Decimal = Decimal("0")
    ceiling_reduction: Decimal = Decimal("0")
    indemnity: Decimal = Decimal("0")
    deferred_new_for_old: Decimal = Decimal("0")
    irsi_tranche: str = ""

    def as_dict(self) -> dict:
        """JSON-safe form (amounts as strings) for storage on the claim."""
        return {
            "lines": [
                {"label": li.label, "category": li.category, "replacement_value": str(li.replacement_value),
                 "wear_rate": str(li.wear_rate), "wear_amount": str(li.wear_amount), "indemnity": str(li.indemnity),
                 "vat_rate": str(li.vat_rate), "replacement_value_excl_tax": str(li.replacement_value_excl_tax)}
                for li in self.lines
            ],
            "replacement_total": str(self.replacement_total), "wear_total": str(self.wear_total),
            "new_for_old_refund": str(self.new_for_old_refund),
            "under_insurance_ratio": str(self.under_insurance_ratio),
            "building_under_insurance_ratio": str(self.building_under_insurance_ratio),
            "under_insurance_reduction": str(self.under_insurance_reduction),
            "deductible": str(self.deductible), "ceiling_reduction": str(self.ceiling_reduction),
            "indemnity": str(self.indemnity), "deferred_new_for_old": str(self.deferred_new_for_old),
            "irsi_tranche": self.irsi_tranche,
        }


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def irsi_tranche(amount_excl_tax: Decimal) -> str:
    """IRSI convention tranche for water damage or fire in a building with several insurers."""
    if amount_excl_tax <= IRSI_TRANCHE_1:
        return _("Tranche 1 (≤ 1 600 € HT) : gestion par l'assureur de l'occupant, sans recours")
    if amount_excl_tax <= IRSI_TRANCHE_2:
        return _("Tranche 2 (1 600 à 5 000 € HT) : expertise unique pour le compte de tous les assureurs")
    return _("Au-delà de 5 000 € HT : convention CIDE-COP")


def compute_settlement(
    *,
    items: list[SettlementItem],
    deductible: Decimal,
    ceiling: Decimal | None,
    new_for_old_covered: bool,
    declared_capital: Decimal | None = None,
    required_capital: Decimal | None = None,
    event: str = "",
    building_declared_capital: Decimal | None = None,
    building_required_capital: Decimal | None = None,
    several_insurers: bool = False,
) -> Settlement:
    """Indemnity = replacement value − wear (+ new-for-old if covered) × under-insurance ratio − deductible.

    New-for-old: with the option, wear is paid back on invoice (within 2 years); without an invoice it is
    deferred (shown, not paid now). Under-insurance (règle proportionnelle, L121-5): declared / required
    capital. For an owner, damage to the building (categories BUILDING_CATEGORIES) is reduced by the ratio of
    the building capital to its rebuild value found by the expert, the rest by the contents ratio.
    IRSI tranche: only for water damage and fire in a building with several insurers, on the amount
    excluding VAT (each line's VAT rate).
    """
    result = Settlement()
    immediate = Decimal("0")
    building_part = Decimal("0")
    split = building_required_capital is not None
    for item in items:
        rate, cap = WEAR.get(item.category, WEAR["other"])
        wear_rate = min(rate * max(item.age_years, Decimal("0")), cap)
        wear_amount = _q(item.replacement_value * wear_rate)
        value_after_wear = item.replacement_value - wear_amount
        refund = Decimal("0")
        if new_for_old_covered:
            if item.has_invoice_for_new:
                refund = wear_amount
            else:
                result.deferred_new_for_old += wear_amount
        vat = vat_rate_for(item.category)
        result.lines.append(SettlementLine(item.label, item.category, _q(item.replacement_value), wear_rate,
                                           wear_amount, _q(value_after_wear + refund), vat,
                                           _q(item.replacement_value / (1 + vat))))
        result.replacement_total += item.replacement_value
        result.wear_total += wear_amount
        result.new_for_old_refund += refund
        immediate += value_after_wear + refund
        if split and item.category in BUILDING_CATEGORIES:
            building_part += value_after_wear + refund
    contents_part = immediate - building_part
    reduced = immediate
    if split and building_declared_capital is not None and building_required_capital \
            and building_declared_capital < building_required_capital:
        result.building_under_insurance_ratio = (building_declared_capital / building_required_capital).quantize(
            Decimal("0.0001"))
        reduced -= building_part * (1 - result.building_under_insurance_ratio)
    if declared_capital and required_capital and declared_capital < required_capital:
        result.under_insurance_ratio = (declared_capital / required_capital).quantize(Decimal("0.0001"))
        reduced -= (contents_part if split else immediate) * (1 - result.under_insurance_ratio)
    if reduced != immediate:
        result.under_insurance_reduction = _q(immediate - reduced)
        immediate = reduced
    result.deductible = _q(deductible)
    after_deductible = max(immediate - deductible, Decimal("0"))
    if ceiling is not None and after_deductible > ceiling:
        result.ceiling_reduction = _q(after_deductible - ceiling)
        after_deductible = ceiling
    result.indemnity = _q(after_deductible)
    result.replacement_total = _q(result.replacement_total)
    result.wear_total = _q(result.wear_total)
    result.new_for_old_refund = _q(result.new_for_old_refund)
    result.deferred_new_for_old = _q(result.deferred_new_for_old)
    if event in IRSI_EVENTS and several_insurers:
        result.irsi_tranche = irsi_tranche(sum((line.replacement_value_excl_tax for line in result.lines),
                                               Decimal("0")))
    return result
