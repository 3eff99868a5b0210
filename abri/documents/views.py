"""Document vault pages: search and filters, preview, download, download history."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from abri.core.decorators import customer_required
from abri.core.downloads import download_response
from abri.documents.forms import DocumentSearchForm
from abri.documents.search import ORDER_RELEVANCE, documents_search
from abri.documents.selectors import attach_documents, document_get, document_open, downloads_for_customer
from abri.documents.services import document_download_record

logger = logging.getLogger(__name__)


@customer_required
def document_list(request):
    """The vault: every document, searchable and filterable, newest first or by relevance."""
    form = DocumentSearchForm(request.GET or None, customer=request.customer)
    results = None
    if not request.GET or form.is_valid():
        cleaned = form.cleaned_data if form.is_bound else {}
        results = documents_search(
            customer=request.customer,
            query=cleaned.get("q", ""),
            filters=form.search_filters() if form.is_bound else None,
            order=(cleaned.get("order") or ORDER_RELEVANCE),
            page=request.GET.get("page", 1),
        )
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return render(
        request,
        "documents/list.html",
        {
            "form": form,
            "results": results,
            "page": results.page if results else None,
            "querystring": urlencode(params),
            "searching": bool(form.is_bound and (form.data.get("q") or form.has_filters())),
            "filters_open": form.is_bound and form.has_filters(),
            "active_menu": "documents",
        },
    )


# Only these are ever shown inline; anything else (should one be stored) is always a download.
PREVIEWABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/webp"})


def file_response(document, handle, *, preview: bool) -> HttpResponse:
    """The file, inline for a preview or as an attachment (headers: `abri.core.downloads`)."""
    preview = preview and document.mime_type in PREVIEWABLE_TYPES
    suffix = document.file.name.rsplit(".", 1)[-1] if "." in document.file.name else "bin"
    return download_response(file=handle, filename=f"{document.title}.{suffix}", content_type=document.mime_type,
                              inline=preview)


@customer_required
def document_download(request, pk: int):
    """Download one of my documents, or preview it in the browser with ?apercu=1 (recorded in the audit log)."""
    document = document_get(customer=request.customer, pk=pk)
    if document.is_pending:  # filed, its PDF still being rendered and signed by the task queue
        return render(request, "documents/partials/file_pending.html",
                      {"document": document, "active_menu": "documents"})
    handle = document_open(document=document)
    if handle is None:
        logger.error("document %s: file missing from storage", document.pk)
        return render(request, "documents/partials/file_missing.html",
                      {"document": document, "active_menu": "documents"}, status=404)
    preview = request.GET.get("apercu") == "1"
    document_download_record(actor=request.user, document=document, preview=preview)
    return file_response(document, handle, preview=preview)


@customer_required
def download_history(request):
    """My download history: which document, when (to the second), from the audit log."""
    page = Paginator(downloads_for_customer(customer=request.customer), 50).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    attach_documents(customer=request.customer, entries=entries)
    page.object_list = entries
    return render(request, "documents/history.html", {"page": page, "active_menu": "documents"})
