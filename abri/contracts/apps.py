from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "abri.contracts"
    label = "contracts"
    verbose_name = "Contrats"
