from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "abri.accounts"
    label = "accounts"
    verbose_name = "Comptes"
