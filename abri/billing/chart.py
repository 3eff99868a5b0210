"""The payments page's chart: what the customer paid and received month by month, drawn on the server.

One SVG (no script, no style attribute: the strict CSP holds), with the same figures as a table and a
sentence that sums them up, so that the chart is never the only way to read them (RGAA 1.3, 4.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from abri.billing.selectors import PaymentEntry
from abri.core.money import format_eur

ZERO = Decimal("0.00")
MONTHS = 12
# Geometry of the drawing, in SVG user units (the SVG scales to its container's width).
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 420, 170, 22, 26, 4
BAR_GAP = 3


@dataclass
class MonthBar:
    """One month: the sums and the rectangles that draw them."""

    month: date
    label: str  # « nov. 2026 » (table, SVG title)
    short: str  # « nov. » (axis)
    paid: Decimal = ZERO
    received: Decimal = ZERO
    paid_text: str = ""
    received_text: str = ""
    x: int = 0
    label_x: int = 0
    paid_y: int = 0
    paid_h: int = 0
    received_x: int = 0
    received_y: int = 0
    received_h: int = 0


@dataclass
class PaymentChart:
    months: list[MonthBar] = field(default_factory=list)
    total_paid: Decimal = ZERO
    total_received: Decimal = ZERO
    summary: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM
    bar_width: int = 0
    top_line_y: int = TOP
    top_line_label: str = ""

    @property
    def empty(self) -> bool:
        return not self.total_paid and not self.total_received


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def payment_chart(entries: list[PaymentEntry], *, today: date, months: int = MONTHS) -> PaymentChart:
    """Sums the settled lines of the last `months` months (this one included): paid out and received."""
    bars = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    by_month = {m: MonthBar(month=m, label=date_format(m, "F Y"), short=date_format(m, "b")) for m in bars}
    for entry in entries:
        if not entry.settled:
            continue
        bar = by_month.get(entry.date.replace(day=1))
        if bar is None:
            continue
        if entry.amount < 0 and entry.balance_effect:
            bar.paid += -entry.amount
        elif entry.amount > 0:
            bar.received += entry.amount
    chart = PaymentChart(months=[by_month[m] for m in bars])
    chart.total_paid = sum((b.paid for b in chart.months), ZERO)
    chart.total_received = sum((b.received for b in chart.months), ZERO)
    top = max([b.paid for b in chart.months] + [b.received for b in chart.months] + [ZERO])
    slot = (WIDTH - LEFT) // months
    chart.bar_width = (slot - 3 * BAR_GAP) // 2
    usable = HEIGHT - TOP - BOTTOM
    for i, bar in enumerate(chart.months):
        bar.paid_text, bar.received_text = format_eur(bar.paid), format_eur(bar.received)
        bar.x = LEFT + i * slot + BAR_GAP
        bar.received_x = bar.x + chart.bar_width + BAR_GAP
        bar.label_x = LEFT + i * slot + slot // 2
        bar.paid_h = round(usable * bar.paid / top) if top else 0
        bar.received_h = round(usable * bar.received / top) if top else 0
        # A month with money in it shows at least a sliver, so that a small refund is not invisible.
        bar.paid_h = max(bar.paid_h, 2) if bar.paid else 0
        bar.received_h = max(bar.received_h, 2) if bar.received else 0
        bar.paid_y = chart.baseline - bar.paid_h
        bar.received_y = chart.baseline - bar.received_h
    chart.top_line_label = format_eur(top)
    if chart.empty:
        chart.summary = _("Aucun paiement ni remboursement sur les %(n)d derniers mois.") % {"n": months}
        return chart
    busiest = max(chart.months, key=lambda b: b.paid)
    if not chart.total_paid:
        chart.summary = _("Sur les %(n)d derniers mois, vous n'avez rien payé et vous avez reçu %(received)s "
                          "(remboursements et indemnités).") % {"n": months, "received": format_eur(chart.total_received)}
        return chart
    values = {"n": months, "paid": format_eur(chart.total_paid), "received": format_eur(chart.total_received),
              "month": busiest.label, "amount": format_eur(busiest.paid)}
    if not chart.total_received:
        chart.summary = _(
            "Sur les %(n)d derniers mois, vous avez payé %(paid)s ; aucun remboursement ni indemnité reçu. "
            "Le mois où vous avez le plus payé : %(month)s (%(amount)s)."
        ) % values
        return chart
    chart.summary = _(
        "Sur les %(n)d derniers mois, vous avez payé %(paid)s et reçu %(received)s (remboursements et indemnités). "
        "Le mois où vous avez le plus payé : %(month)s (%(amount)s)."
    ) % values
    return chart
