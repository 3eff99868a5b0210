"""Contract pages: list, detail, instant repricing of changes, simulations, amendments, comparison,
conditions, and termination in three clicks (L113-14)."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abri import pricing
from abri.accounts.stepup import step_up_required
from abri.contracts import services
from abri.contracts.choices import Formula
from abri.contracts.conditions import conditions_for
from abri.contracts.forms import ChangeForm, SimulationNameForm, TerminationConfirmForm, TerminationForm
from abri.contracts.models import Amendment, Simulation, TerminationRequest
from abri.contracts.pricing import (
    amendment_schedule,
    contract_choices,
    contract_price_breakdown,
    option_offer,
    quote_change,
)
from abri.contracts.referrals import CapitalRequestError, capital_request_submit
from abri.contracts.selectors import (
    contract_for_pricing,
    contract_get,
    contracts_for_customer,
    properties_for_customer,
)
from abri.core.decorators import customer_required
from abri.core.downloads import download_response
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur


@customer_required
def contract_list(request):
    """Mes contrats: every contract and home."""
    return render(request, "contracts/list.html", {
        "contracts": contracts_for_customer(customer=request.customer),
        "properties": properties_for_customer(customer=request.customer),
        "active_menu": "contracts",
    })


@customer_required
def contract_detail(request, number: str):
    """One contract: home, guarantees, ceilings, deductibles, and what can be done with it."""
    contract = contract_get(customer=request.customer, number=number)
    return render(request, "contracts/detail.html", {
        "contract": contract, "active_menu": "contracts",
        "amendments": contract.amendments.all()[:5], "terminations": contract.terminations.all()[:3],
        "breakdown": contract_price_breakdown(contract),
    })


# --- Changes with instant repricing ---------------------------------------------------------
def _change_form(request, contract):
    data = request.POST if request.method == "POST" else (request.GET if "formula" in request.GET else None)
    formula = (data or {}).get("formula")
    formula = formula if formula in Formula.values else contract.formula
    return ChangeForm(data, initial=contract_choices(contract), offer=option_offer(contract=contract, formula=formula))


@customer_required
def contract_change(request, number: str):
    """Change options, capitals, deductible or formula: the price follows each edit (htmx or « Calculer »)."""
    contract = contract_for_pricing(customer=request.customer, number=number)
    if not contract.is_changeable:
        messages.error(request, _("Ce contrat ne peut plus être modifié en ligne."))
        return redirect("contracts:detail", number=contract.number)
    form = _change_form(request, contract)
    result = None
    if form.is_bound and form.is_valid():
        result = quote_change(contract=contract, choices=form.choices())
        for field, message in result.errors.items():
            form.add_error(field if field in form.fields else None, message)
    elif not form.is_bound:
        result = quote_change(contract=contract, choices=contract_choices(contract))
    context = {"contract": contract, "form": form, "result": result, "active_menu": "contracts",
               "name_form": SimulationNameForm(), "idempotency_key": uuid.uuid4().hex}
    if request.htmx:
        # An edit repriced in place (ADR 0009): the panel, and one short sentence for the status region.
        context["announce"] = _price_announcement(result, shown=request.GET.get("prix_affiche", ""))
        return render(request, "contracts/partials/price_update.html", context)
    return render(request, "contracts/change.html", context)


def _price_announcement(result, *, shown: str) -> str:
    """What a screen reader hears after an edit: the new price, « Prix inchangé » or what to correct."""
    if result is not None and result.referral:
        return str(result.referral.reason)
    if result is None or result.quote is None:
        return _("Corrigez les choix signalés pour voir le prix.")
    total = result.quote.total_annual
    if shown == str(total):
        return _("Prix inchangé : %(price)s par an") % {"price": format_eur(total)}
    if result.current:
        return _("Nouveau prix : %(price)s par an, aujourd'hui %(current)s") % {
            "price": format_eur(total), "current": format_eur(result.current.total_annual)}
    return _("Nouveau prix : %(price)s par an") % {"price": format_eur(total)}


@customer_required
@require_POST
def simulation_create(request, number: str):
    """Save the current choices as a named simulation."""
    contract = contract_get(customer=request.customer, number=number)
    form = ChangeForm(request.POST)
    name_form = SimulationNameForm(request.POST)
    if form.is_valid() and name_form.is_valid():
        try:
            services.simulation_save(customer=request.customer, contract=contract, name=name_form.cleaned_data["name"],
                                     choices=form.choices())
            messages.success(request, _("Simulation enregistrée."))
            return redirect("contracts:simulations", number=contract.number)
        except services.ContractError as exc:
            messages.error(request, str(exc))
    result = quote_change(contract=contract, choices=form.choices()) if form.is_valid() else None
    return render(request, "contracts/change.html", {
        "contract": contract, "form": form, "name_form": name_form, "result": result, "active_menu": "contracts",
        "idempotency_key": uuid.uuid4().hex}, status=422)


@customer_required
@require_POST
def capital_request(request, number: str):
    """Ask for a contents capital above the online ceiling: kept and referred to an advisor, choices kept."""
    contract = contract_for_pricing(customer=request.customer, number=number)
    form = ChangeForm(request.POST)
    result = quote_change(contract=contract, choices=form.choices()) if form.is_valid() else None
    back = reverse("contracts:change", args=[contract.number])
    if result is None or result.capital_referral is None:
        messages.error(request, _("Ce capital peut être calculé en ligne : vérifiez vos choix et le prix."))
    else:
        requested, ceiling = result.capital_referral
        try:
            capital_request_submit(customer=request.customer, contract=contract, requested_capital=requested,
                                   online_ceiling=ceiling, choices=form.choices())
        except CapitalRequestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Demande transmise à un conseiller : il étudie le capital mobilier de "
                                        "%(capital)s et vous recontacte. Votre contrat reste inchangé d'ici là.")
                             % {"capital": format_eur(requested)})
    if form.is_valid():  # back to the page with what was typed
        return redirect(f"{back}?{urlencode(form.choices(), doseq=True)}")
    return redirect(back)


@customer_required
def simulation_list(request, number: str):
    """Saved simulations; choose 2 to 4 to compare side by side."""
    contract = contract_get(customer=request.customer, number=number)
    simulations = list(Simulation.objects.for_customer(request.customer).filter(contract=contract))
    selected_ids = {int(i) for i in request.GET.getlist("comparer") if i.isascii() and i.isdigit()}
    compared = [s for s in simulations if s.pk in selected_ids]
    error = ""
    if request.GET.getlist("comparer") and not 2 <= len(compared) <= 4:
        error = _("Choisissez de 2 à 4 simulations à comparer.")
        compared = []
    for simulation in simulations:
        simulation.stale = services.simulation_is_stale(simulation)
    codes = sorted({c for s in compared for c in s.quote.get("covered", [])})
    return render(request, "contracts/simulations.html", {
        "contract": contract, "simulations": simulations, "compared": compared, "compare_error": error,
        "covered_codes": codes, "labels": _guarantee_labels(), "active_menu": "contracts",
        "current": contract_choices(contract),
    })


def _guarantee_labels() -> dict:
    from abri.contracts.choices import GuaranteeCode

    return dict(GuaranteeCode.choices)


@customer_required
@require_POST
def simulation_delete(request, number: str, pk: int):
    contract = contract_get(customer=request.customer, number=number)
    if services.simulation_delete(customer=request.customer, simulation_id=pk):
        messages.success(request, _("Simulation supprimée."))
    return redirect("contracts:simulations", number=contract.number)


@customer_required
@step_up_required
def amendment_confirm(request, number: str):
    """Review and sign the change (after step-up authentication): the amendment is applied once."""
    contract = contract_get(customer=request.customer, number=number)
    source = request.POST if request.method == "POST" else request.GET
    simulation = None
    if source.get("simulation"):
        simulation_id = source.get("simulation")
        if not (simulation_id.isascii() and simulation_id.isdigit()):
            raise Http404
        simulation = Simulation.objects.get_for_customer(request.customer, contract=contract, pk=simulation_id)
        stale = services.simulation_is_stale(simulation)
        if stale:
            messages.error(request, stale)
            query = "&".join(f"{k}={v}" for k, v in simulation.choices.items() if k != "options")
            options = "".join(f"&options={o}" for o in simulation.choices.get("options", []))
            return redirect(reverse("contracts:change", args=[contract.number]) + f"?{query}{options}")
        form = ChangeForm(simulation.choices | {"options": simulation.choices.get("options", [])})
    else:
        form = ChangeForm(source)
    if not form.is_valid():
        messages.error(request, _("Vérifiez vos choix avant de confirmer."))
        return redirect("contracts:change", number=contract.number)
    result = quote_change(contract=contract, choices=form.choices())
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            expected = int(request.POST.get("version", "0"))
        except ValueError:
            expected = 0
        try:
            amendment = services.amendment_apply(
                customer=request.customer, contract=contract, choices=form.choices(), expected_version=expected,
                idempotency_key=(request.POST.get("idempotency_key") or uuid.uuid4().hex)[:64],
            )
        except services.ContractError as exc:
            messages.error(request, str(exc))
            return redirect("contracts:change", number=contract.number)
        text = _("Votre avenant %(number)s est signé. Il est dans vos documents.") % {"number": amendment.number}
        if amendment.prorata_amount > 0:
            text += " " + _("Montant dû jusqu'à l'échéance, facturé une seule fois : %(amount)s.") % {
                "amount": format_eur(amendment.prorata_amount)}
        elif amendment.prorata_amount < 0:
            text += " " + _("Remboursement jusqu'à l'échéance : %(amount)s.") % {
                "amount": format_eur(-amendment.prorata_amount)}
        messages.success(request, text)
        return redirect("contracts:amendments", number=contract.number)
    return render(request, "contracts/amendment_confirm.html", {
        "contract": contract, "form": form, "result": result, "simulation": simulation, "active_menu": "contracts",
        "idempotency_key": source.get("idempotency_key") or uuid.uuid4().hex,
        "schedule": amendment_schedule(contract=contract, result=result),
    })


@customer_required
def amendment_list(request, number: str):
    """The contract's amendment history."""
    contract = contract_get(customer=request.customer, number=number)
    amendments = Amendment.objects.for_customer(request.customer).filter(contract=contract).select_related("document")
    return render(request, "contracts/amendments.html", {"contract": contract, "amendments": amendments,
                                                          "active_menu": "contracts"})


# --- Comparison and conditions --------------------------------------------------------------
@customer_required
def formula_comparison(request, number: str):
    """The customer's formula next to the others, with the price of each for this customer."""
    contract = contract_get(customer=request.customer, number=number)
    coverage = pricing.formula_coverage()
    columns = []
    for formula in coverage:
        choices = contract_choices(contract) | {"formula": formula.code}
        result = quote_change(contract=contract, choices=choices)
        if not result.ok:  # options of the current formula may not exist in another: price it without them
            choices = choices | {"options": [], "valuables_capital": "0",
                                 "deductible": str(formula.default_deductible.quantize(1))}
            result = quote_change(contract=contract, choices=choices)
        columns.append({"formula": formula, "result": result, "current": formula.code == contract.formula})
    rows = []
    for index, item in enumerate(coverage[0].items):
        rows.append({"label": item.label, "code": item.code,
                     "cells": [column["formula"].items[index] for column in columns]})
    return render(request, "contracts/comparison.html", {"contract": contract, "columns": columns, "rows": rows,
                                                         "active_menu": "contracts"})


@customer_required
def contract_conditions(request, number: str):
    """General and particular conditions together, what is specific to the customer highlighted."""
    contract = contract_get(customer=request.customer, number=number)
    query = (request.GET.get("q") or "").strip()[:100]
    document = conditions_for(contract=contract, query=query)
    return render(request, "contracts/conditions.html", {"contract": contract, "conditions": document, "q": query,
                                                         "active_menu": "contracts"})


@customer_required
def contract_conditions_pdf(request, number: str):
    """The general conditions of the contract's version as a PDF (exclusions in very apparent characters)."""
    from abri.contracts.conditions import general_conditions_pdf

    contract = contract_get(customer=request.customer, number=number)
    return download_response(content=general_conditions_pdf(contract.tariff_version), content_type="application/pdf",
                             filename=f"conditions-generales-{contract.tariff_version}.pdf", inline=True)


# --- Termination in three clicks ------------------------------------------------------------
SESSION_KEY = "abri_termination"


@customer_required
def termination_start(request):
    """« Résilier votre contrat »: the permanent entry; choose the contract."""
    contracts = [c for c in contracts_for_customer(customer=request.customer) if c.is_changeable]
    if len(contracts) == 1:
        return redirect("contracts:terminate", number=contracts[0].number)
    return render(request, "contracts/termination_choose.html", {"contracts": contracts, "active_menu": "contracts"})


@customer_required
@step_up_required
def termination_form(request, number: str):
    """Click 1: conditions and consequences, the end dates open to the customer side by side, then the form
    (identity, contract, reason, date)."""
    contract = contract_get(customer=request.customer, number=number)
    if not contract.is_changeable:
        pending = contract.terminations.first()
        if pending:
            return redirect("contracts:termination_done", number=contract.number, termination=pending.number)
        raise Http404
    form = TerminationForm(request.POST or None, initial=request.session.get(SESSION_KEY, {}).get(number))
    if request.method == "POST" and form.is_valid():
        outcome, _refund = services.termination_preview(contract=contract, reason=form.cleaned_data["reason"],
                                                        requested_date=form.cleaned_data.get("requested_date"))
        if outcome.effective is None:
            form.add_error("reason", outcome.refused)
        else:
            data = dict(form.cleaned_data)
            data["requested_date"] = data["requested_date"].isoformat() if data.get("requested_date") else ""
            request.session[SESSION_KEY] = {number: data}
            return redirect("contracts:terminate_summary", number=contract.number)
    return render(request, "contracts/termination_form.html", {
        "contract": contract, "form": form, "active_menu": "contracts",
        "options": services.termination_options(contract=contract, reason="due_date"), "today": timezone.localdate(),
    }, status=422 if form.is_bound else 200)


@customer_required
@step_up_required
def termination_summary(request, number: str):
    """Click 2: the summary, the end dates side by side (the earliest chosen), and « Confirmer ma demande de
    résiliation »."""
    contract = contract_get(customer=request.customer, number=number)
    data = request.session.get(SESSION_KEY, {}).get(number)
    if not data:
        return redirect("contracts:terminate", number=contract.number)
    requested = date.fromisoformat(data["requested_date"]) if data.get("requested_date") else None
    options = services.termination_options(contract=contract, reason=data["reason"], requested_date=requested)
    default = next((o["code"] for o in options if o["default"]), None)
    form = TerminationConfirmForm(
        request.POST if request.method == "POST" else None, initial={"basis": default}, options=options,
        needs_new_insurer=lambda basis: services.termination_needs_new_insurer(contract=contract, basis=basis))
    if request.method == "POST" and form.is_valid():
        try:
            termination = services.termination_request(
                customer=request.customer, contract=contract, reason=data["reason"],
                reason_text=data.get("reason_text", ""), requested_date=requested,
                idempotency_key=(request.POST.get("idempotency_key") or uuid.uuid4().hex)[:64],
                basis=form.cleaned_data["basis"], new_insurer=form.cleaned_data["new_insurer"],
                new_policy_number=form.cleaned_data["new_policy_number"],
            )
        except services.ContractError as exc:
            messages.error(request, str(exc))
            return redirect("contracts:terminate", number=contract.number)
        request.session.pop(SESSION_KEY, None)
        return redirect("contracts:termination_done", number=contract.number, termination=termination.number)
    from abri.contracts.choices import TerminationReason

    return render(request, "contracts/termination_summary.html", {
        "contract": contract, "data": data, "reason_label": TerminationReason(data["reason"]).label,
        "options": options, "form": form, "is_tenant": contract.property.occupant_status == "tenant",
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex, "active_menu": "contracts",
        "now": timezone.now(),
    }, status=422 if form.is_bound else 200)


@customer_required
def termination_done(request, number: str, termination: str):
    """Click 3 done: the acknowledgement, with the end date and the PDF."""
    contract = contract_get(customer=request.customer, number=number)
    item = TerminationRequest.objects.get_for_customer(request.customer, contract=contract, number=termination)
    from abri.contracts.rules import refund_due_by

    return render(request, "contracts/termination_done.html", {"contract": contract, "termination": item,
                                                                "refund_by": refund_due_by(item.effective_date),
                                                                "active_menu": "contracts"})




# --- Moving house ---------------------------------------------------------------------------
MOVE_KEY = "abri_move"


@customer_required
@step_up_required
def move_start(request, number: str):
    """Declare the new home and the moving date; the price for the new home follows."""
    from abri.contracts.forms import MoveForm

    contract = contract_get(customer=request.customer, number=number)
    if not contract.is_changeable:
        raise Http404
    form = MoveForm(request.POST or None, initial=request.session.get(MOVE_KEY, {}).get(number))
    if request.method == "POST" and form.is_valid():
        until = form.cleaned_data.get("old_home_until")
        data = {**form.home(), "moving_date": form.cleaned_data["moving_date"].isoformat(),
                "old_home_until": until.isoformat() if until else ""}
        request.session[MOVE_KEY] = {number: data}
        return redirect("contracts:move_confirm", number=contract.number)
    return render(request, "contracts/move_form.html", {"contract": contract, "form": form,
                                                         "active_menu": "contracts"})


@customer_required
@step_up_required
def move_confirm(request, number: str):
    """The quote for the new home, accepted in the same flow."""
    contract = contract_get(customer=request.customer, number=number)
    data = dict(request.session.get(MOVE_KEY, {}).get(number) or {})
    if not data:
        return redirect("contracts:move", number=contract.number)
    moving_date = date.fromisoformat(data.pop("moving_date"))
    until = data.pop("old_home_until", "")
    old_home_until = date.fromisoformat(until) if until else None
    choices = contract_choices(contract)
    if data["occupant_status"] != contract.property.occupant_status or data["rooms"] != contract.property.rooms:
        choices["contents_capital"] = ""  # the ceiling of the new home
    if data.get("has_garden") is False:
        choices["options"] = [o for o in choices["options"] if o not in {"garden", "pool", "outbuildings"}]
    result, shadow = services.move_quote(contract=contract, home=data, choices=choices, moving_date=moving_date)
    if request.method == "POST":
        try:
            new = services.move_house(customer=request.customer, contract=contract, home=data, moving_date=moving_date,
                                      choices=choices, old_home_until=old_home_until,
                                      idempotency_key=(request.POST.get("idempotency_key") or uuid.uuid4().hex)[:64])
        except services.ContractError as exc:
            messages.error(request, str(exc))
            return redirect("contracts:move", number=contract.number)
        request.session.pop(MOVE_KEY, None)
        messages.success(request, _("Votre nouveau logement est assuré à partir du %(day)s.")
                         % {"day": day_in_words(moving_date)})
        return redirect("contracts:detail", number=new.number)
    return render(request, "contracts/move_confirm.html", {
        "contract": contract, "home": data, "moving_date": moving_date, "result": result, "choices": choices,
        "old_home_until": old_home_until or moving_date,
        "zone": services.risk_zone_for_postcode(data["postcode"]), "idempotency_key": uuid.uuid4().hex,
        "active_menu": "contracts",
    })
