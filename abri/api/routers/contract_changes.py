"""Contract changes for the mobile app: quote, simulations, amendment acceptance, termination.

The same services as the pages (abri.contracts.services); amendments and termination need a fresh second
factor (POST /api/v1/auth/step-up), exactly like on the website.
"""

from __future__ import annotations

from datetime import date

from ninja import Field, Path, Router, Schema

from abri.accounts.stepup import api_step_up_required
from abri.api.problems import problem
from abri.api.security import request_customer
from abri.api.types import NUMBER_PATTERN, Money
from abri.contracts import services
from abri.contracts.forms import ChangeForm, TerminationForm
from abri.contracts.models import Amendment, Simulation
from abri.contracts.pricing import amendment_schedule, quote_change
from abri.contracts.selectors import contract_get

router = Router(tags=["modifications de contrat"])
NUMBER = Path(..., pattern=NUMBER_PATTERN)


class ChoicesIn(Schema):
    formula: str = Field(..., max_length=20)
    options: list[str] = Field(default_factory=list, max_length=10)
    deductible: str = Field(..., max_length=5)
    contents_capital: str = Field("", max_length=10, description="Vide : au plafond de la formule.")
    valuables_capital: str = Field("0", max_length=10)
    payment_frequency: str = Field("annual", max_length=12)


class ScheduleLineOut(Schema):
    due_date: date
    amount: Money
    label: str
    kind: str = Field(description="adjustment (le prorata, seul montant dû ou remboursé pour la période en cours), "
                                  "unchanged (échéance de la période en cours), new_price (période suivante).")


class QuoteOut(Schema):
    total_annual: Money
    instalment_count: int
    instalment_amount: Money
    current_total_annual: Money | None
    prorata: Money = Field(description="> 0 dû, < 0 remboursé jusqu'à la prochaine échéance.")
    gained: list[str]
    lost: list[str]
    advice: list[str]
    tariff_version: str
    schedule: list[ScheduleLineOut] = Field(default_factory=list,
                                            description="L'échéancier après signature de l'avenant.")


class SimulationIn(ChoicesIn):
    name: str = Field(..., min_length=1, max_length=80)


class SimulationOut(Schema):
    id: int
    name: str
    total_annual: Money
    tariff_version: str
    valid_until: date
    choices: dict
    stale: str

    @staticmethod
    def resolve_stale(obj) -> str:
        return services.simulation_is_stale(obj)


class AmendmentIn(Schema):
    choices: ChoicesIn | None = None
    simulation_id: int | None = None
    version: int = Field(..., description="La version du contrat que le client a vue (verrou optimiste).")
    idempotency_key: str = Field(..., min_length=8, max_length=64)


class AmendmentOut(Schema):
    number: str
    effective_date: date
    old_total_annual: Money
    new_total_annual: Money
    prorata_amount: Money
    document_id: int | None


class TerminationIn(Schema):
    reason: str = Field(..., max_length=12)
    reason_text: str = Field("", max_length=2000)
    requested_date: date | None = None
    idempotency_key: str = Field("", max_length=64)
    basis: str | None = Field(None, max_length=12, description="hamon, chatel, due_date, moving or sale; "
                              "default: the earliest that applies")
    new_insurer: str = Field("", max_length=120, description="A tenant's Hamon termination: the new insurer")
    new_policy_number: str = Field("", max_length=60)


class TerminationOut(Schema):
    number: str | None = None
    effective_date: date = Field(description="Last day covered: cover ends at 24:00 on this day.")
    rule: str
    refund_amount: Money
    basis: str = ""


def _choices(request, number, payload: ChoicesIn):
    contract = contract_get(customer=request_customer(request), number=number)
    form = ChangeForm(payload.dict())
    if not form.is_valid():
        return contract, None, problem(422, "Choix invalides", "Certains choix sont à corriger.",
                                       fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    return contract, form.choices(), None


def _quote_payload(result, contract):
    schedule = [{"due_date": line.due_date, "amount": line.amount, "label": line.label, "kind": line.kind}
                for line in amendment_schedule(contract=contract, result=result)]
    return {"schedule": schedule,"total_annual": result.quote.total_annual, "instalment_count": result.quote.instalment_count,
            "instalment_amount": result.quote.instalment_amount,
            "current_total_annual": result.current.total_annual if result.current else None,
            "prorata": result.prorata, "gained": result.gained, "lost": result.lost, "advice": result.advice,
            "tariff_version": result.quote.tariff_version}


@router.post("/{number}/quote", response=QuoteOut, summary="Prix d'une modification")
def quote(request, payload: ChoicesIn, number: str = NUMBER):
    contract, choices, error = _choices(request, number, payload)
    if error:
        return error
    result = quote_change(contract=contract, choices=choices)
    if result.referral:
        return problem(409, "Étude par un conseiller", result.referral.reason)
    if not result.ok:
        return problem(422, "Choix invalides", "Certains choix sont à corriger.",
                       fields={k: [v] for k, v in result.errors.items()})
    return _quote_payload(result, contract)


@router.get("/{number}/simulations", response=list[SimulationOut], summary="Mes simulations")
def simulation_list(request, number: str = NUMBER):
    contract = contract_get(customer=request_customer(request), number=number)
    return list(Simulation.objects.for_customer(contract.customer).filter(contract=contract))


@router.post("/{number}/simulations", response={201: SimulationOut}, summary="Enregistrer une simulation")
def simulation_create(request, payload: SimulationIn, number: str = NUMBER):
    contract, choices, error = _choices(request, number, payload)
    if error:
        return error
    try:
        simulation = services.simulation_save(customer=contract.customer, contract=contract, name=payload.name,
                                              choices=choices)
    except services.ContractError as exc:
        return problem(422, "Simulation impossible", str(exc))
    return 201, simulation


@router.delete("/{number}/simulations/{simulation_id}", response={204: None}, summary="Supprimer une simulation")
def simulation_delete(request, simulation_id: int, number: str = NUMBER):
    contract = contract_get(customer=request_customer(request), number=number)
    if not services.simulation_delete(customer=contract.customer, simulation_id=simulation_id):
        return problem(404, "Introuvable", "Simulation introuvable.")
    return 204, None


@router.get("/{number}/amendments", response=list[AmendmentOut], summary="Historique des avenants")
def amendment_list(request, number: str = NUMBER):
    contract = contract_get(customer=request_customer(request), number=number)
    return list(Amendment.objects.for_customer(contract.customer).filter(contract=contract))


@router.post("/{number}/amendments", response={201: AmendmentOut}, summary="Accepter une modification (avenant)")
def amendment_accept(request, payload: AmendmentIn, number: str = NUMBER):
    """Needs a fresh second factor; idempotent on idempotency_key; 409 when the contract changed meanwhile."""
    if (refused := api_step_up_required(request)) is not None:
        return refused
    customer = request_customer(request)
    contract = contract_get(customer=customer, number=number)
    if payload.simulation_id is not None:
        simulation = Simulation.objects.get_for_customer(customer, contract=contract, pk=payload.simulation_id)
        stale = services.simulation_is_stale(simulation)
        if stale:
            return problem(409, "Simulation à recalculer", stale)
        choices = simulation.choices
    elif payload.choices is not None:
        contract, choices, error = _choices(request, number, payload.choices)
        if error:
            return error
    else:
        return problem(422, "Choix manquants", "Donnez « choices » ou « simulation_id ».")
    try:
        amendment = services.amendment_apply(customer=customer, contract=contract, choices=choices,
                                             expected_version=payload.version,
                                             idempotency_key=payload.idempotency_key)
    except services.ContractError as exc:
        return problem(409, "Modification impossible", str(exc))
    return 201, amendment


@router.post("/{number}/termination/preview", response=TerminationOut, summary="Date de fin d'une résiliation")
def termination_preview(request, payload: TerminationIn, number: str = NUMBER):
    contract = contract_get(customer=request_customer(request), number=number)
    form = TerminationForm({"reason": payload.reason, "reason_text": payload.reason_text,
                            "requested_date": payload.requested_date or ""})
    if not form.is_valid():
        return problem(422, "Demande invalide", "Certaines informations sont à corriger.",
                       fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    outcome, refund = services.termination_preview(contract=contract, reason=payload.reason,
                                                   requested_date=payload.requested_date, basis=payload.basis)
    if outcome.effective is None:
        return problem(422, "Résiliation impossible pour ce motif", outcome.refused)
    return {"effective_date": outcome.effective, "rule": outcome.rule, "refund_amount": refund,
            "basis": outcome.basis}


@router.post("/{number}/termination", response={201: TerminationOut}, summary="Résilier le contrat")
def termination(request, payload: TerminationIn, number: str = NUMBER):
    """Needs a fresh second factor; idempotent on idempotency_key; acknowledged by e-mail and PDF."""
    if (refused := api_step_up_required(request)) is not None:
        return refused
    customer = request_customer(request)
    contract = contract_get(customer=customer, number=number)
    form = TerminationForm({"reason": payload.reason, "reason_text": payload.reason_text,
                            "requested_date": payload.requested_date or ""})
    if not form.is_valid() or len(payload.idempotency_key) < 8:
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        if len(payload.idempotency_key) < 8:
            errors["idempotency_key"] = ["8 caractères au moins."]
        return problem(422, "Demande invalide", "Certaines informations sont à corriger.", fields=errors)
    try:
        item = services.termination_request(customer=customer, contract=contract, reason=payload.reason,
                                            reason_text=form.cleaned_data["reason_text"],
                                            requested_date=payload.requested_date,
                                            idempotency_key=payload.idempotency_key, basis=payload.basis,
                                            new_insurer=payload.new_insurer,
                                            new_policy_number=payload.new_policy_number)
    except services.ContractError as exc:
        return problem(409, "Résiliation impossible", str(exc))
    return 201, {"number": item.number, "effective_date": item.effective_date, "rule": item.rule,
                 "refund_amount": item.refund_amount, "basis": item.basis}
