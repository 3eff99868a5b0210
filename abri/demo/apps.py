from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "abri.demo"
    label = "demo"
    verbose_name = "Démonstration"
