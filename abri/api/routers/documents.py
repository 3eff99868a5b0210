"""GET /api/v1/documents (paginated): the same selector as the vault page.

The file itself is served by GET /api/v1/documents/{id}/download (abri.api.routers.document_search), which
uses the vault's download service (audit of every download) and is linked from each item here.
"""


from datetime import date

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from abri.api.pagination import PageNumber
from abri.api.security import request_customer
from abri.api.types import Money
from abri.documents.choices import DocumentKind
from abri.documents.selectors import documents_for_customer

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
    guarantee_category: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_contract_number(obj) -> str | None:
        return obj.contract.number if obj.contract_id else None

    @staticmethod
    def resolve_download_url(obj) -> str:
        return reverse("api:document_download", kwargs={"document_id": obj.pk})


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
