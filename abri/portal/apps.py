from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "abri.portal"
    label = "portal"
    verbose_name = "Portail"
