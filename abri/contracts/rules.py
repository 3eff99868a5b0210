"""Contract rules from the Code des assurances: termination dates and unused premium (pure functions)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


def add_months(day: date, months: int) -> date:
    """Same day N months later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


MOVING_WINDOW_MONTHS = 3  # L113-16: termination for a change of situation within 3 months of the event


def moving_window_end(event: date) -> date:
    """The last day to terminate for a move (L113-16): three months after the event, not 60 days."""
    return add_months(event, MOVING_WINDOW_MONTHS)


@dataclass(frozen=True)
class TerminationDate:
    """When a termination takes effect, and the rule that says so (shown to the customer)."""

    effective: date | None
    rule: str
    refused: str = ""


def termination_date(*, reason: str, today: date, start_date: date, main_due_date: date,
                     requested_date: date | None = None) -> TerminationDate:
    """The end date by the rule that applies (L113-12, L113-15-2 Hamon, L113-16 moving, L121-10 sale)."""
    if reason == "hamon":
        if add_months(start_date, 12) > today:
            return TerminationDate(None, "", refused=(
                "La résiliation à tout moment (loi Hamon) est possible après un an de contrat, à partir du "
                f"{add_months(start_date, 12):%d/%m/%Y}. Vous pouvez résilier à l'échéance."))
        return TerminationDate(add_months(today, 1) + timedelta(days=1),
                               "Loi Hamon (L113-15-2) : un mois après la réception de votre demande.")
    if reason == "moving":
        if requested_date is not None and moving_window_end(requested_date) < today:
            return TerminationDate(None, "", refused=(
                "La résiliation pour déménagement (L113-16) doit être demandée dans les trois mois qui suivent le "
                f"déménagement, soit au plus tard le {moving_window_end(requested_date):%d/%m/%Y}. "
                "Vous pouvez résilier à l'échéance ou, après un an de contrat, à tout moment (loi Hamon)."))
        effective = max(add_months(today, 1) + timedelta(days=1), requested_date or today)
        return TerminationDate(effective, "Déménagement (L113-16) : un mois après la réception de votre demande.")
    if reason == "sale":
        effective = max(requested_date or today, today + timedelta(days=1))
        return TerminationDate(effective, "Vente du logement (L121-10) : à la date de la vente.")
    # At the annual due date, with one month's notice (L113-12); otherwise the following one.
    due = main_due_date
    while add_months(due, -1) < today:
        due = add_months(due, 12)
    return TerminationDate(due, "À l'échéance annuelle, avec un préavis d'un mois (L113-12).")


def unused_premium(*, annual_total: Decimal, effective: date, paid_until: date) -> Decimal:
    """Premium already paid for the days after the end date, refunded within 30 days (L113-15-2)."""
    days = (paid_until - effective).days
    if days <= 0:
        return Decimal("0.00")
    return (annual_total * Decimal(days) / Decimal(365)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
