from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from abri.billing.ports import register_dunning_alerts


class DunningConfig(AppConfig):
    """Reminders, renewal notices and unpaid premiums (L113-3, L113-15-1): above billing and contracts, which
    it reads and moves; neither imports it back (the payments page reads its alerts through a billing port)."""

    name = "abri.dunning"
    label = "dunning"
    verbose_name = _("Relances et impayés")

    def ready(self):
        from abri.dunning.selectors import dunning_alerts

        register_dunning_alerts(dunning_alerts)
