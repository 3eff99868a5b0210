from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "abri.contracts"
    label = "contracts"
    verbose_name = "Contrats"

    def ready(self):
        # Core's `guarantee_label` filter shows these labels (a registry: core imports no app).
        from abri.contracts.choices import GuaranteeCode
        from abri.core.labels import register_labels

        register_labels("guarantee", lambda: dict(GuaranteeCode.choices))
        # The engine reads tariff versions from one writable directory (uploads by administrators).
        from abri.contracts.tariff_admin import tariffs_dir

        tariffs_dir()
