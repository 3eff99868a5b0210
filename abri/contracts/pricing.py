"""Bridge between contracts (Django) and the pure pricing engine: build requests, quote changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abri import pricing
from abri.billing.choices import ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.contracts.models import Contract
from abri.contracts.ports import indemnified_claims_since
from abri.contracts.rules import next_main_due_date
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur

CHOICE_KEYS = ("formula", "options", "deductible", "contents_capital", "valuables_capital", "payment_frequency")


def contract_choices(contract: Contract) -> dict:
    """The customer-changeable choices of a contract, as plain JSON values."""
    return {
        "formula": contract.formula,
        "options": sorted(contract.options or []),
        "deductible": str(contract.deductible.quantize(Decimal("1"))),
        "contents_capital": str(contract.contents_capital.quantize(Decimal("1"))) if contract.contents_capital else "",
        "valuables_capital": str(contract.valuables_capital.quantize(Decimal("1"))),
        "payment_frequency": contract.payment_frequency,
    }


def claims_in_36_months(contract: Contract) -> int:
    """Indemnified claims on this home in the last 36 months (the usual rating basis: « sinistres indemnisés »)."""
    return indemnified_claims_since(contract, timezone.now() - timedelta(days=3 * 365))


def quote_request(contract: Contract, choices: dict, *, effective_date: date | None = None,
                  claims: int | None = None) -> pricing.QuoteRequest:
    """A QuoteRequest for this contract's home with the given choices."""
    home = contract.property
    contents = choices.get("contents_capital")
    return pricing.QuoteRequest(
        kind=home.kind, occupant_status=home.occupant_status, rooms=home.rooms, surface_m2=home.surface_m2,
        risk_zone=home.risk_zone, floor=home.floor if home.kind == "apartment" else None,
        formula=choices["formula"], effective_date=effective_date or timezone.localdate(),
        options=frozenset(choices.get("options") or []),
        contents_capital=Decimal(contents) if contents not in (None, "") else None,
        valuables_capital=Decimal(choices.get("valuables_capital") or 0),
        deductible=Decimal(choices["deductible"]) if choices.get("deductible") not in (None, "") else None,
        claims_36_months=claims_in_36_months(contract) if claims is None else claims,
        payment_frequency=choices.get("payment_frequency") or "annual",
        has_garden=home.has_garden, has_pool=home.has_pool, outbuildings_m2=home.outbuildings_m2,
        building_capital=_building_capital(contract, choices),
    )


def _building_capital(contract: Contract, choices: dict) -> Decimal | None:
    """The building capital to price: the one chosen, else the contract's (owners); None computes it."""
    chosen = choices.get("building_capital")
    if chosen not in (None, ""):
        return Decimal(chosen)
    return contract.building_capital or None


@dataclass
class ChangeQuote:
    """What an edit costs: new price, pro-rata until the next due date, what changes in cover, advice.

    `prorata` is the only charge (or refund) for the rest of the current period: the instalments already
    scheduled in that period are not repriced (a change is charged once). A new payment frequency applies from
    the next main due date, so the pro-rata compares both covers at the current frequency.
    """

    choices: dict
    quote: pricing.Quote | None = None
    current: pricing.Quote | None = None
    referral: pricing.Referral | None = None
    errors: dict = field(default_factory=dict)
    prorata: Decimal = Decimal("0.00")
    next_due_date: date | None = None
    frequency_changed: bool = False
    capital_referral: tuple[Decimal, Decimal] | None = None  # (contents capital asked, online ceiling)
    settles_period: bool = False  # paid less often from now on: the period's instalments are settled in one line
    gained: list = field(default_factory=list)
    lost: list = field(default_factory=list)
    advice: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.quote is not None and not self.errors

    @property
    def breakdown(self) -> tuple:
        """The new price explained, adding up to the cent (cover lines, price before tax, each tax, total)."""
        return price_breakdown(self.quote) if self.quote is not None else ()


def quote_change(*, contract: Contract, choices: dict, today: date | None = None,
                 claims: int | None = None) -> ChangeQuote:
    """Price a change of the contract against its current choices (the pure engine does the maths)."""
    from abri.contracts.tariff_admin import tariffs_refresh_if_changed

    tariffs_refresh_if_changed()
    today = today or timezone.localdate()
    claims = claims_in_36_months(contract) if claims is None else claims
    result = ChangeQuote(choices=choices)
    try:
        current = pricing.quote(quote_request(contract, contract_choices(contract), effective_date=today, claims=claims))
    except pricing.TariffValidationError:
        current = None
    result.current = current if isinstance(current, pricing.Quote) else None
    request = quote_request(contract, choices, effective_date=today, claims=claims)
    try:
        outcome = pricing.quote(request)
    except pricing.TariffValidationError as exc:
        result.errors = dict(exc.errors)
        ceiling = contents_ceiling(contract) if "contents_capital" in result.errors else None
        asked = request.contents_capital
        if ceiling is not None and asked is not None and Decimal(asked) > ceiling:
            # Above the online ceiling is not a refusal: the request can be kept and studied by an advisor.
            result.capital_referral = (Decimal(asked), ceiling)
            result.errors["contents_capital"] = _(
                "Au-delà de %(ceiling)s, le capital mobilier est étudié par un conseiller : vous pouvez le lui "
                "demander, vos choix sont gardés.") % {
                "ceiling": format_eur(ceiling)}
        return result
    except pricing.NoTariffInForce:
        result.errors = {"formula": _("Aucun tarif n'est en vigueur à cette date : contactez votre conseiller.")}
        return result
    if isinstance(outcome, pricing.Referral):
        result.referral = outcome
        return result
    result.quote = outcome
    if result.current is not None:
        # The renewal job moves the due date on the day; until it has run, the next one is a year later.
        result.next_due_date = next_main_due_date(contract.main_due_date, today)
        result.frequency_changed = outcome.payment_frequency != result.current.payment_frequency
        result.settles_period = result.frequency_changed and outcome.instalment_count < result.current.instalment_count
        period_total = outcome.total_annual
        if result.frequency_changed:  # the current period stays at the current frequency (and its surcharge)
            period = pricing.quote(quote_request(contract, choices | {"payment_frequency": contract.payment_frequency},
                                                 effective_date=today, claims=claims))
            period_total = period.total_annual if isinstance(period, pricing.Quote) else outcome.total_annual
        result.prorata = pricing.prorata(result.current.total_annual, period_total, today, result.next_due_date)
        before, after = set(result.current.covered), set(outcome.covered)
        result.gained = sorted(after - before)
        result.lost = sorted(before - after)
    try:
        result.advice = pricing.advise(request)
    except pricing.PricingError:
        result.advice = []
    return result


def premium_breakdown(contract: Contract) -> dict[str, Decimal] | None:
    """The contract's annual premium split as the tariff prices it (for billing's invoices); None if it cannot."""
    try:
        quote = pricing.quote(quote_request(contract, contract_choices(contract)))
    except pricing.PricingError:
        return None
    if not isinstance(quote, pricing.Quote):  # a referral: no price online
        return None
    return {"net_premium": quote.net_premium, "instalment_surcharge": quote.instalment_surcharge,
            "catnat_surcharge": quote.catnat_surcharge, "insurance_tax": quote.insurance_tax,
            "terrorism_contribution": quote.terrorism_contribution}


def quote_as_json(quote: pricing.Quote) -> dict:
    """A quote frozen as JSON (amounts as strings) for simulations and amendments."""
    return {
        "tariff_version": quote.tariff_version,
        "formula": quote.formula,
        "payment_frequency": quote.payment_frequency,
        "deductible": str(quote.deductible),
        "net_premium": str(quote.net_premium),
        "taxes": str(quote.taxes),
        "instalment_surcharge": str(quote.instalment_surcharge),
        "total_annual": str(quote.total_annual),
        "instalment_count": quote.instalment_count,
        "instalment_amount": str(quote.instalment_amount),
        "covered": list(quote.covered),
        "lines": [{"code": li.code, "label": li.label, "total": str(li.total)} for li in quote.lines],
    }


@dataclass(frozen=True)
class ScheduleLine:
    """One line of the schedule an amendment leaves: when, how much, what it is, and the item it changes."""

    due_date: date
    amount: Decimal
    label: str
    kind: str  # "adjustment" (the pro-rata, or the period's balance), "unchanged", "new_price"
    item_id: int | None = None
    old_amount: Decimal | None = None
    replaces: tuple[int, ...] = ()  # the period's instalments this balance line settles (cancelled when signed)


ADJUSTMENT_DEBIT_DAYS = 10  # the pro-rata is debited ten days after signing
ADJUSTMENT_REFUND_DAYS = 30  # and refunded within thirty days


def amendment_schedule(*, contract: Contract, result: ChangeQuote, today: date | None = None) -> list[ScheduleLine]:
    """The contract's upcoming schedule once the change is signed: one method, charged once.

    The pro-rata temporis (Code des assurances practice for avenants) is the single charge or refund for the rest
    of the current period, up to the next main due date; the instalments already scheduled in that period pay the
    period at its current price and are left as they are. Instalments from the main due date belong to the next
    period: they follow the new price (and the new payment frequency, if it changed).
    """
    from django.utils.translation import ngettext

    from abri.contracts.rules import add_months

    if not result.ok:
        return []
    today = today or timezone.localdate()
    quote, due = result.quote, contract.main_due_date
    lines: list[ScheduleLine] = []
    items = list(ScheduleItem.objects.filter(contract=contract, status=ScheduleStatus.UPCOMING, due_date__gt=today,
                                             amount__gt=0)
                 .exclude(reference__startswith="PRO-").order_by("due_date", "id"))
    in_period = [item for item in items if item.due_date < due]
    if result.settles_period and in_period:
        # Paid less often from now on (e.g. monthly -> annual): the instalments left in this period are settled in
        # one line with the pro-rata, then the new rhythm starts at the main due date. Never due before the first
        # of them (not charged earlier than planned) nor within the debit notice.
        balance = sum((item.amount for item in in_period), Decimal("0.00")) + result.prorata
        values = {"day": day_in_words(due, language="fr"), "count": len(in_period)}
        if balance >= 0:
            day = max(today + timedelta(days=ADJUSTMENT_DEBIT_DAYS), in_period[0].due_date)
            label = ngettext("Solde jusqu'au %(day)s : %(count)s échéance et l'avenant au prorata",
                             "Solde jusqu'au %(day)s : %(count)s échéances regroupées et l'avenant au prorata",
                             len(in_period)) % values
        else:
            day = today + timedelta(days=ADJUSTMENT_REFUND_DAYS)
            label = _("Remboursement de l'avenant jusqu'au %(day)s (prorata, échéances restantes déduites)") % values
        lines.append(ScheduleLine(day, balance, label, "adjustment", replaces=tuple(item.pk for item in in_period)))
        in_period = []
    elif result.prorata > 0:
        lines.append(ScheduleLine(today + timedelta(days=ADJUSTMENT_DEBIT_DAYS), result.prorata,
                                  _("Ajustement de l'avenant jusqu'au %(day)s (prorata)") % {"day": day_in_words(due, language="fr")},
                                  "adjustment"))
    elif result.prorata < 0:
        lines.append(ScheduleLine(today + timedelta(days=ADJUSTMENT_REFUND_DAYS), result.prorata,
                                  _("Remboursement de l'avenant jusqu'au %(day)s (prorata)") % {"day": day_in_words(due, language="fr")},
                                  "adjustment"))
    for item in in_period:
        lines.append(ScheduleLine(item.due_date, item.amount, _("Échéance (inchangée)"), "unchanged", item.pk,
                                  item.amount))
    next_period = [item for item in items if item.due_date >= due]
    if next_period and result.frequency_changed:
        step = 12 // quote.instalment_count
        for index, amount in enumerate(quote.instalments):
            lines.append(ScheduleLine(add_months(due, index * step), amount,
                                      _("Échéance au nouveau tarif et nouveau mode de paiement"), "new_price"))
    else:
        for index, item in enumerate(next_period):
            amount = quote.instalments[index] if index < len(quote.instalments) else quote.instalment_amount
            lines.append(ScheduleLine(item.due_date, amount, _("Échéance au nouveau tarif"), "new_price", item.pk,
                                      item.amount))
    return sorted(lines, key=lambda line: (line.due_date, line.kind != "adjustment"))


# --- The price explained ----------------------------------------------------------------------
# Cover lines -> price before tax -> each tax -> total, adding up exactly: the rows are built from the quote's
# own columns (each column of Quote.lines already sums exactly to its total, by largest remainder).
# Which guarantees each shipped tax class covers, said to a person (CGI art. 991 and 1001).
TAX_CLASS_SCOPES = {
    "fire": gettext_lazy("incendie et responsabilité locative"),
    "legal_protection": gettext_lazy("protection juridique"),
    "other": gettext_lazy("autres garanties"),
}


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One row of the price explained: `kind` is cover, subtotal, surcharge, catnat, tax, terrorism or total."""

    kind: str
    label: str
    amount: Decimal


def _percent(rate: Decimal) -> str:
    """0.134 -> '13,4 %' (decimal comma, no-break space before the sign)."""
    text = f"{(rate * 100).normalize():f}".replace(".", ",")
    return f"{text}\u00a0%"


def price_breakdown(quote: pricing.Quote, tariff: pricing.Tariff | None = None) -> tuple[BreakdownRow, ...]:
    """The quote's annual price explained: each cover's premium before tax (a guarantee priced both by the
    formula and by an option is one line), the price before tax, the instalment surcharge, the Cat Nat
    surcharge, the insurance tax per rate, the terrorism contribution (FGTI), the total."""
    tariff = tariff or pricing.tariff_by_version(quote.tariff_version)
    covers: dict[str, list] = {}
    taxes: dict[Decimal, Decimal] = {}
    scopes: dict[Decimal, list[str]] = {}
    for line in quote.lines:
        if line.code in covers:
            covers[line.code][1] += line.net_premium
        else:
            covers[line.code] = [line.label, line.net_premium]
        guarantee = tariff.guarantees.get(line.code)
        tax_class = guarantee.tax_class if guarantee else "other"
        rate = tariff.insurance_tax.get(tax_class, Decimal(0))
        taxes[rate] = taxes.get(rate, Decimal("0.00")) + line.insurance_tax
        scope = TAX_CLASS_SCOPES.get(tax_class)
        if scope and scope not in scopes.setdefault(rate, []):
            scopes[rate].append(scope)
    rows = [BreakdownRow("cover", label, amount) for label, amount in covers.values()]
    rows.append(BreakdownRow("subtotal", _("Cotisation hors taxes"), quote.net_premium))
    if quote.instalment_surcharge:
        frequency = tariff.frequencies.get(quote.payment_frequency)
        label = (_("Frais de fractionnement (%(rate)s, paiement en %(count)s fois)")
                 % {"rate": _percent(frequency.surcharge), "count": quote.instalment_count}) if frequency \
            else _("Frais de fractionnement")
        rows.append(BreakdownRow("surcharge", label, quote.instalment_surcharge))
    if quote.catnat_surcharge:
        rows.append(BreakdownRow(
            "catnat", _("Surprime catastrophes naturelles (%(rate)s des garanties dommages)")
            % {"rate": _percent(tariff.catnat_rate)},
            quote.catnat_surcharge))
    for rate in sorted(taxes, reverse=True):
        if taxes[rate]:
            values = {"rate": _percent(rate), "scope": _(" et ").join(str(s) for s in scopes.get(rate, []))}
            label = (_("Taxe sur les conventions d'assurance (%(rate)s, %(scope)s)") if values["scope"]
                     else _("Taxe sur les conventions d'assurance (%(rate)s)")) % values
            rows.append(BreakdownRow("tax", label, taxes[rate]))
    if quote.terrorism_contribution:
        rows.append(BreakdownRow("terrorism", _("Contribution attentats (FGTI, par contrat et par an)"),
                                 quote.terrorism_contribution))
    rows.append(BreakdownRow("total", _("Total annuel TTC"), quote.total_annual))
    return tuple(rows)


def contract_price_breakdown(contract: Contract) -> tuple[BreakdownRow, ...]:
    """The contract's annual premium explained, repriced with its own tariff version and choices; empty when
    that does not give the premium on the contract (a price set by an advisor, or facts changed since): a
    breakdown must add up to the amount shown."""
    try:
        tariff = pricing.tariff_by_version(contract.tariff_version)
        outcome = pricing.quote(quote_request(contract, contract_choices(contract),
                                              effective_date=max(tariff.effective_from, contract.start_date)), tariff)
    except (pricing.PricingError, LookupError):
        return ()
    if not isinstance(outcome, pricing.Quote) or outcome.total_annual != contract.annual_premium:
        return ()
    return price_breakdown(outcome, tariff)


# --- What can be offered ----------------------------------------------------------------------
@dataclass(frozen=True)
class OptionOffer:
    """Which options the change page offers for this home and formula, and why the others are not offered."""

    offered: tuple[str, ...]
    included: tuple[tuple[str, str], ...]  # (code, label): already in the formula, never offered again
    unavailable: tuple[tuple[str, str, str], ...]  # (code, label, reason in French)
    formula_label: str = ""


def option_offer(*, contract: Contract, formula: str) -> OptionOffer:
    """Offer only what applies: an option the home cannot have (a garden for a flat without one) is not offered,
    with its reason; an option the formula already includes is not offered again."""
    home = contract.property
    try:
        tariff = pricing.tariff_in_force(timezone.localdate())
    except pricing.NoTariffInForce:
        return OptionOffer((), (), (), "")
    formula_label = tariff.formulas[formula].label if formula in tariff.formulas else ""
    offered, included, unavailable = [], [], []
    for option in tariff.options.values():
        reason = ""
        if option.requires == "has_garden" and not home.has_garden:
            reason = (_("votre appartement n'a pas de jardin déclaré") if home.kind == "apartment"
                      else _("votre logement n'a pas de jardin déclaré"))
        elif option.requires == "has_pool" and not home.has_pool:
            reason = _("votre logement n'a pas de piscine déclarée")
        elif option.requires == "outbuildings" and (home.outbuildings_m2 or 0) <= option.threshold_m2:
            reason = _("pas de dépendances de plus de %(m2)s m² déclarées") % {"m2": f"{option.threshold_m2:.0f}"}
        if reason:
            unavailable.append((option.code, option.label, reason))
        elif formula in option.included_in:
            included.append((option.code, option.label))
        else:
            offered.append(option.code)
    return OptionOffer(tuple(offered), tuple(included), tuple(unavailable), formula_label)


def contents_ceiling(contract: Contract) -> Decimal | None:
    """The highest contents capital priced online for this home (above it: an advisor studies the request)."""
    try:
        return pricing.tariff_in_force(timezone.localdate()).contents_ceiling(contract.property.rooms)
    except pricing.NoTariffInForce:
        return None
