"""POST /api/v1/webhooks/<provider>: events from the payment-service provider (outside customer auth).

No session, no bearer token, hence no CSRF: the PSP authenticates each event by its signature, checked by
the provider's adapter (HMAC-SHA256 with a timestamp and a replay window). Forged, replayed or malformed:
400; a duplicated delivery (same event id): 200 and nothing changes. Every case is audited.
"""

from ninja import Router, Schema

from abri.api.problems import problem
from abri.billing.psp.base import WebhookError
from abri.billing.psp.services import UnknownProvider, card_webhook_receive

router = Router(tags=["webhooks"])


class WebhookOut(Schema):
    outcome: str


@router.post("/{provider}", auth=None, response={200: WebhookOut}, summary="Événement du prestataire de paiement",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}})
def psp_webhook(request, provider: str):
    """The raw body and the signature header are checked by the provider's adapter (sandbox, stripe)."""
    try:
        outcome = card_webhook_receive(provider=provider[:20], body=request.body, headers=request.headers)
    except UnknownProvider:
        return problem(404, "Introuvable", "Prestataire inconnu.")
    except WebhookError:
        return problem(400, "Événement refusé", "Signature, horodatage ou contenu invalide.")
    return 200, {"outcome": outcome}
