from django.apps import AppConfig

from abri.billing.ports import register_indemnity_source
from abri.contracts.ports import register_indemnified_claims
from abri.core.labels import register_labels
from abri.documents.renderers import renderer_register


class ClaimsConfig(AppConfig):
    name = "abri.claims"
    label = "claims"
    verbose_name = "Sinistres"

    def ready(self):
        from abri.claims.choices import ClaimEvent, ClaimStatus
        from abri.claims.forms import DetailsForm, WhenForm
        from abri.claims.rules import ITEM_CATEGORY_LABELS
        from abri.claims.selectors import ClaimIndemnities, indemnified_claims_since
        from abri.claims.services import ACKNOWLEDGEMENT_RENDERER, RISK_FLAG_LABELS, acknowledgement_render

        # Claims import contracts and billing, which may not import claims back (ADR 0010): the pricing's
        # claims history and the indemnities of the payment history reach them through these ports.
        register_indemnified_claims(indemnified_claims_since)
        register_indemnity_source(ClaimIndemnities())
        # The vault's task renders the acknowledgement of receipt by this name (documents imports no app above).
        renderer_register(ACKNOWLEDGEMENT_RENDERER, acknowledgement_render)
        # Claim codes shown through their labels everywhere (core's |label filter, abri.core.labels).
        register_labels("claim_event", lambda: dict(ClaimEvent.choices))
        register_labels("status:claim", lambda: dict(ClaimStatus.choices))
        register_labels("risk_flag", lambda: RISK_FLAG_LABELS)
        register_labels("item_category", lambda: ITEM_CATEGORY_LABELS)
        register_labels("circumstance", lambda: {name: field.label for name, field in DetailsForm.base_fields.items()})
        register_labels("water_source", lambda: dict(DetailsForm.base_fields["water_source"].choices))
        register_labels("location_mode", lambda: dict(WhenForm.LOCATION_CHOICES))
