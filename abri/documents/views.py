"""Document vault pages."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from abri.core.decorators import customer_required
from abri.core.services import audit_record
from abri.documents.selectors import document_get, documents_for_customer


@customer_required
def document_list(request):
    """Documents: the vault, paginated."""
    page = Paginator(documents_for_customer(customer=request.customer), 20).get_page(request.GET.get("page"))
    return render(request, "documents/list.html", {"page": page, "active_menu": "documents"})


@customer_required
def document_download(request, pk: int):
    """Download one document (recorded in the audit log)."""
    document = document_get(customer=request.customer, pk=pk)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(actor=request.user, action="document.download", target=document)
    inline = request.GET.get("apercu") == "1"
    response = FileResponse(handle, as_attachment=not inline, filename=f"{document.title}.pdf"
                            if document.mime_type == "application/pdf" else document.file.name.rsplit("/", 1)[-1],
                            content_type=document.mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
