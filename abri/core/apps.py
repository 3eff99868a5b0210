from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared kernel: audit log, money, errors, security headers, htmx helpers."""

    name = "abri.core"
    label = "core"
    verbose_name = "Noyau"
