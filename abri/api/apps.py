from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "abri.api"
    label = "api"
    verbose_name = "API"
