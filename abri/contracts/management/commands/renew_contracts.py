"""Renew the contracts whose main due date has come (the worker also does it hourly; running it twice is safe)."""

from django.core.management.base import BaseCommand

from abri.contracts.services import contracts_renew_due


class Command(BaseCommand):
    help = "Renouvelle les contrats arrivés à leur échéance principale (tarif en vigueur, nouvel échéancier)."

    def handle(self, *args, **options):
        renewed = contracts_renew_due()
        self.stdout.write(f"{renewed} contrat(s) renouvelé(s).")
