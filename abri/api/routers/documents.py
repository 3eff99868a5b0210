"""GET /api/v1/documents (paginated) and the file of one document: the same selectors as the vault page."""


from datetime import date

from django.http import FileResponse, Http404
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from abri.api.pagination import PageNumber
from abri.api.security import request_customer
from abri.api.types import Money
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind
from abri.documents.selectors import document_get, documents_for_customer

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    issued_on: date
    amount: Money | None
    contract_number: str | None
    mime_type: str
    size_bytes: int
    download_url: str = Field(description="Chemin du fichier (même authentification que cette requête).")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_contract_number(obj) -> str | None:
        return obj.contract.number if obj.contract_id else None

    @staticmethod
    def resolve_download_url(obj) -> str:
        return reverse("api:document_file", kwargs={"document_id": obj.pk})


class DocumentFilter(Schema):
    kind: DocumentKind | None = Field(None, description="Ne garder qu'un type de document.")


@router.get("", response=list[DocumentOut], summary="Mes documents")
@paginate(PageNumber)
def document_list(request, filters: Query[DocumentFilter]):
    """The customer's documents, newest first, 20 per page by default."""
    documents = documents_for_customer(customer=request_customer(request))
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    return documents


@router.get(
    "/{document_id}/file",
    url_name="document_file",
    summary="Télécharger un document",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "Le fichier (PDF le plus souvent).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_file(request, document_id: int = Path(..., ge=1, le=2**62)):
    """The file of one document (recorded in the audit log, like the page); another customer's is a 404."""
    customer = request_customer(request)
    document = document_get(customer=customer, pk=document_id)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(actor=request.auth, action="document.download", target=document)
    filename = (
        f"{document.title}.pdf" if document.mime_type == "application/pdf" else document.file.name.rsplit("/", 1)[-1]
    )
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=document.mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
