"""End the contracts whose termination date has come and revoke their certificates (the worker also does it hourly)."""

from django.core.management.base import BaseCommand

from abri.contracts.services import contracts_end_due


class Command(BaseCommand):
    help = "Termine les contrats dont la date de résiliation est arrivée et révoque leurs attestations."

    def handle(self, *args, **options):
        ended = contracts_end_due()
        self.stdout.write(f"{ended} contrat(s) terminé(s).")
