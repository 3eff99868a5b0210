from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "abri.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from abri.accounts import checks  # noqa: F401  (registers the deployment checks)
