"""Claim rules from French law and the insurer's conventions: deadlines, cover, settlement.

Pure functions (no ORM) so that they are easy to test and reuse in the back-office and API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

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
    if event == "natcat":
        if natcat_decree_on is None:
            return Deadline(None, "30 jours après la publication de l'arrêté de catastrophe naturelle")
        return Deadline(natcat_decree_on + timedelta(days=30),
                        "30 jours après la publication de l'arrêté de catastrophe naturelle")
    if event == "theft":
        return Deadline(add_working_days(learned_on, 2),
                        "2 jours ouvrés après la découverte du vol (avec dépôt de plainte)")
    return Deadline(add_working_days(learned_on, 5), "5 jours ouvrés après la découverte du sinistre")


# --- Settlement -----------------------------------------------------------------------------
# Wear per year and cap by item category (DOMAIN.md: ~10 %/year contents, 20–25 %/year electronics, cap 80 %).
WEAR = {
    "furniture": (Decimal("0.10"), Decimal("0.80")),
    "electronics": (Decimal("0.25"), Decimal("0.80")),
    "appliance": (Decimal("0.15"), Decimal("0.80")),
    "clothing": (Decimal("0.20"), Decimal("0.80")),
    "building": (Decimal("0.03"), Decimal("0.50")),
    "decoration": (Decimal("0.10"), Decimal("0.80")),
    "other": (Decimal("0.10"), Decimal("0.80")),
}
ITEM_CATEGORY_LABELS = {
    "furniture": "Mobilier",
    "electronics": "Électronique, informatique",
    "appliance": "Électroménager",
    "clothing": "Vêtements",
    "building": "Embellissements, revêtements",
    "decoration": "Décoration",
    "other": "Autre",
}
IRSI_TRANCHE_1 = Decimal("1600")  # excl. tax: occupant's insurer pays without recourse
IRSI_TRANCHE_2 = Decimal("5000")


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


@dataclass
class Settlement:
    """The computed indemnity, with every step shown to the customer."""

    lines: list[SettlementLine] = field(default_factory=list)
    replacement_total: Decimal = Decimal("0")
    wear_total: Decimal = Decimal("0")
    new_for_old_refund: Decimal = Decimal("0")
    under_insurance_ratio: Decimal = Decimal("1")
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
                 "wear_rate": str(li.wear_rate), "wear_amount": str(li.wear_amount), "indemnity": str(li.indemnity)}
                for li in self.lines
            ],
            "replacement_total": str(self.replacement_total), "wear_total": str(self.wear_total),
            "new_for_old_refund": str(self.new_for_old_refund),
            "under_insurance_ratio": str(self.under_insurance_ratio),
            "under_insurance_reduction": str(self.under_insurance_reduction),
            "deductible": str(self.deductible), "ceiling_reduction": str(self.ceiling_reduction),
            "indemnity": str(self.indemnity), "deferred_new_for_old": str(self.deferred_new_for_old),
            "irsi_tranche": self.irsi_tranche,
        }


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def irsi_tranche(amount_excl_tax: Decimal) -> str:
    """IRSI convention tranche for water damage in a building with several insurers."""
    if amount_excl_tax <= IRSI_TRANCHE_1:
        return "Tranche 1 (≤ 1 600 € HT) : gestion par l'assureur de l'occupant, sans recours"
    if amount_excl_tax <= IRSI_TRANCHE_2:
        return "Tranche 2 (1 600 à 5 000 € HT) : expertise unique pour le compte de tous les assureurs"
    return "Au-delà de 5 000 € HT : convention CIDE-COP"


def compute_settlement(
    *,
    items: list[SettlementItem],
    deductible: Decimal,
    ceiling: Decimal | None,
    new_for_old_covered: bool,
    declared_capital: Decimal | None = None,
    required_capital: Decimal | None = None,
    event: str = "",
) -> Settlement:
    """Indemnity = replacement value − wear (+ new-for-old if covered) × under-insurance ratio − deductible.

    New-for-old: with the option, wear is paid back on invoice (within 2 years); without an invoice it is
    deferred (shown, not paid now). Under-insurance (règle proportionnelle, L121-5): declared / required.
    """
    result = Settlement()
    immediate = Decimal("0")
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
        result.lines.append(SettlementLine(item.label, item.category, _q(item.replacement_value), wear_rate,
                                           wear_amount, _q(value_after_wear + refund)))
        result.replacement_total += item.replacement_value
        result.wear_total += wear_amount
        result.new_for_old_refund += refund
        immediate += value_after_wear + refund
    if declared_capital and required_capital and declared_capital < required_capital:
        result.under_insurance_ratio = (declared_capital / required_capital).quantize(Decimal("0.0001"))
        reduced = immediate * result.under_insurance_ratio
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
    if event == "water":
        result.irsi_tranche = irsi_tranche(result.replacement_total / Decimal("1.20"))
    return result
