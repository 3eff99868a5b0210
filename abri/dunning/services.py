"""Writes for reminders, the renewal notice (L113-15-1) and unpaid premiums (L113-3), run by the worker hourly.

Each step happens once per amount due (or per renewal): it is claimed by inserting a `BillingNotice` with a
unique key, in the same transaction as its document, notification and audit row — a second run or a second
worker fails on the insert and does nothing. PDFs are rendered before the transaction (slow work; this is
already the worker); the document is filed through the vault's front door (`document_file`, `content=`) only once
the step is claimed, so a losing worker stores no file. The registered letter is sent after the transaction,
outbox-style, and retried until the provider gives a proof.

Dates come from `abri.dunning.rules` only. Terminating for non-payment is a staff decision
(`dunning_terminate`) unless ABRI_DUNNING_AUTO_TERMINATE is set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from abri.billing.choices import BillingNoticeKind, PaymentMethod, ScheduleStatus
from abri.billing.models import BillingNotice, ScheduleItem
from abri.contracts.choices import ContractStatus
from abri.contracts.models import Contract
from abri.contracts.rules import add_months, renewal_schedule
from abri.contracts.services import (
    ContractError,
    ContractTransitionConflict,
    contract_transition,
    renewal_notice_record,
    renewal_premium,
)
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind
from abri.documents.layout import recipient_lines
from abri.documents.models import Document
from abri.documents.services import document_file
from abri.dunning import letters as letters
from abri.dunning import rules as rules
from abri.dunning.registered_mail import RegisteredLetter, RegisteredMailError, get_registered_mail
from abri.dunning.selectors import resumption_at_for
from abri.notifications.services import notification_create

logger = logging.getLogger(__name__)

#: An amount is unpaid while it is still to be paid or its payment was rejected.
UNPAID = (ScheduleStatus.UPCOMING, ScheduleStatus.FAILED)
MAX_SEND_ATTEMPTS = 8
PAYMENTS_URL = "/paiements/"


class DunningError(Exception):
    """A dunning step is not allowed (yet); the message is French and can be shown as is."""


def _day(value: date) -> str:
    return letters.day_in_words(value)


def unpaid_premiums():
    """Amounts the customer owes and has not paid: premiums and charges, not refunds to the customer."""
    return ScheduleItem.objects.filter(status__in=UNPAID, amount__gt=0).exclude(reference__startswith="REMB-")


# --- Documents: the one place where this module files one ------------------------------------------------------
@contextmanager
def _files_kept_only_on_success() -> Iterator[list[str]]:
    """Around a step's transaction: the files it filed are removed when it fails (the rows roll back, the
    storage does not), so that no document file is left without its row."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _document_file(*, stored: list[str], customer, contract, kind: str, title: str, pdf: bytes, filename: str,
                   amount=None, actor=None) -> Document:
    """File the step's letter in the customer's documents through the vault's front door (in the claim's
    transaction, once the step is claimed): indexed from the PDF's text once committed, audited."""
    document = document_file(customer=customer, contract=contract, property=contract.property, kind=kind,
                             title=title, amount=amount, content=pdf, filename=filename, actor=actor)
    stored.append(document.file.name)
    return document


def _claim(**fields) -> BillingNotice | None:
    """Insert the step's row; None when it exists already (another run or worker did the step)."""
    try:
        with transaction.atomic():
            return BillingNotice.objects.create(**fields)
    except IntegrityError:
        return None


def _done(key: str) -> bool:
    return BillingNotice.objects.filter(key=key).exists()


# --- (a) Reminders before a due date -------------------------------------------------------------------------
def reminders_send(*, today: date | None = None) -> int:
    """Remind card and transfer payers of an amount due within 7 days (direct debits get the SEPA
    pre-notification instead). Once per amount due."""
    today = today or timezone.localdate()
    items = (unpaid_premiums().filter(status=ScheduleStatus.UPCOMING,
                                      method__in=[PaymentMethod.CARD, PaymentMethod.TRANSFER],
                                      due_date__gt=today,
                                      due_date__lte=today + timedelta(days=rules.REMINDER_DAYS_BEFORE))
             .exclude(contract__status=ContractStatus.TERMINATED)
             .exclude(notices__kind=BillingNoticeKind.REMINDER)
             .select_related("customer", "contract"))
    sent = 0
    for item in items:
        with transaction.atomic():
            notice = _claim(key=f"reminder:{item.pk}", kind=BillingNoticeKind.REMINDER, customer=item.customer,
                            contract=item.contract, schedule_item=item, due_date=item.due_date, sent_on=today)
            if notice is None:
                continue
            with override("fr"):
                how = (_("Réglez-la par carte bancaire depuis votre espace, bouton « Payer maintenant ».")
                       if item.method == PaymentMethod.CARD else
                       _("Réglez-la par virement avec la référence indiquée sous « Payer maintenant » dans votre "
                         "espace."))
                notification_create(
                    customer=item.customer,
                    title=_("Votre cotisation de %(amount)s est due le %(day)s") % {
                        "amount": format_eur(item.amount), "day": _day(item.due_date)},
                    body=_("Contrat %(number)s. %(how)s") % {"number": item.contract.number, "how": how},
                    url=f"{PAYMENTS_URL}payer/{item.pk}/", category="payment", email=True)
            audit_record(action="billing.reminder_sent", target=item.contract, customer=item.customer,
                         actor_label="system", data={"schedule_item": item.pk, "due_date": item.due_date.isoformat()})
            sent += 1
    return sent


# --- (b) The renewal notice (avis d'échéance, L113-15-1) -------------------------------------------------------
def renewal_notice_send(*, contract: Contract, today: date | None = None) -> bool:
    """Send the renewal notice for the contract's next main due date, once: PDF in the documents, notification,
    recorded with `renewal_notice_record` (it feeds the Chatel basis), audited."""
    today = today or timezone.localdate()
    due = contract.main_due_date
    key = f"renewal_notice:{contract.pk}:{due.isoformat()}"
    if _done(key):
        return False
    annual, instalments = renewal_premium(contract=contract, due_date=due)
    schedule = renewal_schedule(due_date=due, frequency=contract.payment_frequency, instalments=instalments)
    in_time = rules.renewal_notice_in_time(main_due_date=due, sent_on=today)
    deadline = rules.refusal_deadline(main_due_date=due, sent_on=today)
    number = f"AE-{contract.number}-{due:%Y}"
    method = (contract.schedule_items.filter(status__in=UNPAID).order_by("-due_date").values_list("method", flat=True)
              .first() or PaymentMethod.DIRECT_DEBIT)
    with override("fr"):
        title = _("Avis d'échéance du %(day)s — contrat %(number)s") % {"day": _day(due), "number": contract.number}
        pdf = letters.renewal_notice_pdf(
            customer=contract.customer, contract=contract, due_date=due, period_end=add_months(due, 12) - timedelta(1),
            old_premium=contract.annual_premium, new_premium=annual, schedule=schedule, refusal_deadline=deadline,
            in_time=in_time, method_label=str(PaymentMethod(method).label), number=number)
    with _files_kept_only_on_success() as stored, transaction.atomic():
        notice = _claim(key=key, kind=BillingNoticeKind.RENEWAL_NOTICE, customer=contract.customer,
                        contract=contract, due_date=due, sent_on=today)
        if notice is None:  # another worker sent it
            return False
        document = _document_file(stored=stored, customer=contract.customer, contract=contract,
                                  kind=DocumentKind.DUE_NOTICE, title=title, pdf=pdf,
                                  filename=f"avis-echeance-{due:%Y}.pdf", amount=annual)
        _renewal_notice_record(notice=notice, contract=contract, document=document, annual=annual, due=due,
                               today=today, deadline=deadline, in_time=in_time)
    return True


def _renewal_notice_record(*, notice, contract, document, annual, due, today, deadline, in_time) -> None:
    """The renewal notice's writes, in the claim's transaction."""
    BillingNotice.objects.filter(pk=notice.pk).update(document=document)
    renewal_notice_record(contract=contract, due_date=due, sent_on=today)
    with override("fr"):
        notification_create(
            customer=contract.customer,
            title=_("Avis d'échéance : votre contrat %(number)s est reconduit le %(day)s") % {
                "number": contract.number, "day": _day(due)},
            body=_("Cotisation annuelle à partir du %(day)s : %(amount)s. Vous pouvez refuser la reconduction "
                   "jusqu'au %(deadline)s inclus.") % {"day": _day(due), "amount": format_eur(annual),
                                                       "deadline": _day(deadline)},
            url="/documents/", category="contract", email=True)
    audit_record(action="billing.renewal_notice_sent", target=contract, customer=contract.customer,
                 actor_label="system", data={"due_date": due.isoformat(), "in_time": in_time,
                                             "refusal_deadline": deadline.isoformat(), "annual": str(annual)})


def renewal_notices_send(*, today: date | None = None) -> int:
    """Send every renewal notice whose window has opened (a month before the latest day the law allows), and
    any late one still before its due date (late: the letter then states the 20 days of L113-15-1)."""
    today = today or timezone.localdate()
    # The window opens at most ~3 months before the due date: fetch those, let the rules decide each one.
    # A contract ending before its due date is not renewed, so it gets no notice.
    candidates = (Contract.objects.filter(status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED],
                                          main_due_date__gt=today, main_due_date__lte=add_months(today, 4))
                  .filter(Q(end_date__isnull=True) | Q(end_date__gte=F("main_due_date")))
                  .select_related("customer", "property"))
    sent = 0
    for contract in candidates:
        if rules.renewal_notice_from(contract.main_due_date) <= today:
            sent += renewal_notice_send(contract=contract, today=today)
    return sent


# --- (c) Unpaid premium: formal notice, suspension, resumption, termination (L113-3) ---------------------------
def formal_notices_prepare(*, today: date | None = None) -> int:
    """Write the mise en demeure of every premium unpaid 10 days after its due date (L113-3), once; the
    letter is sent by registered mail right after (`formal_notices_dispatch`)."""
    today = today or timezone.localdate()
    last_due = today - timedelta(days=rules.FORMAL_NOTICE_AFTER_DAYS)
    items = (unpaid_premiums().filter(due_date__lte=last_due, contract__status=ContractStatus.ACTIVE)
             .exclude(notices__kind=BillingNoticeKind.FORMAL_NOTICE)
             .select_related("customer", "contract__property"))
    prepared = 0
    for item in items:
        key = f"formal_notice:{item.pk}"
        if _done(key):
            continue
        contract = item.contract
        cal = rules.dunning_calendar(due_date=item.due_date, notice_sent_on=today)
        number = f"MED-{contract.number}-{item.pk}"
        with override("fr"):
            title = _("Mise en demeure — cotisation du %(day)s, contrat %(number)s") % {
                "day": _day(item.due_date), "number": contract.number}
            pdf = letters.formal_notice_pdf(customer=item.customer, contract=contract, item=item,
                                            suspension_on=cal.suspension_on, termination_from=cal.termination_from,
                                            number=number)
        with _files_kept_only_on_success() as stored, transaction.atomic():
            notice = _claim(key=key, kind=BillingNoticeKind.FORMAL_NOTICE, customer=item.customer, contract=contract,
                            schedule_item=item, due_date=item.due_date)
            if notice is None:  # another worker wrote it
                continue
            document = _document_file(stored=stored, customer=item.customer, contract=contract,
                                      kind=DocumentKind.OTHER, title=title, pdf=pdf, filename="mise-en-demeure.pdf",
                                      amount=item.amount)
            BillingNotice.objects.filter(pk=notice.pk).update(document=document)
            audit_record(action="billing.formal_notice_written", target=contract, customer=item.customer,
                         actor_label="system", data={"schedule_item": item.pk, "due_date": item.due_date.isoformat()})
        prepared += 1
    return prepared


def formal_notice_dispatch(*, notice_id: int) -> bool:
    """Send one written mise en demeure by registered mail, then notify: claimed by a conditional update on
    the attempts count (two workers: one sends), marked sent with the provider's proof (L113-3's clock)."""
    notice = BillingNotice.objects.select_related("customer", "contract", "schedule_item", "document").get(pk=notice_id)
    if notice.sent_on is not None or notice.attempts >= MAX_SEND_ATTEMPTS:
        return False
    if not BillingNotice.objects.filter(pk=notice.pk, sent_on=None, attempts=notice.attempts).update(
            attempts=notice.attempts + 1):
        return False
    with notice.document.file.open("rb") as handle:
        pdf = handle.read()
    adapter = get_registered_mail()
    try:
        proof = adapter.send(RegisteredLetter(idempotency_key=notice.key, recipient=recipient_lines(notice.customer),
                                              pdf=pdf, title=notice.document.title, email=notice.customer.email))
    except RegisteredMailError as exc:
        BillingNotice.objects.filter(pk=notice.pk).update(last_error=str(exc)[:200])
        logger.warning("registered mail for notice %s failed: %s", notice.pk, exc)
        return False
    sent_on = timezone.localdate(proof.sent_at)
    item = notice.schedule_item
    cal = rules.dunning_calendar(due_date=notice.due_date, notice_sent_on=sent_on)
    with transaction.atomic():
        if not BillingNotice.objects.filter(pk=notice.pk, sent_on=None).update(
                sent_on=sent_on, proof_id=proof.proof_id, provider=proof.provider, last_error=""):
            return False
        with override("fr"):
            notification_create(
                customer=notice.customer,
                title=_("Mise en demeure : cotisation de %(amount)s impayée") % {"amount": format_eur(item.amount)},
                body=_("Votre cotisation de %(amount)s due le %(due)s (contrat %(number)s) est impayée. Sans paiement, "
                       "vos garanties seront suspendues le %(day)s. Une lettre recommandée vous a été envoyée.") % {
                    "amount": format_eur(item.amount), "due": _day(item.due_date), "number": notice.contract.number,
                    "day": _day(cal.suspension_on)},
                url=f"{PAYMENTS_URL}payer/{item.pk}/", category="payment", email=True, sms=True,
                sms_body=_("Abri : cotisation de %(amount)s impayée. Sans paiement, garanties suspendues le %(day)s. "
                           "Payez dans votre espace.") % {"amount": format_eur(item.amount),
                                                           "day": _day(cal.suspension_on)})
        audit_record(action="billing.formal_notice_sent", target=notice.contract, customer=notice.customer,
                     actor_label="system", data={"schedule_item": item.pk, "provider": proof.provider,
                                                 "proof_id": proof.proof_id, "sent_on": sent_on.isoformat(),
                                                 "suspension_on": cal.suspension_on.isoformat()})
    return True


def formal_notices_dispatch() -> int:
    """Send every written, unsent mise en demeure (retried at each run until the provider accepts it)."""
    ids = list(BillingNotice.objects.filter(kind=BillingNoticeKind.FORMAL_NOTICE, sent_on=None,
                                            attempts__lt=MAX_SEND_ATTEMPTS).values_list("pk", flat=True))
    return sum(formal_notice_dispatch(notice_id=pk) for pk in ids)


def _step_document(*, notice_key: str, customer, contract, title: str, pdf: bytes, filename: str,
                   kind: str, item, transition: dict, audit_action: str, notify: dict, data: dict,
                   also=None) -> bool:
    """One suspension / resumption / termination: claim, contract transition, document, notification, audit."""
    try:
        with _files_kept_only_on_success() as stored, transaction.atomic():
            notice = _claim(key=notice_key, kind=data["kind"], customer=customer, contract=contract,
                            schedule_item=item, due_date=item.due_date if item else data["day"],
                            sent_on=data["day"])
            if notice is None:
                raise ContractTransitionConflict("done")
            contract_transition(contract=contract, actor=data.get("actor"), **transition)
            if also is not None:
                also()
            document = _document_file(stored=stored, customer=customer, contract=contract, kind=kind, title=title,
                                      pdf=pdf, filename=filename, actor=data.get("actor"))
            BillingNotice.objects.filter(pk=notice.pk).update(document=document)
            notification_create(customer=customer, url=PAYMENTS_URL, email=True, sms=True, **notify)
            audit_record(action=audit_action, target=contract, customer=customer, actor=data.get("actor"),
                         actor_label="" if data.get("actor") else "system",
                         data={k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()
                               if k not in {"actor", "kind"}})
    except (ContractTransitionConflict, ContractError):  # another run did the step, or the contract moved on
        return False
    return True


def suspensions_apply(*, today: date | None = None) -> int:
    """Suspend the cover of contracts whose mise en demeure was sent 30 days ago and is still unpaid (L113-3)."""
    today = today or timezone.localdate()
    notices = (BillingNotice.objects.filter(kind=BillingNoticeKind.FORMAL_NOTICE,
                                            sent_on__lte=today - timedelta(days=rules.SUSPENSION_AFTER_NOTICE_DAYS),
                                            schedule_item__status__in=UNPAID,
                                            contract__status=ContractStatus.ACTIVE)
               .select_related("customer", "contract__property", "schedule_item").order_by("sent_on", "pk"))
    done = 0
    for notice in notices:
        item, contract = notice.schedule_item, notice.contract
        cal = rules.dunning_calendar(due_date=item.due_date, notice_sent_on=notice.sent_on)
        with override("fr"):
            title = _("Suspension de vos garanties — contrat %(number)s") % {"number": contract.number}
            pdf = letters.suspension_pdf(customer=notice.customer, contract=contract, item=item,
                                         suspended_on=cal.suspension_on, termination_from=cal.termination_from,
                                         number=f"SUS-{contract.number}-{item.pk}")
            notify = {
                "title": _("Garanties suspendues depuis le %(day)s") % {"day": _day(cal.suspension_on)},
                "body": _("Contrat %(number)s : votre cotisation de %(amount)s due le %(due)s est impayée. Payez-la "
                          "pour que vos garanties reprennent le lendemain à midi.") % {
                    "number": contract.number, "amount": format_eur(item.amount), "due": _day(item.due_date)},
                "category": "payment",
                "sms_body": _("Abri : garanties de votre contrat %(number)s suspendues (cotisation impayée). Payez "
                              "dans votre espace.") % {"number": contract.number},
            }
            note = _("Garanties suspendues depuis le %(day)s (L113-3) : cotisation de %(amount)s due le %(due)s "
                     "impayée.") % {"day": _day(cal.suspension_on), "amount": format_eur(item.amount),
                                    "due": _day(item.due_date)}
        done += _step_document(
            notice_key=f"suspension:{item.pk}", customer=notice.customer, contract=contract, title=title, pdf=pdf,
            filename="suspension.pdf", kind=DocumentKind.OTHER, item=item,
            transition={"to_status": ContractStatus.SUSPENDED, "note": note,
                        "data": {"suspended_on": cal.suspension_on.isoformat(), "schedule_item": item.pk}},
            audit_action="billing.cover_suspended", notify=notify,
            data={"kind": BillingNoticeKind.SUSPENSION, "day": cal.suspension_on, "schedule_item": item.pk})
    return done


def _suspension_of(contract: Contract) -> BillingNotice | None:
    return (BillingNotice.objects.filter(contract=contract, kind=BillingNoticeKind.SUSPENSION)
            .select_related("schedule_item").order_by("-created_at", "-pk").first())


def resumptions_apply(*, now: datetime | None = None) -> int:
    """Put back in force the suspended contracts whose premiums are paid, from noon the day after (L113-3)."""
    now = now or timezone.now()
    done = 0
    for contract in Contract.objects.filter(status=ContractStatus.SUSPENDED).select_related("customer", "property"):
        at = resumption_at_for(contract)
        suspension = _suspension_of(contract)
        if at is None or now < at or suspension is None:
            continue
        day = timezone.localdate(at)
        with override("fr"):
            title = _("Remise en vigueur de vos garanties — contrat %(number)s") % {"number": contract.number}
            pdf = letters.resumption_pdf(customer=contract.customer, contract=contract, resumed_at_day=day,
                                         number=f"REP-{contract.number}-{suspension.pk}")
            notify = {"title": _("Vos garanties ont repris effet le %(day)s à midi") % {"day": _day(day)},
                      "body": _("Contrat %(number)s : nous avons reçu votre paiement.") % {"number": contract.number},
                      "category": "payment",
                      "sms_body": _("Abri : paiement reçu, vos garanties ont repris effet le %(day)s à midi.") % {
                          "day": _day(day)}}
            note = _("Garanties remises en vigueur le %(day)s à midi (L113-3), cotisation payée.") % {"day": _day(day)}
        done += _step_document(
            notice_key=f"resumption:{suspension.pk}", customer=contract.customer, contract=contract, title=title,
            pdf=pdf, filename="remise-en-vigueur.pdf", kind=DocumentKind.OTHER, item=suspension.schedule_item,
            transition={"to_status": ContractStatus.ACTIVE, "note": note,
                        "data": {"resumed_at": at.isoformat()}},
            audit_action="billing.cover_resumed", notify=notify,
            data={"kind": BillingNoticeKind.RESUMPTION, "day": day})
    return done


def termination_possible_from(contract: Contract) -> date | None:
    """The first day the insurer may terminate the suspended contract (L113-3: notice + 40 days), or None."""
    suspension = _suspension_of(contract)
    if contract.status != ContractStatus.SUSPENDED or suspension is None:
        return None
    notice = BillingNotice.objects.filter(schedule_item=suspension.schedule_item,
                                          kind=BillingNoticeKind.FORMAL_NOTICE).first()
    return rules.termination_possible_date(notice.sent_on) if notice and notice.sent_on else None


def dunning_terminate(*, contract: Contract, actor=None, today: date | None = None) -> bool:
    """Terminate a suspended contract for non-payment (L113-3 al. 3), from 10 days after the suspension:
    a staff decision (or the worker's when ABRI_DUNNING_AUTO_TERMINATE is set). The contract ends today."""
    today = today or timezone.localdate()
    first_day = termination_possible_from(contract)
    if first_day is None:
        raise DunningError(_("Ce contrat n'est pas suspendu pour une cotisation impayée."))
    if today < first_day:
        raise DunningError(_("La résiliation pour non-paiement est possible à partir du %(day)s.") % {
            "day": _day(first_day)})
    suspension = _suspension_of(contract)
    item = suspension.schedule_item if suspension is not None else None
    if item is None:  # termination_possible_from found the suspension: it names the unpaid instalment
        raise DunningError(_("Ce contrat n'est pas suspendu pour une cotisation impayée."))
    with override("fr"):
        title = _("Résiliation pour non-paiement — contrat %(number)s") % {"number": contract.number}
        pdf = letters.termination_pdf(customer=contract.customer, contract=contract, item=item, end=today,
                                      number=f"RES-{contract.number}-{item.pk}")
        notify = {"title": _("Votre contrat %(number)s est résilié pour non-paiement") % {"number": contract.number},
                  "body": _("Il prend fin le %(day)s. La lettre de résiliation est dans vos documents.") % {
                      "day": _day(today)},
                  "category": "contract",
                  "sms_body": _("Abri : votre contrat %(number)s est résilié pour non-paiement.") % {
                      "number": contract.number}}
        note = _("Résiliation pour non-paiement (L113-3) le %(day)s.") % {"day": _day(today)}
    return bool(_step_document(
        notice_key=f"termination:{contract.pk}", customer=contract.customer, contract=contract, title=title, pdf=pdf,
        filename="resiliation-non-paiement.pdf", kind=DocumentKind.TERMINATION, item=item,
        transition={"to_status": ContractStatus.TERMINATED, "note": note, "end_date": today},
        audit_action="billing.terminated_for_non_payment", notify=notify,
        data={"kind": BillingNoticeKind.TERMINATION, "day": today, "actor": actor},
        # Instalments due after the end are not owed; what was due before stays due (the letter says so).
        also=lambda: ScheduleItem.objects.filter(contract=contract, status=ScheduleStatus.UPCOMING,
                                                 due_date__gt=today, amount__gt=0)
        .update(status=ScheduleStatus.CANCELLED)))


def terminations_apply(*, today: date | None = None) -> int:
    """Only with ABRI_DUNNING_AUTO_TERMINATE: terminate the contracts suspended for 10 days (L113-3)."""
    if not settings.ABRI_DUNNING_AUTO_TERMINATE:
        return 0
    today = today or timezone.localdate()
    done = 0
    for contract in Contract.objects.filter(status=ContractStatus.SUSPENDED).select_related("customer", "property"):
        first_day = termination_possible_from(contract)
        if first_day is not None and first_day <= today:
            done += dunning_terminate(contract=contract, today=today)
    return done


def dunning_run(*, now: datetime | None = None) -> dict[str, int]:
    """The hourly worker step: every reminder, notice and L113-3 step due now. Safe to run twice or on two
    workers at once (each step is claimed by its unique key or a conditional update)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "reminders": reminders_send(today=today),
        "renewal_notices": renewal_notices_send(today=today),
        "formal_notices": formal_notices_prepare(today=today),
        "formal_notices_sent": formal_notices_dispatch(),
        "suspensions": suspensions_apply(today=today),
        "resumptions": resumptions_apply(now=now),
        "terminations": terminations_apply(today=today),
    }

