"""Import the bank's returned or rejected debits (pain.002 or camt.054); importing a file twice changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abri.billing.direct_debit import returns_import
from abri.billing.sepa import SepaError


class Command(BaseCommand):
    help = ("Importe les prélèvements rejetés ou retournés (pain.002, camt.054) : échéance rejetée avec son motif, "
            "notification et lien de paiement ; un même rejet importé deux fois ne change rien.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier XML pain.002 ou camt.054 de la banque.")

    def handle(self, *args, **options):
        try:
            result = returns_import(data=Path(options["file"]).read_bytes())
        except (OSError, SepaError) as exc:
            raise CommandError(f"Import impossible : {exc}") from exc
        self.stdout.write(f"{result.returned} prélèvement(s) rejeté(s) enregistré(s), "
                          f"{result.already} déjà connu(s), {len(result.unknown)} inconnu(s).")
        for reference in result.unknown[:20]:
            self.stdout.write(f"Référence inconnue : {reference}")
