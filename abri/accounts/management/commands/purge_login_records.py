"""Delete expired login-policy records (run daily, e.g. from cron or the worker)."""

import json

from django.core.management.base import BaseCommand

from abri.accounts.services import login_records_purge


class Command(BaseCommand):
    help = "Supprime les traces de connexion expirées (échecs > 24 h, codes morts, sessions terminées)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(login_records_purge()))
