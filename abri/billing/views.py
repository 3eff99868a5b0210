"""Payment pages: the history of every euro, its exports, the calendar link, the yearly statement, paying."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from abri.billing import exports, invoices, selectors, services
from abri.billing.forms import PaymentFilterForm
from abri.core.decorators import customer_required
from abri.core.downloads import download_response
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
    return render(request, "billing/list.html", {
        "form": form, "page": page, "filtered": any(filters.values()) if filters else False,
        "export_query": export_query.urlencode(), "statement_years": statement_years,
        "calendar_feed": selectors.calendar_feed_active(customer=request.customer), "active_menu": "payments",
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
    from django.contrib import messages

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
    """« Payer maintenant »: the insurer's IBAN and a unique RF creditor reference (card payment is not built yet)."""
    item = selectors.payable_item_get(customer=request.customer, item_id=item_id)
    return render(request, "billing/pay.html", {
        "item": item, "amount": format_eur(item.amount), "bank": services.insurer_bank_details(),
        "rf": services.creditor_reference(item=item), "active_menu": "payments",
        "overdue": item.due_date < timezone.localdate() or item.status == "failed",
    })


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
