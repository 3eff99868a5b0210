"""The API: django-ninja under /api/v1/ (routers call the same selectors and services as the pages)."""

from ninja.openapi.docs import Swagger

from abri.api.openapi import AbriNinjaAPI
from abri.api.problems import install_problem_handlers
from abri.api.routers.auth import auth_throttles
from abri.api.routers.auth import router as auth_router
from abri.api.routers.certificates import router as certificates_router
from abri.api.routers.claim_declaration import claim_space as claim_space_router
from abri.api.routers.claim_declaration import declarations as declarations_router
from abri.api.routers.claims import router as claims_router
from abri.api.routers.contract_changes import router as contract_changes_router
from abri.api.routers.contracts import router as contracts_router
from abri.api.routers.document_search import router as document_search_router
from abri.api.routers.documents import router as documents_router
from abri.api.routers.invoices import router as invoices_router
from abri.api.routers.me import router as me_router
from abri.api.routers.payments import router as payments_router
from abri.api.routers.webhooks import router as webhooks_router
from abri.api.security import customer_auth
from abri.api.throttling import api_throttles

API_DESCRIPTION = """API de l'espace client Abri (assurance habitation).

Authentification : `Authorization: Bearer <jeton>` (jeton obtenu par `POST /api/v1/auth/login`)
ou cookie de session du portail (avec l'en-tête `X-CSRFToken` pour les méthodes non sûres).
Erreurs : `application/problem+json` (RFC 9457). Montants : chaînes en euros (« 180.00 »).
Dates : ISO 8601. Voir docs/api.md.
"""

api = AbriNinjaAPI(
    title="Abri API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api",
    auth=customer_auth,
    # Swagger UI from ninja's own static files ("ninja" is in INSTALLED_APPS): nothing from a CDN,
    # no inline script, no call to the online validator.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
install_problem_handlers(api)

# The auth router declares auth=None on its operations and applies the login policy itself; its own
# (stricter) rates sit in front of that policy.
api.add_router("/auth", auth_router, throttle=auth_throttles)
api.add_router("/me", me_router, throttle=api_throttles)
api.add_router("/contracts", contracts_router, throttle=api_throttles)
api.add_router("/contracts", contract_changes_router, throttle=api_throttles)
api.add_router("/claims", claims_router, throttle=api_throttles)
api.add_router("/claims", claim_space_router, throttle=api_throttles)
api.add_router("/declarations", declarations_router, throttle=api_throttles)
# /documents/search and /documents/{id}/download first, then the paginated list.
api.add_router("/documents", document_search_router, throttle=api_throttles)
api.add_router("/documents", documents_router, throttle=api_throttles)
api.add_router("/certificates", certificates_router, throttle=api_throttles)
api.add_router("/payments", payments_router, throttle=api_throttles)
# The PSP's events: signed, outside customer auth (auth=None on the operation), no customer throttle.
api.add_router("/webhooks", webhooks_router)
api.add_router("/invoices", invoices_router, throttle=api_throttles)


@api.get("/ping", auth=None, throttle=api_throttles, tags=["santé"], summary="Disponibilité de l'API")
def ping(request):
    """Liveness of the API."""
    return {"status": "ok"}
