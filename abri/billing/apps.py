from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "abri.billing"
    label = "billing"
    verbose_name = "Paiements"
