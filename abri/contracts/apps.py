from django.apps import AppConfig

from abri.core.labels import register_labels


class ContractsConfig(AppConfig):
    name = "abri.contracts"
    label = "contracts"
    verbose_name = "Contrats"

    def ready(self):
        from abri.contracts.choices import GuaranteeCode, PaymentFrequency
        from abri.contracts.tariff_admin import tariffs_dir

        # Core's `guarantee_label` filter and billing's payment history show these labels (registries: core
        # imports no app, billing does not import contracts; ADR 0007, 0010).
        register_labels("guarantee", lambda: dict(GuaranteeCode.choices))
        register_labels("payment_frequency", lambda: dict(PaymentFrequency.choices))
        # The engine reads tariff versions from one writable directory (uploads by administrators).
        tariffs_dir()
