from django.apps import AppConfig

from abri.billing.ports import register_indemnity_source
from abri.contracts.ports import register_indemnified_claims
from abri.documents.renderers import renderer_register


class ClaimsConfig(AppConfig):
    name = "abri.claims"
    label = "claims"
    verbose_name = "Sinistres"

    def ready(self):
        from abri.claims.selectors import ClaimIndemnities, indemnified_claims_since
        from abri.claims.services import ACKNOWLEDGEMENT_RENDERER, acknowledgement_render

        # Claims import contracts and billing, which may not import claims back (ADR 0010): the pricing's
        # claims history and the indemnities of the payment history reach them through these ports.
        register_indemnified_claims(indemnified_claims_since)
        register_indemnity_source(ClaimIndemnities())
        # The vault's task renders the acknowledgement of receipt by this name (documents imports no app above).
        renderer_register(ACKNOWLEDGEMENT_RENDERER, acknowledgement_render)
