"""Back-office pages of the finance team (« comptabilité »): collection runs (build, download, mark sent),
the rejected debits queue, a customer's billing page with manual payment recording, card refunds and
payment-method changes on the customer's behalf. Every action is permission-checked and audited.

Mounted at /backoffice/paiements/ next to the unmatched transfers queue (abri.backoffice.payments).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from abri.accounts.models import Customer
from abri.backoffice.decorators import staff_required
from abri.billing.choices import CollectionStatus, MandateStatus, PaymentMethod, return_reason_label
from abri.billing.direct_debit import collection_run_build, mandate_revoke
from abri.billing.models import CardPayment, Collection, CollectionRun, ScheduleItem, SepaMandate
from abri.billing.psp.services import CardPaymentError, card_payment_refund
from abri.billing.sepa import SepaError
from abri.billing.staff import (
    MANUAL_METHODS,
    SWITCHABLE_METHODS,
    StaffBillingError,
    amount_parse,
    item_method_change,
    manual_payment_record,
)
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.core.services import audit_record

RUN_VIEW = "billing.view_collectionrun"
RUN_CHANGE = "billing.change_collectionrun"
ITEM_VIEW = "billing.view_scheduleitem"
ITEM_CHANGE = "billing.change_scheduleitem"
CARD_CHANGE = "billing.change_cardpayment"
MANDATE_CHANGE = "billing.change_sepamandate"


class RunForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("Date d'échéance"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": gettext_lazy("Indiquez la date d'échéance."),
                                               "invalid": gettext_lazy("Saisissez une date valide, par exemple "
                                                                       "2026-07-15.")})


class ManualPaymentForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Montant reçu (€)"), max_length=20,
                             error_messages={"required": gettext_lazy("Indiquez le montant reçu.")})
    received_on = forms.DateField(label=gettext_lazy("Date de réception"),
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"required": gettext_lazy("Indiquez la date de réception."),
                                                  "invalid": gettext_lazy("Saisissez une date valide.")})
    method = forms.ChoiceField(label=gettext_lazy("Mode de paiement"),
                               choices=[(m.value, m.label) for m in MANUAL_METHODS],
                               error_messages={"required": gettext_lazy("Choisissez le mode de paiement reçu."),
                                               "invalid_choice": gettext_lazy("Choisissez le mode de paiement "
                                                                              "reçu.")})
    reference = forms.CharField(label=gettext_lazy("Référence (numéro de chèque, virement)"), max_length=35,
                                error_messages={"required": gettext_lazy("Indiquez la référence (numéro de "
                                                                         "chèque, référence du virement).")})
    received = forms.DecimalField(widget=forms.HiddenInput, decimal_places=2, max_digits=10)


class RefundForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Montant à rembourser (€)"), max_length=20,
                             error_messages={"required": gettext_lazy("Indiquez le montant à rembourser.")})
    reason = forms.CharField(label=gettext_lazy("Motif"), max_length=200,
                             error_messages={"required": gettext_lazy("Indiquez le motif du remboursement.")})


class MethodForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Nouveau mode de paiement"),
                               choices=[(m.value, m.label) for m in SWITCHABLE_METHODS],
                               error_messages={"invalid_choice": gettext_lazy("Choisissez virement, carte "
                                                                              "bancaire ou chèque."),
                                               "required": gettext_lazy("Choisissez virement, carte bancaire "
                                                                        "ou chèque.")})


# --- Collection runs ------------------------------------------------------------------------------

@staff_required(RUN_VIEW)
def runs(request):
    """The collection runs, newest due date first, and the form to build the run of a due date."""
    form = RunForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(RUN_CHANGE):
            return render(request, "backoffice/forbidden.html", status=403)
        if form.is_valid():
            due = form.cleaned_data["due_date"]
            if due < timezone.localdate() and not CollectionRun.objects.filter(due_date=due).exists():
                form.add_error("due_date", _("Cette date est passée : une banque n'accepte pas de prélèvement à "
                                             "une date passée. Ces échéances sont à régler par lien de paiement."))
        if form.is_valid():
            due = form.cleaned_data["due_date"]
            try:
                result = collection_run_build(due_date=due, actor=request.user)
            except SepaError as exc:
                form.add_error("due_date", _("Fichier non produit : %(reason)s") % {"reason": exc})
        if form.is_valid():
            day = day_in_words(due)
            if result.run is None:
                messages.info(request, _("Aucun prélèvement à présenter pour le %(day)s.") % {"day": day})
            elif result.created:
                messages.success(request, _("Remise du %(day)s créée : %(count)s prélèvements, %(total)s.") % {
                    "day": day, "count": result.run.count, "total": format_eur(result.run.total)})
            else:
                messages.info(request, _("La remise du %(day)s existait déjà : rien n'a été prélevé deux fois.")
                              % {"day": day})
            skipped = result.skipped_without_mandate + result.skipped_late_mandate
            if skipped:
                messages.warning(request, _("%(n)s échéances laissées de côté (sans mandat actif, ou mandat signé "
                                            "moins de 14 jours avant).") % {"n": skipped})
            return redirect("backoffice_billing:runs")
    page = Paginator(CollectionRun.objects.order_by("-due_date").defer("xml"), 50).get_page(request.GET.get("page"))
    return render(request, "billing/staff/runs.html", {"page": page, "form": form, "active_menu": "billing"},
                  status=400 if form.errors else 200)


@staff_required(RUN_VIEW)
def run_download(request, run_id: int):
    """The pain.008 XML of a run (audited: it names every debtor's account)."""
    run = get_object_or_404(CollectionRun, pk=run_id)
    audit_record(actor=request.user, action="billing.collection_run_downloaded", target=run,
                 data={"due_date": run.due_date.isoformat()})
    response = HttpResponse(run.xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prelevements-{run.due_date:%Y-%m-%d}.xml"'
    return response


@require_POST
@staff_required(RUN_CHANGE)
def run_sent(request, run_id: int):
    """Mark a run « transmise à la banque », once (conditional update)."""
    run = get_object_or_404(CollectionRun, pk=run_id)
    day = day_in_words(run.due_date)
    if CollectionRun.objects.filter(pk=run.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
        audit_record(actor=request.user, action="billing.collection_run_sent", target=run,
                     data={"due_date": run.due_date.isoformat()})
        messages.success(request, _("Remise du %(day)s marquée transmise à la banque.") % {"day": day})
    else:
        messages.info(request, _("La remise du %(day)s était déjà marquée transmise.") % {"day": day})
    return redirect("backoffice_billing:runs")


@staff_required(RUN_VIEW)
def rejected(request):
    """Returned debits (R-transactions), newest first, with the reason in French."""
    rows = (Collection.objects.filter(status=CollectionStatus.RETURNED)
            .select_related("item", "item__customer", "item__contract", "mandate").order_by("-returned_at", "-id"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page:
        row.reason_label = return_reason_label(row.return_reason)
    return render(request, "billing/staff/rejected.html", {"page": page, "active_menu": "billing"})


# --- A customer's billing -------------------------------------------------------------------------

def _customer(customer_number: str) -> Customer:
    return get_object_or_404(Customer, customer_number=customer_number)


@staff_required(ITEM_VIEW)
def customer_billing(request, customer_number: str):
    """A customer's instalments, card payments and mandates, with the finance team's actions."""
    customer = _customer(customer_number)
    items = ScheduleItem.objects.for_customer(customer).select_related("contract").order_by("-due_date", "-id")[:120]
    payments = CardPayment.objects.for_customer(customer).select_related("item").order_by("-created_at")[:50]
    mandates = SepaMandate.objects.for_customer(customer).order_by("-signed_at")
    audit_record(actor=request.user, action="staff.customer.billing_viewed", target=customer, customer=customer)
    return render(request, "billing/staff/customer.html", {
        "customer": customer, "items": items, "payments": payments, "mandates": mandates,
        "open_statuses": ("upcoming", "failed"), "active_menu": "billing"})


def _item(customer_number: str, item_id: int) -> tuple[Customer, ScheduleItem]:
    customer = _customer(customer_number)
    return customer, get_object_or_404(ScheduleItem.objects.for_customer(customer).select_related("contract"),
                                       pk=item_id)


@staff_required(ITEM_CHANGE)
def record_payment(request, customer_number: str, item_id: int):
    """Record a cheque or a transfer received outside the statement on one instalment."""
    customer, item = _item(customer_number, item_id)
    initial = {"received_on": timezone.localdate(), "received": item.amount_received,
               "amount": f"{item.amount - item.amount_received}".replace(".", ",")}
    form = ManualPaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            manual_payment_record(item_id=item.pk, amount=data["amount"], received_on=data["received_on"],
                                  method=data["method"], reference=data["reference"],
                                  expected_received=data["received"], actor=request.user)
        except StaffBillingError as exc:
            form.add_error(None if exc.field == "__all__" else exc.field, str(exc))
        else:
            messages.success(request, _("Paiement de %(amount)s enregistré sur l'échéance du %(day)s.") % {
                "amount": format_eur(amount_parse(data["amount"])), "day": day_in_words(item.due_date)})
            return redirect("backoffice_billing:customer", customer_number=customer.customer_number)
    return render(request, "billing/staff/record_payment.html", {
        "customer": customer, "item": item, "form": form, "remaining": item.amount - item.amount_received,
        "active_menu": "billing"}, status=400 if form.errors else 200)


@staff_required(CARD_CHANGE)
def refund(request, customer_number: str, payment_id: int):
    """Refund part or all of a card payment at the PSP (amount checked, audited by the service)."""
    customer = _customer(customer_number)
    payment = get_object_or_404(CardPayment.objects.for_customer(customer).select_related("item"), pk=payment_id)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            value = amount_parse(form.cleaned_data["amount"])
            card_payment_refund(payment_id=payment.pk, amount=value, reason=form.cleaned_data["reason"],
                                actor=request.user)
        except StaffBillingError as exc:
            form.add_error("amount", str(exc))
        except CardPaymentError as exc:
            form.add_error("amount", str(exc))
        else:
            messages.success(request, _("Remboursement de %(amount)s effectué sur la carte.") % {
                "amount": format_eur(value)})
            return redirect("backoffice_billing:customer", customer_number=customer.customer_number)
    return render(request, "billing/staff/refund.html", {
        "customer": customer, "payment": payment, "form": form,
        "remaining": payment.amount - payment.refunded_amount, "active_menu": "billing"},
        status=400 if form.errors else 200)


@require_POST
@staff_required(ITEM_CHANGE)
def change_method(request, customer_number: str, item_id: int):
    """Switch one upcoming instalment to another payment method on the customer's behalf."""
    customer, item = _item(customer_number, item_id)
    form = MethodForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["method"][0])
    else:
        try:
            item_method_change(item_id=item.pk, method=form.cleaned_data["method"], actor=request.user)
        except StaffBillingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("L'échéance du %(day)s sera réglée par %(method)s.") % {
                "day": day_in_words(item.due_date),
                "method": PaymentMethod(form.cleaned_data["method"]).label.lower()})
    return redirect(reverse("backoffice_billing:customer", kwargs={"customer_number": customer.customer_number}))


@require_POST
@staff_required(MANDATE_CHANGE)
def mandate_stop(request, customer_number: str, mandate_id: int):
    """Stop direct debit for a customer who asked (the mandate is revoked, upcoming debits become transfers)."""
    customer = _customer(customer_number)
    mandate = get_object_or_404(SepaMandate.objects.for_customer(customer), pk=mandate_id)
    if mandate.status == MandateStatus.ACTIVE:
        mandate_revoke(customer=customer, mandate_id=mandate.pk, actor=request.user)
        messages.success(request, _("Prélèvement arrêté : le mandat %(rum)s est révoqué, les prochaines échéances "
                                    "sont à régler par virement.") % {"rum": mandate.reference})
    else:
        messages.info(request, _("Ce mandat n'est plus actif."))
    return redirect("backoffice_billing:customer", customer_number=customer.customer_number)



app_name = "backoffice_billing"
urlpatterns = [
    path("remises/", runs, name="runs"),
    path("remises/<int:run_id>/pain008.xml", run_download, name="run_download"),
    path("remises/<int:run_id>/transmise/", run_sent, name="run_sent"),
    path("prelevements-rejetes/", rejected, name="rejected"),
    path("clients/<str:customer_number>/", customer_billing, name="customer"),
    path("clients/<str:customer_number>/echeances/<int:item_id>/paiement/", record_payment, name="record_payment"),
    path("clients/<str:customer_number>/echeances/<int:item_id>/mode/", change_method, name="change_method"),
    path("clients/<str:customer_number>/carte/<int:payment_id>/remboursement/", refund, name="refund"),
    path("clients/<str:customer_number>/mandats/<int:mandate_id>/arreter/", mandate_stop, name="mandate_stop"),
]
