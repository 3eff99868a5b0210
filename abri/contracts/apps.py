from django.apps import AppConfig

from abri.billing.ports import register_premium_breakdown
from abri.core.labels import register_labels
from abri.documents.renderers import renderer_register


class ContractsConfig(AppConfig):
    name = "abri.contracts"
    label = "contracts"
    verbose_name = "Contrats"

    def ready(self):
        from abri.contracts.choices import (
            ContractStatus,
            Formula,
            GuaranteeCode,
            PaymentFrequency,
            TerminationStatus,
        )
        from abri.contracts.forms import OPTION_LABELS
        from abri.contracts.pricing import premium_breakdown
        from abri.contracts.services import (
            AMENDMENT_RENDERER,
            TERMINATION_ACKNOWLEDGEMENT_RENDERER,
            amendment_render,
            termination_acknowledgement_render,
        )
        from abri.contracts.tariff_admin import tariffs_dir

        # Codes shown through their labels everywhere (core's |label filter, billing's payment history): registries,
        # core imports no app and billing does not import contracts (ADR 0007, 0010).
        register_labels("guarantee", lambda: dict(GuaranteeCode.choices))
        register_labels("formula", lambda: dict(Formula.choices))
        register_labels("option", lambda: dict(OPTION_LABELS))
        register_labels("payment_frequency", lambda: dict(PaymentFrequency.choices))
        register_labels("status:contract", lambda: {**dict(TerminationStatus.choices), **dict(ContractStatus.choices)})
        # The engine reads tariff versions from one writable directory (uploads by administrators).
        tariffs_dir()
        # The vault's task renders these letters by name (a registry: documents imports no app above it).
        renderer_register(AMENDMENT_RENDERER, amendment_render)
        renderer_register(TERMINATION_ACKNOWLEDGEMENT_RENDERER, termination_acknowledgement_render)
        # Billing's invoices list the premium's taxes as the tariff defines them (billing does not import contracts).
        register_premium_breakdown(premium_breakdown)
