from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "abri.backoffice"
    label = "backoffice"
    verbose_name = "Back-office"
