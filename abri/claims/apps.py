from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "abri.claims"
    label = "claims"
    verbose_name = "Sinistres"

    def ready(self):
        # Claim codes shown through their labels everywhere (core's |label filter, abri.core.labels).
        from abri.claims.choices import ClaimEvent, ClaimStatus
        from abri.claims.forms import DetailsForm, WhenForm
        from abri.claims.rules import ITEM_CATEGORY_LABELS
        from abri.claims.services import RISK_FLAG_LABELS
        from abri.core.labels import register_labels

        register_labels("claim_event", lambda: dict(ClaimEvent.choices))
        register_labels("status:claim", lambda: dict(ClaimStatus.choices))
        register_labels("risk_flag", lambda: RISK_FLAG_LABELS)
        register_labels("item_category", lambda: ITEM_CATEGORY_LABELS)
        register_labels("circumstance", lambda: {name: field.label for name, field in DetailsForm.base_fields.items()})
        register_labels("water_source", lambda: dict(DetailsForm.base_fields["water_source"].choices))
        register_labels("location_mode", lambda: dict(WhenForm.LOCATION_CHOICES))
