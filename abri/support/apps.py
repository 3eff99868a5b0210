from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "abri.support"
    label = "support"
    verbose_name = "Assistance"
