"""Writes for contracts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from abri.contracts.guarantees import building_capital_computed, guarantees_for
from abri.contracts.models import Contract, ContractGuarantee, Property
from abri.core.services import audit_record


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
    if property.customer_id != customer.pk:
        raise ValueError("property belongs to another customer")
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
                                  building_capital=contract.building_capital, tariff_version=contract.tariff_version)
    )
    audit_record(action="contract.created", target=contract, actor_label="system")
    return contract


# --- Termination (L113-14, décret 2023-182: « résiliation en trois clics ») --------------------
class ContractError(Exception):
    """A contract rule was broken; the message is French and can be shown as is."""


def _number(prefix: str) -> str:
    import secrets

    return f"{prefix}-{timezone.localdate().year}-{secrets.randbelow(10**8):08d}"


def termination_preview(*, contract: Contract, reason: str, requested_date=None):
    """The end date and refund that a termination would have, without recording anything."""
    from abri.contracts.rules import termination_date, unused_premium

    today = timezone.localdate()
    outcome = termination_date(reason=reason, today=today, start_date=contract.start_date,
                               main_due_date=contract.main_due_date, requested_date=requested_date)
    refund = Decimal("0.00")
    if outcome.effective is not None:
        refund = unused_premium(annual_total=contract.annual_premium, effective=outcome.effective,
                                paid_until=_paid_until(contract, today))
    return outcome, refund


def _paid_until(contract: Contract, today) -> date:
    """The end of the period already paid: the next unpaid instalment's due date (or the main due date)."""
    from abri.billing.models import ScheduleItem

    next_due = (ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__gte=today, amount__gt=0)
                .order_by("due_date").values_list("due_date", flat=True).first())
    return next_due or contract.main_due_date


def termination_request(*, customer, contract: Contract, reason: str, reason_text: str = "",
                        requested_date=None, idempotency_key: str, actor=None):
    """Record a termination request once (double clicks and retries return the same one), then acknowledge it."""
    from abri.billing.models import ScheduleItem
    from abri.contracts.models import TerminationRequest

    existing = TerminationRequest.objects.filter(idempotency_key=idempotency_key, customer=customer).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk, customer=customer)
        if contract.status not in {"active"}:
            raise ContractError("Ce contrat n'est plus en cours ou une résiliation est déjà demandée.")
        outcome, refund = termination_preview(contract=contract, reason=reason, requested_date=requested_date)
        if outcome.effective is None:
            raise ContractError(outcome.refused)
        termination = TerminationRequest.objects.create(
            customer=customer, contract=contract, number=_number("RES"), idempotency_key=idempotency_key,
            reason=reason, reason_text=reason_text[:2000], requested_date=requested_date,
            effective_date=outcome.effective, rule=outcome.rule, refund_amount=refund,
            created_by=actor or customer.user,
        )
        contract.status = "termination_requested"
        contract.end_date = outcome.effective
        contract.version += 1
        contract.save(update_fields=["status", "end_date", "version"])
        ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__gte=outcome.effective).update(
            status="cancelled")
        if refund > 0:
            ScheduleItem.objects.create(
                customer=customer, contract=contract, amount=-refund, status="upcoming", method="transfer",
                due_date=outcome.effective + timedelta(days=30), reference=f"REMB-{termination.number}"[:35],
            )
        audit_record(actor=actor or customer.user, action="contract.termination_requested", target=contract,
                     customer=customer, data={"reason": reason, "effective": outcome.effective.isoformat(),
                                              "termination": termination.number})
        from abri.notifications.services import notification_create

        notification_create(
            customer=customer, title=f"Votre demande de résiliation {termination.number} est enregistrée",
            body=(f"Contrat {contract.number} : la résiliation prendra effet le {outcome.effective:%d/%m/%Y} "
                  f"({outcome.rule}). " + (f"La part de cotisation non utilisée ({refund} €) vous sera remboursée "
                                            "sous 30 jours." if refund > 0 else "")),
            url=f"/contrats/{contract.number}/resiliation/{termination.number}/", category="contract", email=True,
        )
    transaction.on_commit(lambda: termination_acknowledgement(termination=termination))
    return termination


def termination_acknowledgement(*, termination):
    """The acknowledgement on a durable medium: a signed PDF in the customer's documents (idempotent)."""
    from django.core.files.base import ContentFile

    from abri.documents.choices import DocumentKind
    from abri.documents.models import Document
    from abri.documents.rendering import render_text_pdf

    termination.refresh_from_db()
    if termination.document_id:
        return termination.document
    contract, customer = termination.contract, termination.customer
    title = f"Accusé de réception de résiliation {termination.number}"
    lines = [
        f"Assuré : {customer.full_name} (client {customer.customer_number}).",
        f"Contrat : {contract.number}, {contract.property.full_address}.",
        f"Demande reçue le {timezone.localtime(termination.created_at):%d/%m/%Y à %H:%M}.",
        f"Motif : {termination.get_reason_display()}. {termination.reason_text}".strip(),
        f"Date de fin du contrat : {termination.effective_date:%d/%m/%Y}. {termination.rule}",
        (f"Cotisation non utilisée remboursée sous 30 jours : {termination.refund_amount} euros."
         if termination.refund_amount > 0 else "Aucune cotisation non utilisée à rembourser."),
        "Vos garanties restent acquises jusqu'à la date de fin. Pensez à assurer votre nouveau logement.",
    ]
    pdf = render_text_pdf(title=title, lines=lines)
    try:
        from abri.documents.signing import pdf_sign

        pdf = pdf_sign(pdf, reason="Accusé de réception de résiliation")
    except Exception:  # noqa: BLE001 - an unsigned acknowledgement beats none; signing is retried by support
        import logging

        logging.getLogger(__name__).exception("termination acknowledgement could not be signed")
    document = Document(customer=customer, contract=contract, property=contract.property,
                        kind=DocumentKind.TERMINATION, title=title, mime_type="application/pdf",
                        size_bytes=len(pdf), text="\n".join([title, *lines]))
    document.file.save("resiliation.pdf", ContentFile(pdf), save=False)
    with transaction.atomic():
        document.save()
        type(termination).objects.filter(pk=termination.pk).update(document=document)
        from abri.documents.services import document_added

        document_added(document=document)
    return document


def contracts_end_due(*, today=None) -> int:
    """Daily: contracts whose termination date has come are ended and their certificates revoked."""
    from abri.documents.certificates import certificates_revoke_for_contract

    today = today or timezone.localdate()
    ended = 0
    for contract in Contract.objects.filter(status="termination_requested", end_date__lte=today).select_related(
            "customer"):
        with transaction.atomic():
            Contract.objects.filter(pk=contract.pk).update(status="terminated")
            certificates_revoke_for_contract(contract=contract, reason="Contrat résilié")
            audit_record(action="contract.terminated", target=contract, customer=contract.customer,
                         actor_label="system")
        ended += 1
    return ended


# --- Simulations ----------------------------------------------------------------------------
SIMULATION_VALIDITY_DAYS = 61  # two months
MAX_SIMULATIONS = 20


def simulation_save(*, customer, contract: Contract, name: str, choices: dict):
    """Freeze a quote under a name: valid two months under the tariff version it was made with."""
    from abri.contracts.models import Simulation
    from abri.contracts.pricing import quote_as_json, quote_change

    if contract.customer_id != customer.pk:
        raise ContractError("Contrat introuvable.")
    if Simulation.objects.filter(customer=customer, contract=contract).count() >= MAX_SIMULATIONS:
        raise ContractError(f"Vous avez déjà {MAX_SIMULATIONS} simulations : supprimez-en une pour en créer une autre.")
    result = quote_change(contract=contract, choices=choices)
    if not result.ok:
        raise ContractError("Cette simulation ne peut pas être enregistrée : corrigez les choix signalés.")
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

    deleted, _ = Simulation.objects.filter(customer=customer, pk=simulation_id).delete()
    return deleted


def simulation_is_stale(simulation) -> str:
    """Why a simulation can no longer be accepted as is ('' when it can)."""
    from abri import pricing

    if simulation.valid_until < timezone.localdate():
        return "Cette simulation a expiré (validité de deux mois) : refaites le calcul."
    try:
        in_force = pricing.tariff_in_force(timezone.localdate()).version
    except pricing.NoTariffInForce:
        return "Aucun tarif n'est en vigueur : contactez votre conseiller."
    if in_force != simulation.tariff_version:
        return ("Le tarif a changé depuis cette simulation : refaites le calcul pour voir le prix à jour.")
    return ""


# --- Amendments -----------------------------------------------------------------------------
def amendment_apply(*, customer, contract: Contract, choices: dict, expected_version: int, idempotency_key: str,
                    actor=None, kind: str = "change"):
    """Apply a change as an amendment (avenant), once: optimistic locking on the contract's version.

    The signed PDF is produced after the commit (slow I/O never inside the transaction).
    """
    from abri.billing.models import ScheduleItem
    from abri.contracts.models import Amendment
    from abri.contracts.pricing import contract_choices, quote_as_json, quote_change

    existing = Amendment.objects.filter(idempotency_key=idempotency_key, customer=customer).first()
    if existing is not None:
        return existing
    result = quote_change(contract=contract, choices=choices)
    if result.referral is not None:
        raise ContractError(result.referral.reason)
    if not result.ok:
        raise ContractError("Cette modification n'est pas possible : " + " ".join(result.errors.values()))
    today = timezone.localdate()
    with transaction.atomic():
        before = contract_choices(contract)
        updated = Contract.objects.filter(pk=contract.pk, customer=customer, version=expected_version,
                                          status="active").update(version=expected_version + 1)
        if not updated:
            raise ContractError("Votre contrat a été modifié entre-temps (sur un autre appareil ou par un "
                                "conseiller) : vérifiez le nouveau prix avant de confirmer.")
        contract.refresh_from_db()
        quote = result.quote
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
                                      tariff_version=contract.tariff_version)
        )
        # Future instalments at the new price; the pro-rata as one charge or refund.
        ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__gt=today, amount__gt=0).update(
            amount=quote.instalment_amount)
        if result.prorata != 0:
            ScheduleItem.objects.create(
                customer=customer, contract=contract, amount=result.prorata, status="upcoming",
                method="direct_debit" if result.prorata > 0 else "transfer",
                due_date=today + timedelta(days=10 if result.prorata > 0 else 30),
                reference=f"PRO-{amendment.number}"[:35],
            )
        audit_record(actor=actor or customer.user, action="contract.amended", target=contract, customer=customer,
                     data={"amendment": amendment.number, "before": before, "after": choices,
                           "staff": bool(actor and actor.is_staff)})
        from abri.notifications.services import notification_create

        notification_create(
            customer=customer, title=f"Avenant {amendment.number} : votre contrat est modifié",
            body=(f"Nouvelle cotisation annuelle : {quote.total_annual} €. "
                  + (f"Montant dû jusqu'à l'échéance : {result.prorata} €." if result.prorata > 0 else
                     f"Remboursement jusqu'à l'échéance : {-result.prorata} €." if result.prorata < 0 else "")),
            url=f"/contrats/{contract.number}/avenants/", category="contract", email=True,
        )
        data = {"quote": quote_as_json(quote)}
        Amendment.objects.filter(pk=amendment.pk).update(after={**choices, **data})
    transaction.on_commit(lambda: amendment_document(amendment=amendment))
    return amendment


def amendment_document(*, amendment):
    """The amendment as a signed PDF in the customer's documents; certificates it made untrue are replaced."""
    from django.core.files.base import ContentFile

    from abri.documents.choices import DocumentKind
    from abri.documents.models import Document
    from abri.documents.rendering import render_text_pdf

    amendment.refresh_from_db()
    if amendment.document_id:
        return amendment.document
    contract, customer = amendment.contract, amendment.customer
    title = f"Avenant {amendment.number} au contrat {contract.number}"
    before, after = amendment.before, amendment.after
    lines = [
        f"Assuré : {customer.full_name} (client {customer.customer_number}).",
        f"Logement : {contract.property.full_address}.",
        f"Date d'effet : {amendment.effective_date:%d/%m/%Y}. Tarif {amendment.tariff_version}.",
        f"Avant : formule {before.get('formula')}, options {', '.join(before.get('options') or []) or 'aucune'}, "
        f"franchise {before.get('deductible')} euros, capital mobilier {before.get('contents_capital') or 'plafond'}.",
        f"Après : formule {after.get('formula')}, options {', '.join(after.get('options') or []) or 'aucune'}, "
        f"franchise {after.get('deductible')} euros, capital mobilier {after.get('contents_capital') or 'plafond'}.",
        f"Cotisation annuelle : {amendment.old_total_annual} euros avant, {amendment.new_total_annual} euros après.",
        (f"Montant dû jusqu'à la prochaine échéance : {amendment.prorata_amount} euros."
         if amendment.prorata_amount > 0 else
         f"Montant remboursé jusqu'à la prochaine échéance : {-amendment.prorata_amount} euros."
         if amendment.prorata_amount < 0 else "Aucun montant dû ni remboursé jusqu'à l'échéance."),
        "Les autres conditions du contrat restent inchangées.",
    ]
    pdf = render_text_pdf(title=title, lines=lines)
    from abri.documents.signing import pdf_sign

    pdf = pdf_sign(pdf, reason=f"Avenant {amendment.number}")
    document = Document(customer=customer, contract=contract, property=contract.property, kind=DocumentKind.AMENDMENT,
                        title=title, mime_type="application/pdf", size_bytes=len(pdf), text="\n".join([title, *lines]),
                        amount=amendment.prorata_amount)
    document.file.save("avenant.pdf", ContentFile(pdf), save=False)
    with transaction.atomic():
        document.save()
        type(amendment).objects.filter(pk=amendment.pk).update(document=document)
        from abri.documents.services import document_added

        document_added(document=document)
    from abri.documents.certificates import certificates_refresh_for_contract

    # Only the certificates this amendment made untrue are revoked, and reissued at once (the customer is told).
    certificates_refresh_for_contract(contract=contract, reason=f"Contrat modifié par l'avenant {amendment.number}")
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


def move_house(*, customer, contract: Contract, home: dict, moving_date, choices: dict, idempotency_key: str,
               actor=None):
    """Moving: a new contract for the new home from the moving date; the old one ends on that date (L113-16)."""
    from abri.billing.models import ScheduleItem
    from abri.contracts.models import Property, TerminationRequest

    existing = TerminationRequest.objects.filter(idempotency_key=idempotency_key, customer=customer).first()
    if existing is not None:
        return existing.contract.customer.contracts.filter(start_date=moving_date).order_by("-id").first()
    result, shadow = move_quote(contract=contract, home=home, choices=choices, moving_date=moving_date)
    if result.referral is not None:
        raise ContractError(result.referral.reason)
    if not result.ok:
        raise ContractError("Ce logement ne peut pas être assuré en ligne : " + " ".join(result.errors.values()))
    quote = result.quote
    with transaction.atomic():
        old = Contract.objects.select_for_update().get(pk=contract.pk, customer=customer)
        if old.status != "active":
            raise ContractError("Ce contrat n'est plus en cours.")
        new_home = Property.objects.create(customer=customer, risk_zone=risk_zone_for_postcode(home["postcode"]),
                                           **home)
        new = contract_create(
            customer=customer, property=new_home, number=_number("MRH"), formula=choices["formula"],
            annual_premium=quote.total_annual, start_date=moving_date, main_due_date=shadow.main_due_date,
            options=choices.get("options") or [], deductible=Decimal(choices["deductible"]),
            contents_capital=Decimal(choices["contents_capital"]) if choices.get("contents_capital") else Decimal("0"),
            valuables_capital=Decimal(choices.get("valuables_capital") or 0),
            payment_frequency=choices["payment_frequency"], tariff_version=quote.tariff_version,
        )
        ScheduleItem.objects.bulk_create(
            ScheduleItem(customer=customer, contract=new, amount=amount, status="upcoming",
                         due_date=_months_after(moving_date, index * (12 // quote.instalment_count)),
                         reference=f"{new.number}-{index + 1:02d}"[:35])
            for index, amount in enumerate(quote.instalments)
        )
        refund = Decimal("0.00")
        from abri.contracts.rules import unused_premium

        refund = unused_premium(annual_total=old.annual_premium, effective=moving_date,
                                paid_until=_paid_until(old, timezone.localdate()))
        termination = TerminationRequest.objects.create(
            customer=customer, contract=old, number=_number("RES"), idempotency_key=idempotency_key,
            reason="moving", reason_text=f"Déménagement vers {new_home.full_address} (contrat {new.number}).",
            requested_date=moving_date, effective_date=moving_date,
            rule="Déménagement (L113-16) : le nouveau contrat prend le relais à la date du déménagement.",
            refund_amount=refund, created_by=actor or customer.user,
        )
        old.status, old.end_date, old.version = "termination_requested", moving_date, old.version + 1
        old.save(update_fields=["status", "end_date", "version"])
        ScheduleItem.objects.filter(contract=old, status="upcoming", due_date__gte=moving_date).update(
            status="cancelled")
        if refund > 0:
            ScheduleItem.objects.create(customer=customer, contract=old, amount=-refund, status="upcoming",
                                        method="transfer", due_date=moving_date + timedelta(days=30),
                                        reference=f"REMB-{termination.number}"[:35])
        audit_record(actor=actor or customer.user, action="contract.moved", target=old, customer=customer,
                     data={"new_contract": new.number, "moving_date": moving_date.isoformat()})
        from abri.notifications.services import notification_create

        notification_create(
            customer=customer, title=f"Déménagement enregistré : nouveau contrat {new.number}",
            body=(f"Votre nouveau logement ({new_home.full_address}) est assuré à partir du {moving_date:%d/%m/%Y} "
                  f"pour {quote.total_annual} € par an. L'ancien contrat {old.number} prend fin le même jour. "
                  "Vos attestations pour le nouveau logement sont disponibles dans vos documents."),
            url=f"/contrats/{new.number}/", category="contract", email=True,
        )
    transaction.on_commit(lambda: termination_acknowledgement(termination=termination))
    return new


def _months_after(day, months: int):
    from abri.contracts.rules import add_months

    return add_months(day, months)
