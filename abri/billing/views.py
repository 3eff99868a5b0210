"""Payment pages: the history of every euro, its exports, the calendar link, the yearly statement, paying."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from abri.accounts.stepup import step_up_required
from abri.billing import direct_debit, exports, invoices, ports, psp, selectors, services
from abri.billing.chart import payment_chart
from abri.billing.forms import MandateForm, PaymentFilterForm
from abri.billing.psp import services as card_services
from abri.billing.psp.choices import CardPaymentStatus
from abri.billing.sepa import SepaError
from abri.core.decorators import customer_required
from abri.core.downloads import download_response
from abri.core.middleware import client_ip
from abri.core.money import format_eur
from abri.documents.services import document_download_record

PAGE_SIZE = 24


def _filtered_history(request):
    customer = request.customer
    contracts = list(customer.contracts.order_by("start_date", "id").values_list("number", flat=True))
    form = PaymentFilterForm(request.GET or None, contracts=contracts,
                             years=selectors.payment_years(customer=customer))
    filters = form.filters() if request.GET else {}
    return form, filters, selectors.payment_history(customer=customer, **filters)


@customer_required
def payment_list(request):
    """Paiements: every euro (premiums, pro-rata, refunds, indemnities), filters, running balance, exports."""
    form, filters, entries = _filtered_history(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    invoices.invoice_links(customer=request.customer, entries=page.object_list)
    years = selectors.payment_years(customer=request.customer)
    last_year = timezone.localdate().year - 1
    statement_years = [y for y in years if y <= timezone.localdate().year] or [last_year]
    export_query = request.GET.copy()
    export_query.pop("page", None)
    filtered = any(filters.values()) if filters else False
    return render(request, "billing/list.html", {
        "form": form, "page": page, "filtered": filtered,
        # The chart shows the last twelve months of the whole history: not drawn over a filtered list.
        "chart": None if filtered else payment_chart(entries, today=timezone.localdate()),
        "export_query": export_query.urlencode(), "statement_years": statement_years,
        "calendar_feed": selectors.calendar_feed_active(customer=request.customer), "active_menu": "payments",
        # What is unpaid and what happens next (L113-3), on the page as it opens (not on a filtered view).
        "dunning_alerts": [] if request.GET else ports.dunning_alerts(customer=request.customer),
        "mandate": direct_debit.mandate_active(customer=request.customer),
        "upcoming_debits": selectors.upcoming_debits(customer=request.customer),
        "creditor_id": direct_debit.creditor_id(),
    })


@customer_required
@require_GET
def payment_export(request, fmt: str):
    """The history (with the page's filters) as CSV, OFX, QIF or iCalendar, downloaded."""
    if fmt not in exports.FORMATS:
        raise Http404
    _form, _filters, entries = _filtered_history(request)
    content, content_type, filename = exports.export(entries, fmt=fmt, customer=request.customer)
    return download_response(content=content, filename=filename, content_type=content_type)


@customer_required
@require_POST
def calendar_create(request):
    """A new secret calendar link, shown once (only its hash is kept); the previous link stops working."""
    _feed, token = services.calendar_feed_create(customer=request.customer, actor=request.user)
    url = request.build_absolute_uri(f"/paiements/calendrier/{token}.ics")
    response = render(request, "billing/calendar_created.html", {"feed_url": url, "active_menu": "payments"})
    response["Cache-Control"] = "private, no-store"
    return response


@customer_required
@require_POST
def calendar_revoke(request):
    """Revoke the calendar link: subscribed calendars get a 404 from now on."""
    if services.calendar_feed_revoke(customer=request.customer, actor=request.user):
        messages.success(request, _("Le lien d'agenda est révoqué : il ne donne plus accès à vos échéances."))
    return redirect("billing:list")


@never_cache
@require_GET
def calendar_feed(request, token: str):
    """The iCalendar feed behind a secret link, without login (calendar apps cannot log in); unknown or revoked: 404."""
    feed = selectors.calendar_feed_by_token(token=token)
    if feed is None:
        raise Http404
    services.calendar_feed_used(feed=feed)
    entries = selectors.payment_history(customer=feed.customer)
    response = download_response(content=exports.to_ics(entries), filename="echeances-abri.ics",
                                 content_type=exports.CONTENT_TYPES["ics"], inline=True)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@customer_required
@require_GET
def yearly_statement(request, year: int):
    """The « attestation annuelle de cotisations » of a past or current year, signed and filed in the documents."""
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    document, pdf = services.yearly_statement(customer=request.customer, year=year)
    if pdf is None:  # being signed by the task queue
        return render(request, "documents/partials/file_pending.html", {"document": document, "active_menu": "payments"})
    return download_response(content=pdf, filename=f"attestation-cotisations-{year}.pdf", content_type="application/pdf")


@customer_required
def pay_now(request, item_id: int):
    """« Payer maintenant »: « Payer par carte » (through the PSP), or the insurer's IBAN and a unique RF reference."""
    item = selectors.payable_item_get(customer=request.customer, item_id=item_id)
    return render(request, "billing/pay.html", {
        "item": item, "amount": format_eur(item.amount - item.amount_received),
        "received": format_eur(item.amount_received) if item.amount_received else "", "bank": services.insurer_bank_details(),
        "rf": services.creditor_reference(item=item), "active_menu": "payments",
        "card_available": psp.adapter_for(settings.ABRI_PSP) is not None,
        "overdue": item.due_date < timezone.localdate() or item.status == "failed",
    })


@customer_required
@step_up_required
def mandate_edit(request):
    """Choose or change direct debit: a SEPA e-mandate signed after a fresh second factor, with explicit consent."""
    form = MandateForm(request.POST or None, initial={"holder": request.customer.full_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mandate = direct_debit.mandate_sign(
                customer=request.customer, holder=data["holder"], iban=data["iban"], bic=data.get("bic", ""),
                consent=data["consent"], actor=request.user, ip_address=client_ip(request) or None)
        except SepaError as exc:
            form.add_error("iban", str(exc))
        else:
            messages.success(request, _("Votre mandat de prélèvement %(rum)s est signé : vos cotisations seront "
                                        "prélevées sur le compte %(iban)s.") % {"rum": mandate.reference,
                                                                                 "iban": mandate.iban_masked})
            return redirect("billing:list")
    return render(request, "billing/mandate.html", {
        "form": form, "mandates": selectors.mandates_for_customer(customer=request.customer),
        "creditor_id": direct_debit.creditor_id(), "active_menu": "payments",
    })


@customer_required
@require_POST
@step_up_required
def mandate_revoke(request, mandate_id: int):
    """Stop direct debit: the mandate is revoked (another customer's mandate is a 404)."""
    direct_debit.mandate_revoke(customer=request.customer, mandate_id=mandate_id, actor=request.user)
    messages.success(request, _("Le prélèvement est arrêté : vos prochaines échéances sont à régler par virement "
                                "ou par carte."))
    return redirect("billing:list")


@customer_required
@require_POST
def card_start(request, item_id: int):
    """« Payer par carte »: start (or resume) the payment at the PSP and send the customer to its hosted page."""
    try:
        payment = card_services.card_payment_start(
            customer=request.customer, item_id=item_id, actor=request.user,
            return_url=lambda p: request.build_absolute_uri(reverse("billing:card_return", args=[p.pk])))
    except card_services.CardPaymentError as exc:
        messages.error(request, str(exc))
        return redirect("billing:list")
    return redirect(payment.redirect_url)


@customer_required
@require_GET
def mandate_pdf(request, mandate_id: int):
    """The signed mandate as filed in the documents (another customer's mandate is a 404)."""
    mandate = selectors.mandate_get(customer=request.customer, mandate_id=mandate_id)
    if mandate.document is None:
        raise Http404
    if not mandate.document.file:  # being rendered and signed by the task queue
        return render(request, "documents/partials/file_pending.html",
                      {"document": mandate.document, "active_menu": "payments"})
    with mandate.document.file.open("rb") as handle:
        content = handle.read()
    return download_response(content=content, filename=f"mandat-sepa-{mandate.reference}.pdf",
                             content_type="application/pdf")


@customer_required
@require_GET
def card_return(request, payment_id: int):
    """Back from the PSP: ask it for the outcome (the webhook may be later), then say it in words."""
    payment = card_services.card_payment_sync(
        payment=selectors.card_payment_get(customer=request.customer, payment_id=payment_id))
    amount = format_eur(payment.amount)
    if payment.status == CardPaymentStatus.SUCCEEDED:
        card = f"{payment.card_brand} •••• {payment.card_last4}".strip() if payment.card_last4 else ""
        messages.success(request, (_("Paiement de %(amount)s accepté (carte %(card)s). Merci ! L'échéance est payée.")
                                   % {"amount": amount, "card": card}) if card else
                         _("Paiement de %(amount)s accepté. Merci ! L'échéance est payée.") % {"amount": amount})
        return redirect("billing:list")
    if payment.status == CardPaymentStatus.FAILED:
        reason = (_("l'authentification 3-D Secure n'a pas abouti")
                  if payment.failure_reason == "authentication_failed" else _("votre banque a refusé le paiement"))
        messages.error(request, _("Paiement de %(amount)s refusé : %(reason)s. Rien n'a été débité. Vous pouvez "
                                  "réessayer avec une autre carte ou payer par virement.")
                       % {"amount": amount, "reason": reason})
    elif payment.status == CardPaymentStatus.CANCELLED:
        messages.info(request, _("Paiement par carte annulé. Rien n'a été débité."))
    elif payment.status == CardPaymentStatus.CREATED:
        messages.info(request, _("Paiement par carte non terminé : rien n'a été débité."))
    elif payment.status == CardPaymentStatus.REQUIRES_ACTION:
        messages.info(request, _("Paiement de %(amount)s en attente de confirmation par votre banque : "
                                 "l'échéance sera marquée payée dès sa réponse.") % {"amount": amount})
        return redirect("billing:list")
    else:
        return redirect("billing:list")
    return redirect("billing:pay", item_id=payment.item_id)


@customer_required
@require_GET
def invoice_download(request, item_id: int, kind: str):
    """« Avis d'échéance », « Quittance » or « Note de remboursement » of one amount: Factur-X PDF/A-3, signed.

    Issued once and filed in the documents; each download is audited. Another customer's amount: 404.
    """
    invoice = invoices.invoice_for_customer(customer=request.customer, item_id=item_id, kind=kind, actor=request.user)
    document = invoice.document
    document.refresh_from_db(fields=["file", "size_bytes"])
    if document.is_pending:  # being signed by the task queue
        return render(request, "documents/partials/file_pending.html", {"document": document, "active_menu": "payments"})
    document_download_record(actor=request.user, document=document, preview=False)
    return download_response(file=document.file.open("rb"), filename=f"{invoice.number}.pdf",
                             content_type="application/pdf")
