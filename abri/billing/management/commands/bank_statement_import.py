"""Import the insurer's bank statement (camt.053) and reconcile transfers by their RF reference."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abri.billing.choices import TransferStatus
from abri.billing.sepa import SepaError
from abri.billing.transfers import bank_statement_import


class Command(BaseCommand):
    help = ("Importe un relevé camt.053 et rapproche les virements reçus par leur référence RF et leur montant ; "
            "le reste va dans la file du back-office. Un relevé importé deux fois ne crédite rien deux fois.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="Relevé camt.053 (XML) du compte de l'assureur.")

    def handle(self, *args, **options):
        try:
            result = bank_statement_import(data=Path(options["file"]).read_bytes())
        except (OSError, SepaError) as exc:
            raise CommandError(f"Import impossible : {exc}") from exc
        labels = dict(TransferStatus.choices)
        for status, count in sorted(result.counts.items()):
            self.stdout.write(f"{labels.get(status, status)} : {count}")
        self.stdout.write(f"Déjà importé(s), ignoré(s) : {result.duplicates}")
        for problem in result.problems[:20]:
            self.stdout.write(f"À vérifier : {problem}")
