"""Services for SEPA direct debit: the customer's e-mandate, the collection file of a due date, returned debits,
and mandates lapsing after 36 months unused.

Rules (EPC SEPA Core rulebook): a mandate has a unique reference (RUM) and names the creditor identifier
(ICS); the first debit of a mandate is FRST, the next ones RCUR; the debtor is told the amount and date at
least 14 days before each debit (pre-notification, here on /paiements/ from the day the mandate is signed);
a mandate with no debit for 36 months lapses (règlement (UE) 260/2012 and rulebook 5.7).
A debit is counted paid at its due date unless the bank returns it (pain.002 or camt.054).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from abri.billing.choices import (
    RETURN_ENDS_MANDATE,
    CollectionStatus,
    MandateStatus,
    PaymentMethod,
    ScheduleStatus,
    SequenceType,
    return_reason_label,
)
from abri.billing.models import Collection, CollectionRun, ScheduleItem, SepaMandate
from abri.billing.sepa import (
    Debit,
    SepaError,
    bic_clean,
    creditor_id_clean,
    iban_clean,
    iban_masked,
    mandate_reference_new,
    pain008_build,
    returns_read,
)
from abri.core.crypto import decrypt_text, encrypt_text
from abri.core.formats import clock
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind
from abri.documents.rendering import render_text_pdf
from abri.documents.services import document_file
from abri.notifications.services import notification_create

logger = logging.getLogger(__name__)

IBAN_PURPOSE = "sepa-mandate-iban"
PRE_NOTIFICATION_DAYS = 14
LAPSE_MONTHS = 36
PARIS = ZoneInfo("Europe/Paris")


def iban_fingerprint(compact_iban: str) -> str:
    """A keyed hash of an IBAN: recognises an account already seen (closed) without storing it in clear."""
    return hmac.new(settings.ABRI_PIN_PEPPER.encode(), f"iban:{compact_iban}".encode(), hashlib.sha256).hexdigest()


def creditor_id() -> str:
    """The insurer's SEPA creditor identifier (ICS) from the configuration, validated."""
    return creditor_id_clean(settings.ABRI_SEPA_CREDITOR_ID)


def mandate_active(*, customer) -> SepaMandate | None:
    """The customer's active mandate, if any."""
    return SepaMandate.objects.for_customer(customer).filter(status=MandateStatus.ACTIVE).first()


# --- The customer's mandate -----------------------------------------------------------------------

def _consent_text(*, holder: str, reference: str) -> str:
    return _(
        "En signant ce formulaire de mandat, j'autorise %(creditor)s à envoyer des instructions à ma banque pour "
        "débiter mon compte, et ma banque à débiter mon compte conformément à ses instructions (mandat %(rum)s, "
        "paiement récurrent). Je bénéficie du droit d'être remboursé par ma banque selon les conditions décrites "
        "dans la convention que j'ai passée avec elle ; une demande de remboursement doit être présentée dans les "
        "8 semaines suivant la date de débit de mon compte pour un prélèvement autorisé. — %(holder)s"
    ) % {"creditor": settings.ABRI_INSURER_NAME, "rum": reference, "holder": holder}


MANDATE_RENDERER = "billing.sepa_mandate"


def _mandate_title(reference: str) -> str:
    return _("Mandat de prélèvement SEPA %(rum)s") % {"rum": reference}


def mandate_render(*, mandate_id: int) -> bytes:
    """The vault's renderer for the signed mandate (`document_file`, signed in its task): the letter from the
    mandate's row, in French. Only the masked IBAN is printed; the task's arguments hold the mandate's id only."""
    mandate = SepaMandate.objects.select_related("customer").get(pk=mandate_id)
    when = timezone.localtime(mandate.signed_at, PARIS)
    with override("fr"):
        title = _mandate_title(mandate.reference)
        lines = [
            _("Référence unique du mandat (RUM) : %(rum)s") % {"rum": mandate.reference},
            _("Identifiant créancier SEPA (ICS) : %(ics)s") % {"ics": creditor_id()},
            _("Créancier : %(creditor)s") % {"creditor": settings.ABRI_INSURER_NAME},
            _("Type de paiement : récurrent (cotisations d'assurance de tous vos contrats payés par prélèvement)"),
            "",
            _("Débiteur : %(holder)s (client %(number)s)") % {"holder": mandate.holder,
                                                            "number": mandate.customer.customer_number},
            # The PDF's standard fonts have no « • »: the masked digits are asterisks there.
            _("Compte à débiter (IBAN) : %(iban)s") % {"iban": mandate.iban_masked.replace("•", "*")},
            _("BIC : %(bic)s") % {"bic": mandate.bic or _("non communiqué")},
            "",
            mandate.consent_text,
            "",
            _("Signé électroniquement le %(day)s à %(time)s (heure de Paris), après confirmation de l'identité du "
              "titulaire de l'espace client par un second facteur.") % {
                "day": day_in_words(when.date(), language="fr"), "time": clock(when.time())},
            _("Chaque prélèvement vous est annoncé au moins %(days)s jours avant sa date, dans « Mes paiements ».")
            % {"days": PRE_NOTIFICATION_DAYS},
            _("Note : vos droits concernant le présent mandat sont expliqués dans un document que vous pouvez "
              "obtenir auprès de votre banque."),
        ]
    return render_text_pdf(title=title, lines=lines, insurer_name=settings.ABRI_INSURER_NAME)


def mandate_sign(*, customer, holder: str, iban: str, bic: str = "", consent: bool, actor=None,
                 ip_address: str | None = None) -> SepaMandate:
    """Sign a SEPA e-mandate (the caller checked a fresh step-up); it replaces the previous one.

    The premiums due at least 14 days from now switch to direct debit (their pre-notification is then on
    /paiements/ in time); nearer ones keep their method. The customer is told by e-mail and SMS.
    """
    holder = " ".join((holder or "").split())[:70]
    if not holder:
        raise SepaError(_("Indiquez le titulaire du compte."))
    account = iban_clean(iban)
    bic_value = bic_clean(bic, iban=account)
    if not consent:
        raise SepaError(_("Cochez la case d'autorisation : sans votre accord, aucun prélèvement n'est possible."))
    compact = str(account.compact)
    fingerprint = iban_fingerprint(compact)
    if SepaMandate.objects.for_customer(customer).filter(iban_fingerprint=fingerprint,
                                                         status=MandateStatus.ACCOUNT_CLOSED).exists():
        raise SepaError(_("Votre banque nous a signalé que ce compte est clôturé ou bloqué : indiquez un autre compte."))
    now = timezone.now()
    reference = mandate_reference_new(customer_number=customer.customer_number, on=timezone.localdate(now))
    consent_text = _consent_text(holder=holder, reference=reference)
    try:
        return _mandate_record(customer=customer, reference=reference, holder=holder,
                               compact=compact, fingerprint=fingerprint, bic=bic_value, now=now,
                               consent_text=consent_text, ip_address=ip_address, actor=actor)
    except IntegrityError as exc:
        # Two tabs signing at once: one active mandate per customer (unique constraint), the other is refused.
        raise SepaError(_("Un autre mandat vient d'être signé pour votre compte : rechargez la page.")) from exc


@transaction.atomic
def _mandate_record(*, customer, reference: str, holder: str, compact: str, fingerprint: str,
                    bic: str, now, consent_text: str, ip_address: str | None, actor) -> SepaMandate:
    """The writes of a signature, in one transaction: previous mandate replaced, new one, methods, audit, notice."""
    masked = iban_masked(compact)
    previous = list(SepaMandate.objects.select_for_update().for_customer(customer)
                    .filter(status=MandateStatus.ACTIVE))
    for old in previous:
        old.status = MandateStatus.REPLACED
        old.ended_at = now
        old.save(update_fields=["status", "ended_at"])
        audit_record(actor=actor, action="billing.mandate_replaced", target=old, customer=customer,
                     data={"reference": old.reference})
    mandate = SepaMandate.objects.create(
        customer=customer, reference=reference, holder=holder,
        iban_encrypted=encrypt_text(compact, purpose=IBAN_PURPOSE), iban_first4=compact[:4],
        iban_last4=compact[-4:], iban_fingerprint=fingerprint, bic=bic, signed_at=now,
        consent_text=consent_text, signed_ip=ip_address or None)
    # Filed after the mandate's row (a concurrent signature fails on it first, before any document exists);
    # rendered from that row and PAdES-signed by the vault's task, outside the transaction.
    title = _mandate_title(reference)
    mandate.document = document_file(
        customer=customer, kind=DocumentKind.OTHER, title=title, renderer=MANDATE_RENDERER,
        renderer_args={"mandate_id": mandate.pk}, filename=f"mandat-sepa-{reference}.pdf", sign=True,
        sign_reason=title, actor=actor, audit_data={"reference": reference})
    mandate.save(update_fields=["document"])
    switched = ScheduleItem.objects.for_customer(customer).filter(
        status=ScheduleStatus.UPCOMING, amount__gt=0,
        due_date__gte=timezone.localdate(now) + timedelta(days=PRE_NOTIFICATION_DAYS),
    ).exclude(method=PaymentMethod.DIRECT_DEBIT).update(method=PaymentMethod.DIRECT_DEBIT)
    audit_record(actor=actor, action="billing.mandate_signed", target=mandate, customer=customer,
                 data={"reference": reference, "account_last4": compact[-4:], "switched_items": switched})
    words = {"iban": masked, "rum": reference}
    notification_create(
        customer=customer, category="security", email=True, sms=True, url="/paiements/",
        title=_("Mandat de prélèvement SEPA enregistré"),
        body=_("Vos cotisations seront prélevées sur le compte %(iban)s (mandat %(rum)s). Le mandat signé est "
               "dans vos documents. Si vous n'êtes pas à l'origine de ce changement, appelez-nous "
               "immédiatement.") % words,
        sms_body=_("%(insurer)s : mandat de prélèvement enregistré sur le compte %(iban)s. Si ce n'est pas "
                   "vous, appelez-nous.") % {"insurer": settings.ABRI_INSURER_NAME, **words})
    return mandate


@transaction.atomic
def mandate_revoke(*, customer, mandate_id: int, actor=None) -> SepaMandate:
    """The customer stops direct debit: the mandate is revoked, upcoming debits become transfers to pay."""
    mandate = SepaMandate.objects.select_for_update().get_for_customer(customer, pk=mandate_id)
    if mandate.status != MandateStatus.ACTIVE:
        return mandate
    mandate.status = MandateStatus.REVOKED
    mandate.ended_at = timezone.now()
    mandate.save(update_fields=["status", "ended_at"])
    switched = _debits_to_transfer(customer=customer)
    audit_record(actor=actor, action="billing.mandate_revoked", target=mandate, customer=customer,
                 data={"reference": mandate.reference, "switched_items": switched})
    notification_create(
        customer=customer, category="security", email=True, url="/paiements/",
        title=_("Prélèvement arrêté"),
        body=_("Le mandat %(rum)s (compte %(iban)s) est révoqué : vos prochaines échéances sont à régler par "
               "virement ou par carte depuis « Mes paiements ». Si vous n'êtes pas à l'origine de ce changement, "
               "appelez-nous immédiatement.") % {"rum": mandate.reference, "iban": mandate.iban_masked})
    return mandate


def _debits_to_transfer(*, customer) -> int:
    """Upcoming direct debits not collected yet become transfers (no mandate to collect them any more)."""
    return ScheduleItem.objects.for_customer(customer).filter(
        status=ScheduleStatus.UPCOMING, method=PaymentMethod.DIRECT_DEBIT, collection__isnull=True,
    ).update(method=PaymentMethod.TRANSFER)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def mandates_lapse(*, today: date | None = None) -> int:
    """Worker step: active mandates with no debit for 36 months lapse (idempotent: a lapsed one is skipped)."""
    today = today or timezone.localdate()
    limit = _months_before(today, LAPSE_MONTHS)
    lapsed = 0
    candidates = SepaMandate.objects.filter(status=MandateStatus.ACTIVE).filter(
        last_collected_on__lt=limit) | SepaMandate.objects.filter(
        status=MandateStatus.ACTIVE, last_collected_on=None, signed_at__lt=datetime.combine(limit, time(), PARIS))
    for mandate in candidates.select_related("customer").iterator():
        with transaction.atomic():
            if not SepaMandate.objects.filter(pk=mandate.pk, status=MandateStatus.ACTIVE).update(
                    status=MandateStatus.LAPSED, ended_at=timezone.now()):
                continue  # another worker did it
            customer = mandate.customer
            switched = _debits_to_transfer(customer=customer)
            audit_record(action="billing.mandate_lapsed", target=mandate, customer=customer,
                         actor_label="worker", data={"reference": mandate.reference, "switched_items": switched})
            notification_create(
                customer=customer, email=True, url="/paiements/prelevement/",
                title=_("Votre mandat de prélèvement n'est plus valable"),
                body=_("Le mandat %(rum)s n'a servi à aucun prélèvement depuis 36 mois : il est devenu caduc. "
                       "Pour payer à nouveau par prélèvement, signez un nouveau mandat dans « Mes paiements ».")
                % {"rum": mandate.reference})
            lapsed += 1
    return lapsed


# --- The collection file of a due date ------------------------------------------------------------

@dataclass
class CollectionResult:
    run: CollectionRun | None  # None: nothing to collect that day
    created: bool
    skipped_without_mandate: int = 0
    skipped_late_mandate: int = 0
    sequences: dict[str, int] = field(default_factory=dict)


def _paid_at(due_date: date) -> datetime:
    return datetime.combine(due_date, time(12), PARIS)


def collection_run_build(*, due_date: date, actor=None) -> CollectionResult:
    """The pain.008 of a due date: every upcoming direct debit due that day whose mandate is active.

    Built once per due date: asked again, the recorded run (same file) is returned and nothing is collected
    twice. A debit whose mandate was signed less than 14 days before the due date is left out (its
    pre-notification could not be on time); so is one without an active mandate. Both are counted.
    """
    existing = CollectionRun.objects.filter(due_date=due_date).first()
    if existing is not None:
        return CollectionResult(run=existing, created=False)
    mandates = {row[0]: row for row in SepaMandate.objects.filter(status=MandateStatus.ACTIVE).values_list(
        "customer_id", "id", "reference", "holder", "iban_encrypted", "bic", "signed_at", "last_collected_on")}
    rows = ScheduleItem.objects.filter(
        status=ScheduleStatus.UPCOMING, method=PaymentMethod.DIRECT_DEBIT, due_date=due_date, amount__gt=0,
        collection__isnull=True).order_by("id").values_list("id", "customer_id", "amount", "contract__number")
    debits: list[Debit] = []
    planned: list[tuple[int, int, str, str]] = []  # item id, mandate id, sequence, end-to-end id
    result = CollectionResult(run=None, created=True)
    # In UTC like the stored values: comparing datetimes of one tzinfo skips a time-zone lookup per debit.
    latest_signature = datetime.combine(due_date - timedelta(days=PRE_NOTIFICATION_DAYS), time.max, PARIS).astimezone(
        UTC)
    ibans: dict[int, str] = {}
    for item_id, customer_id, amount, contract_number in rows:
        mandate = mandates.get(customer_id)
        if mandate is None:
            result.skipped_without_mandate += 1
            continue
        _customer, mandate_id, reference, holder, encrypted, bic, signed_at, last_collected = mandate
        if signed_at > latest_signature:
            result.skipped_late_mandate += 1
            continue
        if mandate_id not in ibans:
            ibans[mandate_id] = decrypt_text(encrypted, purpose=IBAN_PURPOSE) or ""
        sequence = SequenceType.FIRST if last_collected is None else SequenceType.RECURRING
        end_to_end = f"ABRI-{due_date:%Y%m%d}-{item_id}"
        debits.append(Debit(
            end_to_end_id=end_to_end, amount=amount, sequence=sequence, mandate_reference=reference,
            mandate_signed_on=timezone.localtime(signed_at, PARIS).date(), debtor_name=holder,
            debtor_iban=ibans[mandate_id], debtor_bic=bic,
            description=f"Cotisation {contract_number} echeance du {due_date:%d/%m/%Y}"))
        planned.append((item_id, mandate_id, sequence, end_to_end))
        result.sequences[sequence] = result.sequences.get(sequence, 0) + 1
    if not debits:
        return result  # nothing to collect: no file, no run (a mandate signed later can still be collected)
    xml, message_id = pain008_build(
        debits=debits, due_date=due_date, creditor_name=settings.ABRI_INSURER_NAME,
        creditor_iban=settings.ABRI_INSURER_IBAN.replace(" ", ""), creditor_bic=settings.ABRI_INSURER_BIC,
        creditor_id=creditor_id())
    total = sum((d.amount for d in debits), start=ScheduleItem._meta.get_field("amount").to_python("0.00"))
    try:
        with transaction.atomic():
            run = CollectionRun.objects.create(due_date=due_date, message_id=message_id, xml=xml.decode(),
                                               schema="pain.008.001.08", count=len(debits), total=total)
            amounts = {d.end_to_end_id: d.amount for d in debits}
            Collection.objects.bulk_create(
                [Collection(run=run, item_id=item_id, mandate_id=mandate_id, sequence=sequence,
                            end_to_end_id=end_to_end, amount=amounts[end_to_end])
                 for item_id, mandate_id, sequence, end_to_end in planned], batch_size=2000)
            item_ids = [p[0] for p in planned]
            mandate_ids = sorted({p[1] for p in planned})
            for start in range(0, len(item_ids), 900):
                ScheduleItem.objects.filter(pk__in=item_ids[start:start + 900], status=ScheduleStatus.UPCOMING).update(
                    status=ScheduleStatus.PAID, paid_at=_paid_at(due_date), rejection_reason="")
            for start in range(0, len(mandate_ids), 900):
                SepaMandate.objects.filter(pk__in=mandate_ids[start:start + 900]).update(last_collected_on=due_date)
            audit_record(actor=actor, action="billing.collection_run", target=run, actor_label="" if actor else "cli",
                         data={"due_date": due_date.isoformat(), "count": len(debits), "total": str(total),
                               "sequences": result.sequences, "without_mandate": result.skipped_without_mandate,
                               "late_mandate": result.skipped_late_mandate})
    except IntegrityError:
        # Two runs for the same day at once: the other one won, its file is the one.
        return CollectionResult(run=CollectionRun.objects.get(due_date=due_date), created=False)
    result.run = run
    return result


# --- Returned debits (R-transactions) -------------------------------------------------------------

@dataclass
class ReturnsResult:
    returned: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)


def returns_import(*, data: bytes, actor=None) -> ReturnsResult:
    """Import a pain.002 or camt.054 file: each returned debit once (importing it again changes nothing)."""
    result = ReturnsResult()
    for found in returns_read(data):
        if found.message_id:
            ids = list(Collection.objects.filter(run__message_id=found.message_id).values_list("id", flat=True))
        else:
            ids = list(Collection.objects.filter(end_to_end_id=found.end_to_end_id).values_list("id", flat=True))
        if not ids:
            result.unknown.append(found.end_to_end_id or found.message_id)
            continue
        for collection_id in ids:
            if debit_return(collection_id=collection_id, reason=found.reason or "MS03", actor=actor):
                result.returned += 1
            else:
                result.already += 1
    return result


@transaction.atomic
def debit_return(*, collection_id: int, reason: str, actor=None) -> bool:
    """A debit returned by the bank: the instalment becomes rejected with its reason, to pay again by link.

    False when it was already returned (the same file imported twice, or pain.002 then camt.054).
    """
    collection = Collection.objects.select_for_update().select_related("item", "mandate", "item__customer").get(
        pk=collection_id)
    if collection.status == CollectionStatus.RETURNED:
        return False
    now = timezone.now()
    collection.status = CollectionStatus.RETURNED
    collection.return_reason = reason[:4]
    collection.returned_at = now
    collection.save(update_fields=["status", "return_reason", "returned_at"])
    item = collection.item
    customer = item.customer
    item.status = ScheduleStatus.FAILED
    item.paid_at = None
    item.rejection_reason = reason[:4]
    item.save(update_fields=["status", "paid_at", "rejection_reason"])
    mandate = collection.mandate
    if collection.sequence == SequenceType.FIRST and not mandate.collections.filter(
            status=CollectionStatus.SENT).exists():
        mandate.last_collected_on = None  # the first debit did not go through: the next one is FRST again
        mandate.save(update_fields=["last_collected_on"])
    ends = RETURN_ENDS_MANDATE.get(reason)
    if ends and mandate.status == MandateStatus.ACTIVE:
        mandate.status = ends
        mandate.ended_at = now
        mandate.save(update_fields=["status", "ended_at"])
        _debits_to_transfer(customer=customer)
    label = return_reason_label(reason)
    audit_record(actor=actor, action="billing.debit_returned", target=item, customer=customer,
                 actor_label="" if actor else "bank",
                 data={"end_to_end_id": collection.end_to_end_id, "reason": reason, "mandate": mandate.reference,
                       "mandate_ended": bool(ends)})
    words = {"day": day_in_words(item.due_date), "amount": format_eur(item.amount), "reason": label}
    body = _("Votre banque a rejeté le prélèvement de %(amount)s du %(day)s. Motif : %(reason)s. "
             "Réglez cette échéance par virement ou par carte avec le lien ci-dessous.") % words
    if ends:
        body += " " + _("Ce compte ne peut plus être prélevé : vos prochaines échéances sont à régler par virement, "
                        "ou signez un nouveau mandat sur un autre compte.")
    notification_create(customer=customer, email=True, sms=True, category="payment",
                        url=f"/paiements/payer/{item.pk}/",
                        title=_("Prélèvement rejeté : %(reason)s") % words, body=body,
                        sms_body=_("%(insurer)s : votre prélèvement de %(amount)s a été rejeté (%(reason)s). "
                                   "Payez-le depuis « Mes paiements ».")
                        % {"insurer": settings.ABRI_INSURER_NAME, **words})
    return True
