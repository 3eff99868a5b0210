"""Writes for contracts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from abri import pricing
from abri.billing.choices import ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.contracts.choices import (
    CONTRACT_IN_FORCE,
    CONTRACT_TRANSITIONS,
    TERMINATION_OPEN,
    TERMINATION_TRANSITIONS,
    ContractStatus,
    PaymentFrequency,
    TerminationStatus,
)
from abri.contracts.guarantees import building_capital_computed, guarantees_for
from abri.contracts.letters import amendment_pdf, termination_acknowledgement_pdf
from abri.contracts.models import (
    Amendment,
    Contract,
    ContractEvent,
    ContractGuarantee,
    Property,
    TerminationRequest,
)
from abri.contracts.signals import contract_changed
from abri.core.errors import ensure_owner
from abri.core.formats import day
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind
from abri.documents.services import document_file
from abri.notifications.services import notification_create


@transaction.atomic
def contract_create(
    *,
    customer,
    property: Property,
    number: str,
    formula: str,
    annual_premium: Decimal,
    start_date: date,
    main_due_date: date,
    options: list[str] | None = None,
    deductible: Decimal = Decimal("150"),
    **fields,
) -> Contract:
    """Create a contract on one of the customer's homes, with the guarantees of its formula.

    Owners insure the building: without a declared `building_capital`, it is computed from the surface at
    the tariff's rebuild value per m².
    """
    ensure_owner(property, customer)
    options = options or []
    if not fields.get("building_capital"):
        fields["building_capital"] = building_capital_computed(
            kind=property.kind, surface_m2=property.surface_m2, occupant_status=property.occupant_status,
            tariff_version=fields.get("tariff_version"))
    contract = Contract.objects.create(
        customer=customer, property=property, number=number, formula=formula, options=options,
        deductible=deductible, annual_premium=annual_premium, start_date=start_date,
        main_due_date=main_due_date, **fields,
    )
    ContractGuarantee.objects.bulk_create(
        ContractGuarantee(contract=contract, **row)
        for row in guarantees_for(formula=formula, options=options, occupant_status=property.occupant_status,
                                  rooms=property.rooms, deductible=deductible,
                                  building_capital=contract.building_capital, tariff_version=contract.tariff_version,
                                  valuables_capital=contract.valuables_capital)
    )
    audit_record(action="contract.created", target=contract, actor_label="system")
    return contract


# --- Termination (L113-14, décret 2023-182: « résiliation en trois clics ») --------------------
class ContractError(Exception):
    """A contract rule was broken; the message is French and can be shown as is."""


class ContractTransitionConflict(ContractError):
    """Another process moved the contract first (a second worker, a double submission)."""


# --- State machine ----------------------------------------------------------------------------
@transaction.atomic
def contract_transition(*, contract: Contract, to_status: str, actor, note: str = "", end_date=None,
                        data: dict | None = None) -> Contract:
    """Move a contract to its next status: check the rule, write the timeline row and the audit record.

    Every contract status change goes through here. The row is locked (PostgreSQL) and the write is also
    conditional on the status read (`filter(status=previous).update`), so that a second writer — a second
    worker, or any backend without row locks — changes nothing and gets `ContractTransitionConflict` instead
    of writing a second timeline row. Notifications stay with the callers: each says why (termination, move).
    """
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    previous = current.status
    if to_status not in CONTRACT_TRANSITIONS.get(previous, set()):
        raise ContractError(_("Passage impossible de « %(from)s » à « %(to)s ».") % {
            "from": ContractStatus(previous).label, "to": ContractStatus(to_status).label})
    changes = {"status": to_status, "version": F("version") + 1}
    if end_date is not None:
        changes["end_date"] = end_date
    if Contract.objects.filter(pk=contract.pk, status=previous).update(**changes) != 1:
        raise ContractTransitionConflict(_("Ce contrat a été modifié entre-temps."))
    contract.status, contract.version = to_status, current.version + 1
    if end_date is not None:
        contract.end_date = end_date
    ContractEvent.objects.create(contract=contract, from_status=previous, to_status=to_status, note=note[:2000],
                                 actor=actor)
    audit_record(actor=actor, action=f"contract.{to_status}", target=contract, customer=contract.customer,
                 data={"from": previous, "to": to_status, **(data or {})}, actor_label="" if actor else "system")
    # Same transaction: the apps above react now (certificates revoke what no longer holds, ADR 0008).
    contract_changed.send(sender=Contract, contract=contract, change="status", from_status=previous,
                          to_status=to_status, actor=actor,
                          reason=_("Contrat résilié") if to_status not in CONTRACT_IN_FORCE else "")
    return contract


@transaction.atomic
def termination_transition(*, termination: TerminationRequest, to_status: str, actor=None) -> TerminationRequest:
    """Move a termination request to its next status (received → acknowledged → processed), audited.

    Conditional on the status read, like `contract_transition`: a second writer gets a conflict.
    """
    current = TerminationRequest.objects.select_for_update().get(pk=termination.pk)
    previous = current.status
    if to_status not in TERMINATION_TRANSITIONS.get(previous, set()):
        raise ContractError(_("Passage impossible de « %(from)s » à « %(to)s ».") % {
            "from": TerminationStatus(previous).label, "to": TerminationStatus(to_status).label})
    if TerminationRequest.objects.filter(pk=termination.pk, status=previous).update(status=to_status) != 1:
        raise ContractTransitionConflict(_("Cette demande de résiliation a été modifiée entre-temps."))
    termination.status = to_status
    audit_record(actor=actor, action=f"contract.termination_{to_status}", target=current.contract,
                 customer=current.customer, actor_label="" if actor else "system",
                 data={"termination": current.number, "from": previous, "to": to_status})
    return termination


def _number(prefix: str) -> str:
    import secrets

    return f"{prefix}-{timezone.localdate().year}-{secrets.randbelow(10**8):08d}"


def _renewal_notices(contract: Contract):
    """The renewal notices recorded for the contract (loi Chatel), as pure values for the rules."""
    from abri.contracts.models import ContractRenewal
    from abri.contracts.rules import RenewalNotice

    return [RenewalNotice(due_date=due, sent_on=sent) for due, sent in
            ContractRenewal.objects.filter(contract=contract).values_list("due_date", "notice_sent_on")]


def _regular_instalments(contract: Contract, *, statuses):
    """The contract's instalments (not pro-rata charges nor refunds), each with the period it pays for."""
    from abri.contracts.rules import PaidPeriod, instalment_period

    items = list(ScheduleItem.objects.filter(contract=contract, amount__gt=0)
                 .exclude(status=ScheduleStatus.CANCELLED).exclude(reference__startswith="PRO-")
                 .exclude(reference__startswith="REMB-").order_by("due_date", "id"))
    periods = []
    for index, item in enumerate(items):
        start, stop = instalment_period(item.due_date, contract.payment_frequency)
        following = next((i.due_date for i in items[index + 1:] if i.due_date > item.due_date), None)
        if following is not None:  # a change of frequency: the next instalment starts a new period
            stop = min(stop, following - timedelta(days=1))
        if item.status in statuses:
            periods.append((item, PaidPeriod(start=start, end=max(start, stop), amount=item.amount)))
    return periods


def termination_options(*, contract: Contract, reason: str, requested_date=None, today=None):
    """Every basis that ends this contract for this request, side by side: end date, refund, rule, and which
    one is offered first (the earliest). Nothing is recorded."""
    from abri.contracts.rules import BASIS_LABELS, refund_due_by, refund_to_the_day, termination_date

    today = today or timezone.localdate()
    outcome = termination_date(reason=reason, today=today, start_date=contract.subscribed_since,
                               main_due_date=contract.main_due_date, requested_date=requested_date,
                               notices=_renewal_notices(contract))
    paid = [period for _item, period in _regular_instalments(contract, statuses={ScheduleStatus.PAID})]
    return [{"code": b.code, "label": BASIS_LABELS[b.code], "end": b.end, "effect": b.end + timedelta(days=1),
             "rule": b.rule, "refund": refund_to_the_day(end=b.end, paid=paid), "refund_by": refund_due_by(b.end),
             "default": b.code == outcome.basis} for b in outcome.bases]


def termination_preview(*, contract: Contract, reason: str, requested_date=None, basis: str | None = None):
    """The end date (last day covered) and refund that a termination would have, without recording anything."""
    from abri.contracts.rules import refund_to_the_day, termination_date

    today = timezone.localdate()
    outcome = termination_date(reason=reason, today=today, start_date=contract.subscribed_since,
                               main_due_date=contract.main_due_date, requested_date=requested_date,
                               notices=_renewal_notices(contract), basis=basis)
    refund = Decimal("0.00")
    if outcome.effective is not None:
        paid = [period for _item, period in _regular_instalments(contract, statuses={ScheduleStatus.PAID})]
        refund = refund_to_the_day(end=outcome.effective, paid=paid)
    return outcome, refund


def _paid_until(contract: Contract, today) -> date:
    """The end of the period already paid: the next unpaid instalment's due date (or the main due date)."""
    next_due = (ScheduleItem.objects.filter(contract=contract, status=ScheduleStatus.UPCOMING, due_date__gte=today, amount__gt=0)
                .order_by("due_date").values_list("due_date", flat=True).first())
    return next_due or contract.main_due_date


def _bill_to_the_day(contract: Contract, end: date) -> None:
    """Instalments not yet paid are due for the covered days only: cancelled after the end date, reduced to
    the covered share when their period runs past it."""
    from abri.contracts.rules import covered_share

    for item, period in _regular_instalments(contract, statuses={ScheduleStatus.UPCOMING}):
        if item.due_date > end:
            item.status = ScheduleStatus.CANCELLED
            item.save(update_fields=["status"])
        elif period.end > end:
            item.amount = covered_share(period=period, end=end)
            item.save(update_fields=["amount"])


TENANT_NEW_INSURER_REQUIRED = gettext_lazy(
    "Vous êtes locataire : l'assurance des risques locatifs est obligatoire. Pour une résiliation au titre de la "
    "loi Hamon, indiquez le nom de votre nouvel assureur et le numéro de votre nouveau contrat, afin que vous "
    "restiez assuré sans interruption.")


def termination_needs_new_insurer(*, contract: Contract, basis: str) -> bool:
    """A tenant's Hamon termination goes with the new insurer's cover (L113-15-2, compulsory insurance)."""
    return basis == "hamon" and contract.property.occupant_status == "tenant"


def termination_request(*, customer, contract: Contract, reason: str, reason_text: str = "",
                        requested_date=None, idempotency_key: str, actor=None, basis: str | None = None,
                        new_insurer: str = "", new_policy_number: str = ""):
    """Record a termination request once (double clicks and retries return the same one), then acknowledge it.

    The end date is the basis the customer chose among those that apply, else the earliest one; unpaid
    instalments are billed to the end date and the unused premium is refunded to the day within 30 days.
    """
    from abri.contracts.rules import refund_due_by

    existing = TerminationRequest.objects.for_customer(customer).filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    new_insurer, new_policy_number = new_insurer.strip()[:120], new_policy_number.strip()[:60]
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("property").get(pk=contract.pk,
                                                                                       customer=customer)
        if not contract.is_changeable:
            raise ContractError(_("Ce contrat n'est plus en cours ou une résiliation est déjà demandée."))
        outcome, refund = termination_preview(contract=contract, reason=reason, requested_date=requested_date,
                                              basis=basis)
        if outcome.effective is None:
            raise ContractError(outcome.refused)
        if termination_needs_new_insurer(contract=contract, basis=outcome.basis) and not (
                new_insurer and new_policy_number):
            raise ContractError(str(TENANT_NEW_INSURER_REQUIRED))
        end = outcome.effective
        termination = TerminationRequest.objects.create(
            customer=customer, contract=contract, number=_number("RES"), idempotency_key=idempotency_key,
            reason=reason, reason_text=reason_text[:2000], requested_date=requested_date,
            effective_date=end, rule=outcome.rule[:200], refund_amount=refund, basis=outcome.basis,
            new_insurer=new_insurer, new_policy_number=new_policy_number,
            created_by=actor or customer.user,
        )
        contract_transition(
            contract=contract, to_status=ContractStatus.TERMINATION_REQUESTED, actor=actor or customer.user,
            end_date=end, note=_("Demande de résiliation %(number)s : fin des garanties le %(day)s à 24 h.") % {
                "number": termination.number, "day": day(end, language="fr")},
            data={"reason": reason, "basis": outcome.basis, "effective": end.isoformat(),
                  "termination": termination.number})
        _bill_to_the_day(contract, end)
        if refund > 0:
            ScheduleItem.objects.create(
                customer=customer, contract=contract, amount=-refund, status=ScheduleStatus.UPCOMING, method="transfer",
                due_date=refund_due_by(end), reference=f"REMB-{termination.number}"[:35],
            )
        notification_create(
            customer=customer,
            title=_("Votre demande de résiliation %(number)s est enregistrée") % {"number": termination.number},
            body=(_("Contrat %(contract)s : vos garanties prennent fin le %(day)s à 24 h (%(rule)s). ") % {
                "contract": contract.number, "day": day(end), "rule": outcome.rule}
                + (_("La part de cotisation non utilisée (%(amount)s) vous sera remboursée au plus tard le "
                     "%(day)s.") % {"amount": format_eur(refund), "day": day(refund_due_by(end))} if refund > 0 else "")),
            url=f"/contrats/{contract.number}/resiliation/{termination.number}/", category="contract", email=True,
        )
        termination_acknowledgement(termination=termination)
    return termination


@transaction.atomic
def termination_acknowledgement(*, termination):
    """The acknowledgement on a durable medium: a signed PDF in the customer's documents (idempotent).

    Filed through the vault's front door in the request's transaction; the PDF is rendered and signed by
    the vault's task (an unsigned acknowledgement beats none: signing failures store it unsigned).
    """

    termination = type(termination).objects.select_for_update().get(pk=termination.pk)
    if termination.document_id:
        return termination.document
    contract, customer = termination.contract, termination.customer
    with override(settings.LANGUAGE_CODE):  # stored: in the site's language whatever the request's
        title = _("Accusé de réception de résiliation %(number)s") % {"number": termination.number}
        sign_reason = _("Accusé de réception de résiliation")
    document = document_file(
        customer=customer, contract=contract, property=contract.property, kind=DocumentKind.TERMINATION, title=title,
        renderer=TERMINATION_ACKNOWLEDGEMENT_RENDERER, renderer_args={"termination_id": termination.pk},
        filename="resiliation.pdf", sign=True,
        sign_reason=sign_reason, unsigned_if_signing_fails=True,
        audit_data={"termination": termination.number},
    )
    type(termination).objects.filter(pk=termination.pk).update(document=document)
    if termination.status == TerminationStatus.RECEIVED:
        termination_transition(termination=termination, to_status=TerminationStatus.ACKNOWLEDGED)
    return document


def contract_end(*, contract_id: int, today=None) -> bool:
    """End one contract whose last covered day has passed, once: its open termination requests are processed
    and its certificates revoked. False when there is nothing to do or another worker holds or ended it."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            # skip_locked: a contract another worker is ending is left to it, not waited for then redone.
            # of=("self",): lock the contract row only, not its customer's (shared by the customer's contracts).
            contract = (Contract.objects.select_for_update(skip_locked=True, of=("self",)).select_related("customer")
                        .filter(pk=contract_id, status=ContractStatus.TERMINATION_REQUESTED, end_date__lt=today)
                        .first())
            if contract is None:
                return False
            contract_transition(contract=contract, to_status=ContractStatus.TERMINATED, actor=None,
                                note=_("Fin des garanties le %(day)s à 24 h.") % {"day": day(contract.end_date, language="fr")})
            for termination in TerminationRequest.objects.filter(contract=contract, status__in=TERMINATION_OPEN):
                termination_transition(termination=termination, to_status=TerminationStatus.PROCESSED)
            # Its certificates were revoked by contract_transition's `contract_changed` (same transaction).
    except ContractTransitionConflict:
        return False
    return True


def contracts_end_due(*, today=None) -> int:
    """Hourly: contracts whose last covered day has passed are ended and their certificates revoked.

    The end date is the last day covered (until 24:00), so a contract ending on D ends on D + 1. Each
    contract is claimed by `contract_end`: two workers running together end it once.
    """
    today = today or timezone.localdate()
    due = list(Contract.objects.filter(status=ContractStatus.TERMINATION_REQUESTED, end_date__lt=today)
               .order_by("pk").values_list("pk", flat=True))
    return sum(contract_end(contract_id=pk, today=today) for pk in due)


# --- Renewal (tacite reconduction at the main due date) ---------------------------------------
def renewal_notice_record(*, contract: Contract, due_date: date, sent_on: date):
    """Record the day the renewal notice for `due_date` was sent (the billing work sends it): the first
    sending counts. It feeds the loi Chatel basis (L113-15-1)."""
    from abri.contracts.models import ContractRenewal

    renewal, created = ContractRenewal.objects.get_or_create(contract=contract, due_date=due_date,
                                                             defaults={"notice_sent_on": sent_on})
    if not created and renewal.notice_sent_on is None:
        ContractRenewal.objects.filter(pk=renewal.pk, notice_sent_on=None).update(notice_sent_on=sent_on)
        renewal.refresh_from_db()
    return renewal


def _renewal_quote(contract: Contract, due_date: date):
    """The contract's choices priced under the tariff version in force on the renewal date (None if it cannot
    be priced online: a referral or no tariff; the premium then stays as it is)."""
    from abri.contracts.pricing import contract_choices, quote_request

    try:
        outcome = pricing.quote(quote_request(contract, contract_choices(contract), effective_date=due_date))
    except (pricing.TariffValidationError, pricing.NoTariffInForce):
        return None
    return outcome if isinstance(outcome, pricing.Quote) else None


def renewal_premium(*, contract: Contract, due_date: date) -> tuple[Decimal, tuple[Decimal, ...]]:
    """The annual premium and instalments from the renewal on `due_date`, as `contract_renew` will set them
    (the tariff then in force, else the current premium): what the renewal notice announces."""
    from abri.contracts.rules import FREQUENCY_MONTHS

    quote = _renewal_quote(contract, due_date)
    if quote is not None:
        return quote.total_annual, tuple(quote.instalments)
    count = 12 // FREQUENCY_MONTHS.get(contract.payment_frequency, 12)
    share = (contract.annual_premium / count).quantize(Decimal("0.01"))
    return contract.annual_premium, (contract.annual_premium - share * (count - 1),) + (share,) * (count - 1)


def contract_renew(*, contract_id: int, today=None) -> bool:
    """Renew one contract at its main due date, once: the row lock and the conditional move of the due date
    make a second run (or a second worker) a no-op. New price under the tariff then in force, new schedule."""
    from abri.contracts.models import ContractRenewal
    from abri.contracts.rules import (
        FREQUENCY_MONTHS,
        PaidPeriod,
        add_months,
        covered_share,
        instalment_period,
        renewal_schedule,
    )

    today = today or timezone.localdate()
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("property", "customer").get(pk=contract_id)
        due = contract.main_due_date
        if contract.status not in CONTRACT_IN_FORCE or due > today:
            return False
        if contract.end_date is not None and contract.end_date < due:
            return False  # ends before this due date: nothing to renew
        quote = _renewal_quote(contract, due)
        old_premium = contract.annual_premium
        if quote is not None:
            contract.annual_premium, contract.tariff_version = quote.total_annual, quote.tariff_version
            instalments = quote.instalments
        else:
            count = 12 // FREQUENCY_MONTHS.get(contract.payment_frequency, 12)
            share = (contract.annual_premium / count).quantize(Decimal("0.01"))
            instalments = (contract.annual_premium - share * (count - 1),) + (share,) * (count - 1)
        # Claimed by a conditional update on the due date read: a second run holding the same due date
        # (another worker, or a backend without row locks) renews nothing.
        claimed = Contract.objects.filter(pk=contract.pk, main_due_date=due, version=contract.version).update(
            annual_premium=contract.annual_premium, tariff_version=contract.tariff_version,
            main_due_date=add_months(due, 12), version=contract.version + 1)
        if not claimed:
            return False
        contract.main_due_date = add_months(due, 12)
        contract.version += 1
        renewal, _created = ContractRenewal.objects.get_or_create(contract=contract, due_date=due)
        renewal.renewed_at = timezone.now()
        renewal.tariff_version = contract.tariff_version
        renewal.old_annual_premium, renewal.new_annual_premium = old_premium, contract.annual_premium
        renewal.save(update_fields=["renewed_at", "tariff_version", "old_annual_premium", "new_annual_premium"])
        # The old price's instalments for the new year give way to the new schedule.
        ScheduleItem.objects.filter(contract=contract, status=ScheduleStatus.UPCOMING, due_date__gte=due, amount__gt=0).exclude(
            reference__startswith="PRO-").update(status=ScheduleStatus.CANCELLED)
        rows = []
        for day, amount in renewal_schedule(due_date=due, frequency=contract.payment_frequency,
                                            instalments=instalments):
            if contract.end_date is not None:
                if day > contract.end_date:
                    continue
                start, stop = instalment_period(day, contract.payment_frequency)
                amount = covered_share(period=PaidPeriod(start, stop, amount), end=contract.end_date)
            rows.append(ScheduleItem(customer=contract.customer, contract=contract, due_date=day, amount=amount,
                                     status=ScheduleStatus.UPCOMING, reference=f"{contract.number}-R{day:%Y%m%d}"[:35]))
        ScheduleItem.objects.bulk_create(rows)
        audit_record(action="contract.renewed", target=contract, customer=contract.customer, actor_label="system",
                     data={"due_date": due.isoformat(), "tariff_version": contract.tariff_version,
                           "annual_premium": str(contract.annual_premium),
                           "notice_sent_on": renewal.notice_sent_on.isoformat() if renewal.notice_sent_on else None})
    return True


def contracts_renew_due(*, today=None) -> int:
    """Hourly: renew every contract whose main due date has come (several years if the job was stopped)."""
    today = today or timezone.localdate()
    renewed = 0
    for contract_id in Contract.objects.in_force().filter(main_due_date__lte=today).values_list("pk", flat=True):
        while contract_renew(contract_id=contract_id, today=today):
            renewed += 1
    return renewed


# --- Simulations ----------------------------------------------------------------------------
SIMULATION_VALIDITY_DAYS = 61  # two months
MAX_SIMULATIONS = 20


def simulation_save(*, customer, contract: Contract, name: str, choices: dict):
    """Freeze a quote under a name: valid two months under the tariff version it was made with."""
    from abri.contracts.models import Simulation
    from abri.contracts.pricing import quote_as_json, quote_change

    ensure_owner(contract, customer)
    if Simulation.objects.for_customer(customer).filter(contract=contract).count() >= MAX_SIMULATIONS:
        raise ContractError(ngettext(
            "Vous avez déjà %(count)s simulation : supprimez-la pour en créer une autre.",
            "Vous avez déjà %(count)s simulations : supprimez-en une pour en créer une autre.",
            MAX_SIMULATIONS) % {"count": MAX_SIMULATIONS})
    result = quote_change(contract=contract, choices=choices)
    if not result.ok:
        raise ContractError(_("Cette simulation ne peut pas être enregistrée : corrigez les choix signalés."))
    assert result.quote is not None  # ok: priced
    simulation = Simulation.objects.create(
        customer=customer, contract=contract, name=name.strip()[:80], tariff_version=result.quote.tariff_version,
        choices=choices, quote=quote_as_json(result.quote), total_annual=result.quote.total_annual,
        valid_until=timezone.localdate() + timedelta(days=SIMULATION_VALIDITY_DAYS),
    )
    audit_record(action="contract.simulation_saved", target=contract, customer=customer,
                 data={"simulation": simulation.pk})
    return simulation


def simulation_delete(*, customer, simulation_id: int) -> int:
    """Delete one of the customer's simulations."""
    from abri.contracts.models import Simulation

    deleted, _details = Simulation.objects.for_customer(customer).filter(pk=simulation_id).delete()
    return deleted


def simulation_is_stale(simulation) -> str:
    """Why a simulation can no longer be accepted as is ('' when it can)."""
    if simulation.valid_until < timezone.localdate():
        return _("Cette simulation a expiré (validité de deux mois) : refaites le calcul.")
    try:
        in_force = pricing.tariff_in_force(timezone.localdate()).version
    except pricing.NoTariffInForce:
        return _("Aucun tarif n'est en vigueur : contactez votre conseiller.")
    if in_force != simulation.tariff_version:
        return _("Le tarif a changé depuis cette simulation : refaites le calcul pour voir le prix à jour.")
    return ""


# --- Amendments -----------------------------------------------------------------------------
def amendment_apply(*, customer, contract: Contract, choices: dict, expected_version: int, idempotency_key: str,
                    actor=None, kind: str = "change"):
    """Apply a change as an amendment (avenant), once: optimistic locking on the contract's version.

    The signed PDF is produced after the commit (slow I/O never inside the transaction).
    """
    from abri.contracts.models import Amendment
    from abri.contracts.pricing import amendment_schedule, contract_choices, quote_as_json, quote_change

    existing = Amendment.objects.for_customer(customer).filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    result = quote_change(contract=contract, choices=choices)
    if result.referral is not None:
        raise ContractError(result.referral.reason)
    if not result.ok:
        raise ContractError(_("Cette modification n'est pas possible : %(errors)s") % {
            "errors": " ".join(result.errors.values())})
    today = timezone.localdate()
    with transaction.atomic():
        before = contract_choices(contract)
        updated = Contract.objects.filter(pk=contract.pk, customer=customer, version=expected_version,
                                          status=ContractStatus.ACTIVE).update(version=expected_version + 1)
        if not updated:
            raise ContractError(_("Votre contrat a été modifié entre-temps (sur un autre appareil ou par un "
                                  "conseiller) : vérifiez le nouveau prix avant de confirmer."))
        contract.refresh_from_db()
        quote = result.quote
        assert quote is not None  # ok: priced
        schedule = amendment_schedule(contract=contract, result=result, today=today)
        amendment = Amendment.objects.create(
            customer=customer, contract=contract, number=_number("AVT"), idempotency_key=idempotency_key,
            effective_date=today, kind=kind, before=before, after=choices,
            old_total_annual=result.current.total_annual if result.current else contract.annual_premium,
            new_total_annual=quote.total_annual, prorata_amount=result.prorata, tariff_version=quote.tariff_version,
            created_by=actor or customer.user,
        )
        contract.formula = choices["formula"]
        contract.options = choices.get("options") or []
        contract.deductible = Decimal(choices["deductible"])
        contract.contents_capital = Decimal(choices["contents_capital"]) if choices.get("contents_capital") else \
            contract.contents_capital
        contract.valuables_capital = Decimal(choices.get("valuables_capital") or 0)
        contract.payment_frequency = choices["payment_frequency"]
        contract.annual_premium = quote.total_annual
        contract.tariff_version = quote.tariff_version
        contract.save(update_fields=["formula", "options", "deductible", "contents_capital", "valuables_capital",
                                     "payment_frequency", "annual_premium", "tariff_version"])
        contract.guarantees.all().delete()
        ContractGuarantee.objects.bulk_create(
            ContractGuarantee(contract=contract, **row)
            for row in guarantees_for(formula=contract.formula, options=contract.options,
                                      occupant_status=contract.property.occupant_status,
                                      rooms=contract.property.rooms, deductible=contract.deductible,
                                      building_capital=contract.building_capital,
                                      tariff_version=contract.tariff_version,
                                      valuables_capital=contract.valuables_capital)
        )
        # Charged once: the pro-rata is the only charge or refund for the rest of the period; the period's
        # instalments stay as they are, those of the next period follow the new price (the page showed this).
        _amendment_schedule_write(customer=customer, contract=contract, amendment=amendment, schedule=schedule)
        audit_record(actor=actor or customer.user, action="contract.amended", target=contract, customer=customer,
                     data={"amendment": amendment.number, "before": before, "after": choices,
                           "staff": bool(actor and actor.is_staff)})
        notification_create(
            customer=customer, title=_("Avenant %(number)s : votre contrat est modifié") % {"number": amendment.number},
            body=(_("Nouvelle cotisation annuelle : %(amount)s.") % {"amount": format_eur(quote.total_annual)} + " "
                  + " ".join(_schedule_sentences(schedule, next_due=contract.main_due_date))),
            url=f"/contrats/{contract.number}/avenants/", category="contract", email=True,
        )
        data = {"quote": quote_as_json(quote), "schedule": _schedule_as_json(schedule),
                "breakdown": [{"kind": row.kind, "label": str(row.label), "amount": str(row.amount)}
                              for row in result.breakdown]}
        Amendment.objects.filter(pk=amendment.pk).update(after={**choices, **data})
        # Same transaction: certificates this amendment made untrue are revoked and reissued (ADR 0008),
        # whatever happens later to the signing of the amendment's PDF.
        contract_changed.send(sender=Contract, contract=contract, change="amended", actor=actor or customer.user,
                              reason=_("Contrat modifié par l'avenant %(number)s") % {"number": amendment.number})
        amendment_document(amendment=amendment)
    return amendment


def _amendment_schedule_write(*, customer, contract: Contract, amendment, schedule) -> None:
    """Write the schedule shown before signing: the pro-rata item, and the next period's instalments repriced."""
    replaced = False
    old_frequency = (amendment.before or {}).get("payment_frequency")
    for line in schedule:
        if line.kind == "unchanged" and old_frequency and old_frequency != contract.payment_frequency:
            # Paid more often from the main due date: the period's instalments keep their own rhythm in their label.
            label = _("Cotisation %(frequency)s — échéance du %(day)s") % {
                "frequency": str(PaymentFrequency(old_frequency).label).lower(), "day": day(line.due_date, language="fr")}
            ScheduleItem.objects.filter(pk=line.item_id, contract=contract, label="").update(label=label[:120])
        elif line.kind == "adjustment":
            if line.replaces:  # the period's instalments settled by this balance line (paid less often from now on)
                ScheduleItem.objects.filter(pk__in=line.replaces, contract=contract,
                                            status=ScheduleStatus.UPCOMING).update(status=ScheduleStatus.CANCELLED)
            if line.amount:
                ScheduleItem.objects.create(
                    customer=customer, contract=contract, amount=line.amount, status=ScheduleStatus.UPCOMING,
                    method="direct_debit" if line.amount > 0 else "transfer", due_date=line.due_date,
                    reference=f"PRO-{amendment.number}"[:35], label=line.label[:120] if line.replaces else "")
        elif line.kind == "new_price" and line.item_id is not None:
            ScheduleItem.objects.filter(pk=line.item_id, contract=contract, status=ScheduleStatus.UPCOMING).update(
                amount=line.amount)
        elif line.kind == "new_price":  # a new payment frequency from the next main due date
            if not replaced:
                ScheduleItem.objects.filter(contract=contract, status=ScheduleStatus.UPCOMING, amount__gt=0,
                                            due_date__gte=contract.main_due_date).exclude(
                    reference__startswith="PRO-").update(status=ScheduleStatus.CANCELLED)
                replaced = True
            ScheduleItem.objects.create(customer=customer, contract=contract, amount=line.amount, status=ScheduleStatus.UPCOMING,
                                        due_date=line.due_date,
                                        reference=f"{contract.number}-{line.due_date:%Y%m%d}"[:35])


def _schedule_as_json(schedule) -> list[dict]:
    return [{"due_date": line.due_date.isoformat(), "day": day(line.due_date, language="fr"), "amount": str(line.amount),
             "label": line.label, "kind": line.kind} for line in schedule]


def _schedule_sentences(schedule, *, next_due) -> list[str]:
    """The schedule in words for the confirmation: the pro-rata once, then what the instalments become."""
    sentences = []
    for line in schedule:
        if line.kind == "adjustment" and line.amount > 0:
            sentences.append(_("Montant dû jusqu'à l'échéance du %(due)s : %(amount)s, prélevé le %(day)s.") % {
                "due": day(next_due, language="fr"), "amount": format_eur(line.amount), "day": day(line.due_date, language="fr")})
        elif line.kind == "adjustment":
            sentences.append(_("Remboursement jusqu'à l'échéance du %(due)s : %(amount)s, versé au plus tard le "
                               "%(day)s.") % {"due": day(next_due, language="fr"), "amount": format_eur(-line.amount),
                                              "day": day(line.due_date, language="fr")})
    unchanged = [line for line in schedule if line.kind == "unchanged"]
    if unchanged:
        sentences.append(ngettext("Votre échéance d'ici le %(due)s reste inchangée.",
                                  "Vos %(count)s échéances d'ici le %(due)s restent inchangées.", len(unchanged)) % {
            "count": len(unchanged), "due": day(next_due, language="fr")})
    new = [line for line in schedule if line.kind == "new_price"]
    if new:
        sentences.append(_("À partir du %(day)s : échéances de %(amount)s.") % {
            "day": day(new[0].due_date, language="fr"), "amount": format_eur(new[-1].amount)})
    return sentences


@transaction.atomic
def amendment_document(*, amendment):
    """The amendment as a signed PDF in the customer's documents (idempotent).

    Filed through the vault's front door in the amendment's transaction; the vault's task renders and
    signs the PDF. The certificates it made untrue were already replaced (`contract_changed`, ADR 0008).
    """
    amendment = type(amendment).objects.select_for_update().get(pk=amendment.pk)
    if amendment.document_id:
        return amendment.document
    contract, customer = amendment.contract, amendment.customer
    with override(settings.LANGUAGE_CODE):  # stored: in the site's language whatever the request's
        title = _("Avenant %(number)s au contrat %(contract)s") % {"number": amendment.number, "contract": contract.number}
        sign_reason = _("Avenant %(number)s") % {"number": amendment.number}
    document = document_file(
        customer=customer, contract=contract, property=contract.property, kind=DocumentKind.AMENDMENT, title=title,
        renderer=AMENDMENT_RENDERER, renderer_args={"amendment_id": amendment.pk},
        amount=amendment.prorata_amount, filename=f"{amendment.number}.pdf", sign=True,
        sign_reason=sign_reason, audit_data={"amendment": amendment.number},
    )
    type(amendment).objects.filter(pk=amendment.pk).update(document=document)
    return document


# --- Moving house ---------------------------------------------------------------------------
# Risk zone by département (calibration, like the tariff: an insurer replaces it with its own zoning).
ZONE_BY_DEPARTEMENT = {
    "75": 4, "92": 4, "93": 5, "94": 4, "13": 4, "06": 4, "83": 4, "69": 3, "59": 4, "31": 3, "33": 3,
    "29": 4, "56": 4, "17": 4, "85": 4, "2A": 4, "2B": 4, "44": 3, "67": 3, "35": 2, "49": 2, "72": 2,
    "15": 1, "48": 1, "23": 1, "19": 1, "12": 2, "46": 2,
}


def risk_zone_for_postcode(postcode: str) -> int:
    """The risk zone (1–5) of a French postcode's département; 3 when unknown."""
    postcode = (postcode or "").strip()
    if postcode.startswith("20"):
        return ZONE_BY_DEPARTEMENT["2A"]
    return ZONE_BY_DEPARTEMENT.get(postcode[:2], 3)


def move_quote(*, contract: Contract, home: dict, choices: dict, moving_date):
    """Price the contract's choices for the new home (nothing saved)."""
    from abri.contracts.models import Property
    from abri.contracts.pricing import claims_in_36_months, quote_change

    new_home = Property(customer=contract.customer, risk_zone=risk_zone_for_postcode(home["postcode"]), **home)
    shadow = Contract(customer=contract.customer, property=new_home, formula=contract.formula,
                      options=contract.options, deductible=contract.deductible, annual_premium=contract.annual_premium,
                      payment_frequency=contract.payment_frequency, start_date=moving_date,
                      main_due_date=moving_date.replace(year=moving_date.year + 1) if not (
                          moving_date.month == 2 and moving_date.day == 29) else moving_date + timedelta(days=365),
                      number="(nouveau)")
    result = quote_change(contract=shadow, choices=choices, today=moving_date, claims=claims_in_36_months(contract))
    result.current = None  # a new contract: nothing to compare pro rata
    result.prorata = Decimal("0.00")
    return result, shadow


MAX_OLD_HOME_COVER_MONTHS = 6  # the old home may stay insured until its lease or sale ends, within six months


def move_house(*, customer, contract: Contract, home: dict, moving_date, choices: dict, idempotency_key: str,
               actor=None, old_home_until=None):
    """Moving: the new home is insured from the moving date by a contract that keeps the customer's rights.

    The new contract carries the first subscription date, so the one-year clock of the loi Hamon (L113-15-2) is
    not reset by a move. The old home stays insured until the moving date or, when the customer asks, until its
    lease or sale ends (old_home_until, at most six months after the move).
    """
    from abri.contracts.rules import add_months

    old_end = old_home_until or moving_date
    if old_end < moving_date or old_end > add_months(moving_date, MAX_OLD_HOME_COVER_MONTHS):
        raise ContractError(_("L'ancien logement peut rester assuré du jour du déménagement jusqu'à six mois après."))

    existing = TerminationRequest.objects.for_customer(customer).filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing.contract.customer.contracts.filter(start_date=moving_date).order_by("-id").first()
    result, shadow = move_quote(contract=contract, home=home, choices=choices, moving_date=moving_date)
    if result.referral is not None:
        raise ContractError(result.referral.reason)
    if not result.ok:
        raise ContractError(_("Ce logement ne peut pas être assuré en ligne : %(errors)s") % {
            "errors": " ".join(result.errors.values())})
    quote = result.quote
    with transaction.atomic():
        old = Contract.objects.select_for_update().get_for_customer(customer, pk=contract.pk)
        if not old.is_changeable:
            raise ContractError(_("Ce contrat n'est plus en cours."))
        new_home = Property.objects.create(customer=customer, risk_zone=risk_zone_for_postcode(home["postcode"]),
                                           **home)
        new = contract_create(
            customer=customer, property=new_home, number=_number("MRH"), formula=choices["formula"],
            annual_premium=quote.total_annual, start_date=moving_date, main_due_date=shadow.main_due_date,
            options=choices.get("options") or [], deductible=Decimal(choices["deductible"]),
            contents_capital=Decimal(choices["contents_capital"]) if choices.get("contents_capital") else Decimal("0"),
            valuables_capital=Decimal(choices.get("valuables_capital") or 0),
            payment_frequency=choices["payment_frequency"], tariff_version=quote.tariff_version,
            first_subscription_date=old.subscribed_since,
        )
        ScheduleItem.objects.bulk_create(
            ScheduleItem(customer=customer, contract=new, amount=amount, status=ScheduleStatus.UPCOMING,
                         due_date=_months_after(moving_date, index * (12 // quote.instalment_count)),
                         reference=f"{new.number}-{index + 1:02d}"[:35])
            for index, amount in enumerate(quote.instalments)
        )
        refund = Decimal("0.00")
        from abri.contracts.rules import unused_premium

        refund = unused_premium(annual_total=old.annual_premium, effective=old_end,
                                paid_until=_paid_until(old, timezone.localdate()))
        rule = (_("Déménagement (L113-16) : le nouveau contrat prend le relais à la date du déménagement.")
                if old_end == moving_date else
                _("Déménagement (L113-16) : l'ancien logement reste assuré jusqu'au %(day)s (fin du bail ou vente), "
                  "à votre demande.") % {"day": day(old_end, language="fr")})
        termination = TerminationRequest.objects.create(
            customer=customer, contract=old, number=_number("RES"), idempotency_key=idempotency_key,
            reason="moving", reason_text=_("Déménagement vers %(address)s (contrat %(number)s).") % {
                "address": new_home.full_address, "number": new.number},
            requested_date=moving_date, effective_date=old_end, rule=rule,
            refund_amount=refund, created_by=actor or customer.user,
        )
        contract_transition(
            contract=old, to_status=ContractStatus.TERMINATION_REQUESTED, actor=actor or customer.user,
            end_date=old_end, note=_("Déménagement : nouveau contrat %(number)s ; fin des garanties le %(day)s à 24 h.")
            % {"number": new.number, "day": day(old_end, language="fr")},
            data={"termination": termination.number, "new_contract": new.number})
        ScheduleItem.objects.filter(contract=old, status=ScheduleStatus.UPCOMING, due_date__gte=old_end).update(
            status=ScheduleStatus.CANCELLED)
        if refund > 0:
            ScheduleItem.objects.create(customer=customer, contract=old, amount=-refund, status=ScheduleStatus.UPCOMING,
                                        method="transfer", due_date=old_end + timedelta(days=30),
                                        reference=f"REMB-{termination.number}"[:35])
        audit_record(actor=actor or customer.user, action="contract.moved", target=old, customer=customer,
                     data={"new_contract": new.number, "moving_date": moving_date.isoformat(),
                           "old_home_until": old_end.isoformat(),
                           "first_subscription_date": new.subscribed_since.isoformat()})
        old_sentence = (_("L'ancien contrat %(number)s prend fin le même jour.") % {"number": old.number}
                        if old_end == moving_date else
                        _("Votre ancien logement reste assuré par le contrat %(number)s jusqu'au %(day)s.") % {
                            "number": old.number, "day": day(old_end)})
        notification_create(
            customer=customer, title=_("Déménagement enregistré : nouveau contrat %(number)s") % {"number": new.number},
            body=_("Votre nouveau logement (%(address)s) est assuré à partir du %(day)s pour %(amount)s par an. "
                   "%(old_home)s Vous restez client depuis le %(since)s : votre ancienneté est conservée "
                   "(résiliation à tout moment après un an, loi Hamon). "
                   "Vos attestations pour le nouveau logement sont disponibles dans vos documents.") % {
                "address": new_home.full_address, "day": day(moving_date),
                "amount": format_eur(quote.total_annual), "old_home": old_sentence,
                "since": day(new.first_subscription_date)},
            url=f"/contrats/{new.number}/", category="contract", email=True,
        )
        termination_acknowledgement(termination=termination)
    return new


def _months_after(day, months: int):
    from abri.contracts.rules import add_months

    return add_months(day, months)


# --- The vault's renderers (registered in ContractsConfig.ready; rendered by the `document_render` task) ----
AMENDMENT_RENDERER = "contracts.amendment"
TERMINATION_ACKNOWLEDGEMENT_RENDERER = "contracts.termination_acknowledgement"


def amendment_render(*, amendment_id: int) -> bytes:
    """The amendment letter (`document_file` renderer)."""
    return amendment_pdf(amendment=Amendment.objects.select_related("contract__property", "customer").get(pk=amendment_id))


def termination_acknowledgement_render(*, termination_id: int) -> bytes:
    """The termination acknowledgement letter (`document_file` renderer)."""
    return termination_acknowledgement_pdf(
        termination=TerminationRequest.objects.select_related("contract__property", "customer").get(pk=termination_id))
