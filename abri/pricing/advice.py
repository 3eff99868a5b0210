"""Advice in French from a customer's profile: gaps in cover and ways to pay less."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from abri.pricing.engine import _amount, _whole, format_euros, format_number, quote, resolve_tariff
from abri.pricing.errors import NoTariffInForce, PricingError
from abri.pricing.tariff import Option, Tariff, tariff_in_force
from abri.pricing.types import Quote, QuoteRequest

UNDERINSURED_SHARE = Decimal("0.5")


def _total(request: QuoteRequest, tariff: Tariff) -> Decimal | None:
    """Total annual of a variant, or None if it cannot be priced online."""
    try:
        result = quote(request, tariff)
    except PricingError:
        return None
    return result.total_annual if isinstance(result, Quote) else None


def _option(tariff: Tariff, requires: str | None = None, guarantee: str | None = None,
            pricing: str | None = None) -> Option | None:
    for option in tariff.options.values():
        if ((requires is None or option.requires == requires) and (guarantee is None or option.guarantee == guarantee)
                and (pricing is None or option.pricing == pricing)):
            return option
    return None


def _price_text(option: Option) -> str:
    if option.pricing == "flat":
        return f"{format_euros(option.amount)} par an"
    if option.pricing == "per_thousand":
        return f"{format_euros(option.amount)} par an pour 1\u202f000\u00a0€ assurés"
    if option.pricing == "percent":
        return f"+{_percent(option.amount)} de la cotisation"
    return f"−{_percent(1 - option.amount)} sur la cotisation"


def _percent(rate: Decimal) -> str:
    """« 7 % », « 2,5 % »."""
    return format(rate.scaleb(2).normalize(), "f").replace(".", ",") + "\u00a0%"


def advise(request: QuoteRequest, tariff: Tariff | None = None) -> list[str]:
    """French advice for this profile (never raises on incomplete input: rules that cannot apply are skipped)."""
    try:
        t = resolve_tariff(request, tariff)
    except PricingError:
        try:
            t = tariff_in_force(datetime.now(ZoneInfo("Europe/Paris")).date())
        except NoTariffInForce:
            return []
    formula = t.formulas.get(request.formula) if isinstance(request.formula, str) else None
    options = request.options if isinstance(request.options, frozenset) else frozenset()
    covered = set(formula.guarantees) if formula else set()
    covered |= {t.options[code].guarantee for code in options if code in t.options}
    advice: list[str] = []
    current = _total(request, t) if isinstance(request.effective_date, date) else None

    valuables = _amount(request.valuables_capital)
    if formula is not None and valuables is not None and valuables > formula.valuables_ceiling:
        better = next((f for f in t.formulas.values() if f.valuables_ceiling >= valuables), None)
        if better is not None:
            advice.append(
                f"Vos objets de valeur ({format_euros(valuables)}) dépassent le plafond de la formule "
                f"{formula.label} ({format_euros(formula.valuables_ceiling)}) : la formule {better.label} les "
                f"couvre jusqu'à {format_euros(better.valuables_ceiling)}.")
        else:
            advice.append(
                f"Vos objets de valeur ({format_euros(valuables)}) dépassent le plafond le plus élevé de nos "
                "formules : un conseiller peut étudier une garantie adaptée.")
    elif valuables is not None and valuables > 0 and "valuables" not in covered:
        option = _option(t, requires="valuables_capital")
        if option is not None:
            advice.append(f"Pour assurer vos objets de valeur, ajoutez l'option « {option.label} » "
                          f"({_price_text(option)}).")

    alarm = _option(t, pricing="factor")
    if alarm is not None and alarm.code not in options and (
            (request.kind == "apartment" and _whole(request.floor) == 0) or request.kind == "house"):
        where = "Au rez-de-chaussée" if request.kind == "apartment" else "Dans une maison"
        advice.append(f"{where}, le risque de cambriolage est plus élevé : une alarme télésurveillée vous "
                      f"protège et réduit votre cotisation ({_price_text(alarm)}).")

    legal = _option(t, guarantee="legal")
    if request.occupant_status == "tenant" and "legal" not in covered and legal is not None:
        advice.append("Locataire, la protection juridique vous accompagne en cas de litige avec votre "
                      f"propriétaire (dépôt de garantie, travaux, charges) : option « {legal.label} », "
                      f"{_price_text(legal)}.")

    rooms = _whole(request.rooms)
    contents = _amount(request.contents_capital) if request.contents_capital is not None else None
    if contents is not None and rooms is not None and rooms >= 1:
        ceiling = t.contents_ceiling(rooms)
        if contents < ceiling * UNDERINSURED_SHARE and request.occupant_status != "pno":
            advice.append(
                f"Votre capital mobilier ({format_euros(contents)}) paraît bas pour {rooms} pièce"
                f"{'s' if rooms > 1 else ''} : estimez la valeur de vos biens. En cas de sinistre, une "
                "sous-évaluation réduit l'indemnité en proportion (règle proportionnelle, art. L121-5 du "
                f"Code des assurances). Vous pouvez assurer jusqu'à {format_euros(ceiling)}.")

    for requires, feature, present in (("has_pool", "une piscine", request.has_pool is True),
                                       ("has_garden", "un jardin", request.has_garden is True)):
        option = _option(t, requires=requires)
        if present and option is not None and option.code not in options:
            advice.append(f"Votre logement a {feature} : l'option « {option.label} » ({_price_text(option)}) "
                          "couvre ses équipements et aménagements.")
    outbuildings_option = _option(t, requires="outbuildings")
    outbuildings = _amount(request.outbuildings_m2)
    if (outbuildings_option is not None and outbuildings is not None and outbuildings_option.code not in options
            and outbuildings > outbuildings_option.threshold_m2):
        advice.append(f"Vos dépendances dépassent {format_number(outbuildings_option.threshold_m2)} m² : "
                      f"ajoutez l'option « {outbuildings_option.label} » ({_price_text(outbuildings_option)}) "
                      "pour qu'elles soient couvertes.")

    if current is not None and formula is not None:
        advice.extend(_cheaper_variants(request, t, current, options))
    return advice


def _cheaper_variants(request: QuoteRequest, t: Tariff, current: Decimal, options: frozenset[str]) -> list[str]:
    """Advice that compares the price of the request with close variants."""
    advice = []
    formula = t.formulas[request.formula]
    for other in t.formulas.values():
        if other.factor <= formula.factor:
            continue
        kept = frozenset(code for code in options if other.code not in t.options[code].included_in)
        if kept == options:
            continue
        # Same deductible as today, so that only the cover changes.
        deductible = request.deductible if request.deductible is not None else formula.default_deductible
        total = _total(replace(request, formula=other.code, options=kept, deductible=deductible), t)
        if total is not None and total <= current:
            advice.append(f"Avec ces options, la formule {other.label} vous couvrirait davantage pour "
                          f"{format_euros(total)} par an au lieu de {format_euros(current)}.")
            break
    if request.payment_frequency != "annual" and "annual" in t.frequencies:
        total = _total(replace(request, payment_frequency="annual"), t)
        if total is not None and total < current:
            advice.append(f"En payant en une fois par an, vous économiseriez {format_euros(current - total)} "
                          "de frais de fractionnement.")
    if request.claims_36_months == 0:
        deductible = request.deductible if request.deductible is not None else formula.default_deductible
        higher = sorted(d for d in t.deductible_factors if d > deductible)
        if higher:
            total = _total(replace(request, deductible=higher[0]), t)
            if total is not None and total < current:
                advice.append(f"Sans sinistre récent, une franchise de {format_euros(higher[0])} réduirait votre "
                              f"cotisation de {format_euros(current - total)} par an.")
    return advice
