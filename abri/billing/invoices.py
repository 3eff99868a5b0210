"""Invoices that cannot be forged: avis d'échéance, quittance and note de remboursement (issue 11, point 4).

Each is a letter (abri.documents.layout) turned into a PDF/A-3 with its Factur-X XML (abri.billing.facturx),
then PAdES-signed and filed in the customer's documents through the vault's front door (`document_file`,
renderer « billing.invoice »). Its number answers on the public /verifier/ page (`invoice_verify`).

The lines follow the tariff: the premium before tax, then the Cat Nat surcharge, the insurance tax (TSCA)
and the terrorism contribution (FGTI), in the proportions of the contract's quote. Billing does not import
contracts (ADR 0010): the contracts app registers where the breakdown comes from
(`abri.billing.ports.register_premium_breakdown`).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from abri.accounts.models import Customer
from abri.billing.choices import ScheduleStatus
from abri.billing.facturx import (
    PAYMENT_MEANS,
    TYPE_CREDIT_NOTE,
    TYPE_INVOICE,
    InvoiceData,
    Party,
    facturx_pdf,
    insurer_party,
    invoice_xml,
)
from abri.billing.models import Invoice, ScheduleItem
from abri.billing.ports import premium_breakdown_source
from abri.core.formats import day as day_in_words
from abri.documents.choices import DocumentKind
from abri.documents.layout import (
    Heading,
    Letter,
    Table,
    Text,
    money,
    recipient_lines,
    references,
    render_letter,
)
from abri.documents.services import document_file
from abri.documents.verification import DocumentCheck

logger = logging.getLogger(__name__)

RENDERER = "billing.invoice"
CENT = Decimal("0.01")
SUFFIX_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

# The tariff's components of a premium (annual amounts), in the order the invoice lists them.
COMPONENTS = (
    ("net_premium", gettext_lazy("Cotisation hors taxes")),
    ("instalment_surcharge", gettext_lazy("Majoration de fractionnement")),
    ("catnat_surcharge", gettext_lazy("Contribution catastrophes naturelles")),
    ("insurance_tax", gettext_lazy("Taxe spéciale sur les conventions d'assurance (TSCA)")),
    ("terrorism_contribution", gettext_lazy("Contribution au fonds de garantie attentats (FGTI)")),
)

def invoice_lines(item: ScheduleItem) -> list[tuple[str, Decimal]]:
    """The lines of an invoice for `item` (positive amounts adding up to |item.amount|).

    The contract's tariff components, scaled to the amount; the premium before tax absorbs the rounding cents.
    Without a breakdown (no source, or the tariff cannot price the contract) one line, taxes included.
    """
    total = abs(item.amount).quantize(CENT)
    breakdown = None
    source = premium_breakdown_source()
    if source is not None:
        try:
            breakdown = source(item.contract)
        except Exception:  # a tariff problem must not stop the customer's receipt
            logger.exception("premium breakdown failed for contract %s", item.contract_id)
    annual = sum(breakdown.values(), Decimal("0")) if breakdown else Decimal("0")
    if not breakdown or annual <= 0:
        return [(_("Cotisation d'assurance, taxes comprises"), total)]
    lines = []
    for key, label in COMPONENTS[1:]:
        amount = (breakdown.get(key, Decimal("0")) * total / annual).quantize(CENT, ROUND_HALF_UP)
        if amount:
            lines.append((str(label), amount))
    net = total - sum((amount for _label, amount in lines), Decimal("0"))
    return [(str(COMPONENTS[0][1]), net), *lines]


def invoice_kind_for(item: ScheduleItem) -> str | None:
    """Which document an amount of the schedule gives: a refund note, a receipt once paid, else a notice."""
    if item.amount < 0:
        return Invoice.Kind.REFUND if item.status in (ScheduleStatus.UPCOMING, ScheduleStatus.PAID) else None
    if item.status == ScheduleStatus.PAID:
        return Invoice.Kind.RECEIPT
    if item.status in (ScheduleStatus.UPCOMING, ScheduleStatus.FAILED):
        return Invoice.Kind.NOTICE
    return None


NUMBER_PREFIX = "FA"
NUMBER_RE = re.compile(r"^FA-\d{4}-\d{7}-[" + SUFFIX_ALPHABET + "]{4}$")


def _number(pk: int, year: int) -> str:
    return f"FA-{year}-{pk:07d}-" + "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(4))


def invoice_issue(*, item: ScheduleItem, kind: str, actor=None) -> Invoice:
    """The invoice of `kind` for `item`: issued, numbered and filed once (asked again, the same one)."""
    existing = Invoice.objects.filter(schedule_item=item, kind=kind).select_related("document").first()
    if existing is not None:
        return existing
    lines = invoice_lines(item)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                customer_id=item.customer_id, schedule_item=item, kind=kind,
                total=sum((amount for _label, amount in lines), Decimal("0.00")),
                lines=[{"label": label, "amount": str(amount)} for label, amount in lines])
            invoice.number = _number(invoice.pk, invoice.issued_on.year)
            invoice.save(update_fields=["number"])
            with override(settings.LANGUAGE_CODE):
                title = _("%(kind)s n° %(number)s") % {"kind": invoice.get_kind_display(), "number": invoice.number}
            invoice.document = document_file(
                customer=item.customer, kind=DocumentKind.RECEIPT if kind == Invoice.Kind.RECEIPT else DocumentKind.INVOICE,
                title=title, contract=item.contract, amount=invoice.total, renderer=RENDERER,
                renderer_args={"invoice_id": invoice.pk}, filename=f"{invoice.number}.pdf", sign=True,
                sign_reason=title, actor=actor, audit_data={"invoice": invoice.number},
            )
            invoice.save(update_fields=["document"])
    except IntegrityError:  # two tabs asked at once: the other one filed it
        return Invoice.objects.select_related("document").get(schedule_item=item, kind=kind)
    return invoice


INVOICE_URL_NAMES = {Invoice.Kind.NOTICE: "billing:invoice_notice", Invoice.Kind.RECEIPT: "billing:invoice_receipt",
                     Invoice.Kind.REFUND: "billing:invoice_refund"}
INVOICE_LINK_LABELS = {Invoice.Kind.NOTICE: gettext_lazy("Avis d'échéance (PDF)"),
                       Invoice.Kind.RECEIPT: gettext_lazy("Quittance (PDF)"),
                       Invoice.Kind.REFUND: gettext_lazy("Note de remboursement (PDF)")}


def invoice_links(*, customer, entries) -> None:
    """Set `invoice_url` and `invoice_label` on the payment history's schedule lines that have an invoice
    (one query for the page): a paid premium its receipt, an upcoming one its notice, a refund its note."""
    ids = [entry.pk for entry in entries if entry.source == "schedule"]
    items = {item.pk: item for item in ScheduleItem.objects.for_customer(customer).filter(pk__in=ids)
             .only("pk", "amount", "status")}
    for entry in entries:
        item = items.get(entry.pk) if entry.source == "schedule" else None
        kind = invoice_kind_for(item) if item is not None else None
        entry.invoice_url = reverse(INVOICE_URL_NAMES[kind], args=[item.pk]) if kind else ""
        entry.invoice_label = INVOICE_LINK_LABELS[kind] if kind else ""


@dataclass(frozen=True)
class AvailableInvoice:
    """An invoice the customer can download: issued already (it has a number) or issued on first download."""

    id: str  # "<kind>-<schedule item id>", stable
    kind: str
    kind_label: str
    item_id: int
    contract_number: str
    due_date: object
    amount: Decimal
    number: str | None


def invoices_available(*, customer) -> list[AvailableInvoice]:
    """Every invoice of the customer's schedule, newest due date first (two queries)."""
    items = (ScheduleItem.objects.for_customer(customer).select_related("contract")
             .only("pk", "amount", "status", "due_date", "contract__number").order_by("-due_date", "-id"))
    numbers = dict(((kind, item_id), number) for kind, item_id, number in
                   Invoice.objects.for_customer(customer).values_list("kind", "schedule_item_id", "number"))
    found = []
    for item in items:
        kind = invoice_kind_for(item)
        if kind:
            found.append(AvailableInvoice(
                id=f"{kind}-{item.pk}", kind=kind, kind_label=str(Invoice.Kind(kind).label), item_id=item.pk,
                contract_number=item.contract.number, due_date=item.due_date, amount=abs(item.amount),
                number=numbers.get((kind, item.pk))))
    return found


def invoice_for_customer(*, customer, item_id: int, kind: str, actor=None) -> Invoice:
    """The customer's invoice of `kind` for their schedule item `item_id`; 404 for another's or a wrong kind."""
    item = (ScheduleItem.objects.for_customer(customer).select_related("customer", "contract")
            .filter(pk=item_id).first())
    if item is None or invoice_kind_for(item) != kind:
        raise Http404
    return invoice_issue(item=item, kind=kind, actor=actor)


# --- Rendering (the vault's task) -----------------------------------------------------------------------------


def _buyer(customer: Customer) -> Party:
    return Party(name=customer.full_name, line=customer.address_line, postcode=customer.postcode,
                 city=getattr(customer, "city", ""), email=customer.email)


def _pdf_eur(value: Decimal) -> str:
    return money(value)


def invoice_data(invoice: Invoice) -> InvoiceData:
    item = invoice.schedule_item
    lines = [(line["label"], Decimal(line["amount"])) for line in invoice.lines]
    paid = invoice.total if invoice.kind == Invoice.Kind.RECEIPT else Decimal("0.00")
    notes = {
        Invoice.Kind.NOTICE: _("Avis d'échéance de cotisation d'assurance habitation."),
        Invoice.Kind.RECEIPT: _("Quittance : cotisation d'assurance habitation payée."),
        Invoice.Kind.REFUND: _("Note de remboursement de cotisation d'assurance habitation."),
    }
    return InvoiceData(
        number=invoice.number, type_code=TYPE_CREDIT_NOTE if invoice.kind == Invoice.Kind.REFUND else TYPE_INVOICE,
        issued_on=invoice.issued_on, seller=insurer_party(), buyer=_buyer(invoice.customer), lines=lines,
        due_date=item.due_date, paid=paid, contract_number=item.contract.number,
        payment_means=PAYMENT_MEANS.get(item.method, "58"), note=str(notes[invoice.kind]),
        payment_reference=item.reference,
    )


def invoice_letter_pdf(invoice: Invoice) -> bytes:
    """The invoice as a tagged letter: lines, total, the VAT exemption, how to check it on /verifier/."""
    item, customer = invoice.schedule_item, invoice.customer
    with override("fr"):
        due = day_in_words(item.due_date)
        today = day_in_words(invoice.issued_on)
        kind_label = invoice.get_kind_display()
        rows = [[line["label"], Decimal(line["amount"])] for line in invoice.lines]
        if invoice.kind == Invoice.Kind.NOTICE:
            intro = _("Votre cotisation d'assurance du contrat %(contract)s est due le %(due)s, pour un montant de "
                      "%(total)s.") % {"contract": item.contract.number, "due": due, "total": _pdf_eur(invoice.total)}
        elif invoice.kind == Invoice.Kind.RECEIPT:
            paid_on = day_in_words(timezone.localtime(item.paid_at).date() if item.paid_at else item.due_date)
            intro = _("%(insurer)s reconnaît avoir reçu de %(name)s la somme de %(total)s, payée le %(paid)s, pour "
                      "la cotisation du contrat %(contract)s échue le %(due)s.") % {
                "insurer": settings.ABRI_INSURER_NAME, "name": customer.full_name,
                "total": _pdf_eur(invoice.total), "paid": paid_on, "contract": item.contract.number, "due": due}
        else:
            intro = _("%(insurer)s rembourse à %(name)s la somme de %(total)s au titre du contrat %(contract)s, "
                      "le %(due)s.") % {"insurer": settings.ABRI_INSURER_NAME, "name": customer.full_name,
                                        "total": _pdf_eur(invoice.total), "contract": item.contract.number,
                                        "due": due}
        verify_url = settings.ABRI_BASE_URL.rstrip("/") + "/verifier/"
        letter = Letter(
            title=f"{kind_label} n° {invoice.number}", subject=str(kind_label),
            keywords=["facture", "Factur-X", invoice.number],
            recipient=recipient_lines(customer),
            references=references(
                (_("Client n°"), customer.customer_number), (_("Contrat n°"), item.contract.number),
                (_("Facture n°"), invoice.number), (_("Date"), today),
                (_("Échéance"), due), (_("Référence"), item.reference),
            ),
            blocks=[
                Text(intro),
                Heading(_("Détail")),
                Table(columns=[_("Désignation"), _("Montant")], rows=rows,
                      total=[_("Total toutes taxes comprises"), invoice.total], widths=[0.75, 0.25]),
                Text(_("TVA : exonération, catégorie E (article 261 C 2° du Code général des impôts). Les opérations "
                       "d'assurance ne supportent pas la TVA mais les taxes et contributions ci-dessus."), small=True),
                Text(_("Authenticité : ce document est signé électroniquement par %(insurer)s et contient sa facture "
                       "électronique Factur-X. Vérifiez son numéro %(number)s sur %(url)s.") % {
                    "insurer": settings.ABRI_INSURER_NAME, "number": invoice.number, "url": verify_url}, small=True),
            ],
            signature=[_("Le service Cotisations"), _("Émis le %(date)s") % {"date": today}],
        )
        return render_letter(letter)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF/A-3 with its Factur-X XML (unsigned: the vault's task signs it)."""
    with override("fr"):
        data = invoice_data(invoice)
        title = f"{invoice.get_kind_display()} n° {invoice.number}"
        return facturx_pdf(invoice_letter_pdf(invoice), invoice_xml(data), title=title,
                           subject=str(invoice.get_kind_display()), keywords=f"Factur-X, {invoice.number}")


def invoice_render(*, invoice_id: int) -> bytes:
    """The vault's renderer (`document_file(renderer=RENDERER)`)."""
    invoice = Invoice.objects.select_related("customer", "schedule_item__contract").get(pk=invoice_id)
    return invoice_pdf(invoice)


# --- Public verification (/verifier/) -------------------------------------------------------------------------


def invoice_verify(number: str) -> DocumentCheck:
    """Was this invoice number issued by the insurer? Its kind, amount and dates; nothing about the customer."""
    invoice = None
    if NUMBER_RE.match(number):
        invoice = Invoice.objects.select_related("schedule_item").filter(number=number).first()
    if invoice is None:
        return DocumentCheck(number=number, authentic=False)
    return DocumentCheck(number=number, authentic=True, kind_label=str(invoice.get_kind_display()),
                         amount=invoice.total, issued_on=invoice.issued_on, due_date=invoice.schedule_item.due_date)
