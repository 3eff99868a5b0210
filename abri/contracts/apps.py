from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "abri.contracts"
    label = "contracts"
    verbose_name = "Contrats"

    def ready(self):
        # The engine reads tariff versions from one writable directory (uploads by administrators).
        from abri.contracts.tariff_admin import tariffs_dir

        tariffs_dir()
