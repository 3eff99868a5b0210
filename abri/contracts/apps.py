from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "abri.contracts"
    label = "contracts"
    verbose_name = "Contrats"

    def ready(self):
        # Core's `guarantee_label` filter shows these labels (a registry: core imports no app).
        from abri.contracts.choices import (
            ContractStatus,
            Formula,
            GuaranteeCode,
            PaymentFrequency,
            TerminationStatus,
        )
        from abri.contracts.forms import OPTION_LABELS
        from abri.core.labels import register_labels

        register_labels("guarantee", lambda: dict(GuaranteeCode.choices))
        register_labels("formula", lambda: dict(Formula.choices))
        register_labels("option", lambda: dict(OPTION_LABELS))
        register_labels("payment_frequency", lambda: dict(PaymentFrequency.choices))
        register_labels("status:contract", lambda: {**dict(TerminationStatus.choices), **dict(ContractStatus.choices)})
        # The engine reads tariff versions from one writable directory (uploads by administrators).
        from abri.contracts.tariff_admin import tariffs_dir

        tariffs_dir()
