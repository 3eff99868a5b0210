from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "abri.claims"
    label = "claims"
    verbose_name = "Sinistres"
