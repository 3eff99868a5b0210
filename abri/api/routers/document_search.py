"""GET /api/v1/documents/search and GET /api/v1/documents/{id}/download: the vault's search and files.

Same form, same selector (abri.documents.search.documents_search) and same download service as the
vault page, so the rules — scoped to the customer, French messages, audit of every download — hold
for the mobile app too. Register in abri/api/main.py, before the /documents list router:
    api.add_router("/documents", document_search_router, throttle=api_throttles)
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from abri.api.problems import problem
from abri.api.security import request_customer
from abri.api.types import Money
from abri.documents.forms import DocumentSearchForm
from abri.documents.search import ORDER_RELEVANCE, documents_search
from abri.documents.selectors import document_get, document_open
from abri.documents.services import document_download_record
from abri.documents.views import file_response

router = Router(tags=["documents"])


class SearchParams(Schema):
    """All optional and given as typed by the customer: the vault form validates them (French messages)."""

    q: str | None = Field(None, description="Mots cherchés (200 caractères au plus), accents et casse ignorés.")
    kind: str | None = Field(None, description="Type de document (valeur de `kind`).")
    date_from: str | None = Field(None, description="Date minimale, AAAA-MM-JJ ou JJ/MM/AAAA.")
    date_to: str | None = Field(None, description="Date maximale, AAAA-MM-JJ ou JJ/MM/AAAA.")
    amount_min: str | None = Field(None, description="Montant minimal en euros (« 150 » ou « 150,50 »).")
    amount_max: str | None = Field(None, description="Montant maximal en euros.")
    category: str | None = Field(None, description="Catégorie de garantie (valeur de `guarantee_category`).")
    contract: str | None = Field(None, description="Identifiant d'un de mes contrats.")
    property: str | None = Field(None, description="Identifiant d'un de mes biens.")
    order: str | None = Field(None, description="`relevance` (défaut) ou `date`.")
    page: str | None = Field(None, description="Numéro de page (20 résultats par page).")


class SearchHitOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    issued_on: date
    amount: Money | None
    guarantee_category: str
    guarantee_category_label: str
    contract_number: str | None
    property_city: str | None
    score: float = Field(description="Pertinence (BM25) ; 0 sans mots cherchés.")
    title_html: str = Field(description="Titre échappé, mots trouvés entre <mark> et </mark>.")
    snippet_html: str = Field(description="Extrait du texte échappé, mots trouvés entre <mark> et </mark>.")
    download_url: str
    preview_url: str


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    order: str
    results: list[SearchHitOut]


class SearchProblem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict]


def _hit_out(hit) -> dict:
    doc = hit.document
    download = reverse("api:document_download", kwargs={"document_id": doc.pk})
    return {
        "id": doc.pk,
        "title": doc.title,
        "kind": doc.kind,
        "kind_label": str(doc.get_kind_display()),
        "issued_on": doc.issued_on,
        "amount": doc.amount,
        "guarantee_category": doc.guarantee_category,
        "guarantee_category_label": str(doc.get_guarantee_category_display()),
        "contract_number": doc.contract.number if doc.contract_id else None,
        "property_city": doc.property.city if doc.property_id else None,
        "score": round(hit.score, 4),
        "title_html": str(hit.title_html),
        "snippet_html": str(hit.snippet_html),
        "download_url": download,
        "preview_url": download + "?apercu=1",
    }


@router.get("/search", response={200: SearchOut, 422: SearchProblem}, url_name="document_search",
            summary="Rechercher dans mes documents")
def document_search(request, params: Query[SearchParams]):
    """Full text (PDF text and metadata, in French) with combinable filters, by relevance or date."""
    customer = request_customer(request)
    data = {k: v for k, v in request.GET.items() if k in DocumentSearchForm.base_fields}
    form = DocumentSearchForm(data, customer=customer)
    if not form.is_valid():
        errors = [
            {"loc": ["query", name], "msg": str(message), "type": "value_error"}
            for name, messages in form.errors.items()
            for message in messages
        ]
        return problem(422, "Requête invalide", "Certaines valeurs de la recherche sont invalides.", errors=errors)
    results = documents_search(
        customer=customer,
        query=form.cleaned_data.get("q", ""),
        filters=form.search_filters(),
        order=form.cleaned_data.get("order") or ORDER_RELEVANCE,
        page=request.GET.get("page", 1),
    )
    return {
        "count": results.total,
        "page": results.page.number,
        "pages": results.page.paginator.num_pages,
        "order": results.order,
        "results": [_hit_out(hit) for hit in results.hits],
    }


@router.get(
    "/{document_id}/download",
    url_name="document_download",
    summary="Télécharger ou prévisualiser un de mes documents",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "Le fichier : PDF, ou image pour une photo.",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def document_download(request, document_id: int = Path(..., ge=1, le=2**62), apercu: bool = False):
    """The file (attachment, or inline with ?apercu=true), recorded in the audit log; another customer's is a 404."""
    customer = request_customer(request)
    document = document_get(customer=customer, pk=document_id)
    handle = document_open(document=document)
    if handle is None:
        return problem(404, "Fichier indisponible",
                       "Le fichier de ce document est introuvable pour le moment. Contactez votre conseiller.")
    document_download_record(actor=request.auth, document=document, preview=apercu, channel="api")
    return file_response(document, handle, preview=apercu)
