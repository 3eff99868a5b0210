"""Build the SEPA direct-debit collection file (pain.008) of one due date; running it again gives the same file."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from abri.billing.direct_debit import collection_run_build
from abri.billing.models import CollectionRun
from abri.billing.sepa import SepaError


class Command(BaseCommand):
    help = ("Construit le fichier de prélèvements SEPA (pain.008, validé par son XSD) des échéances d'une date ; "
            "relancé pour la même date, il redonne le même fichier sans rien prélever deux fois.")

    def add_arguments(self, parser):
        parser.add_argument("--due", required=True, help="Date d'échéance, AAAA-MM-JJ.")
        parser.add_argument("--out", required=True, help="Fichier XML à écrire.")

    def handle(self, *args, **options):
        try:
            due = date.fromisoformat(options["due"])
        except ValueError as exc:
            raise CommandError(f"Date invalide « {options['due']} » : attendu AAAA-MM-JJ.") from exc
        if due < timezone.localdate() and not CollectionRun.objects.filter(due_date=due).exists():
            raise CommandError(f"Le {due:%d/%m/%Y} est passé : une banque n'accepte pas de prélèvement à une date "
                               "passée. Ces échéances sont à régler autrement (lien de paiement).")
        try:
            result = collection_run_build(due_date=due)
        except SepaError as exc:
            raise CommandError(f"Fichier non produit : {exc}") from exc
        run = result.run
        if run is None:
            self.stdout.write(f"Aucun prélèvement à remettre pour le {due:%d/%m/%Y} : aucun fichier écrit.")
            self._skipped(result)
            return
        Path(options["out"]).write_text(run.xml, encoding="utf-8")
        if not result.created:
            self.stdout.write(f"Remise du {due:%d/%m/%Y} déjà constituée le {run.created_at:%d/%m/%Y %H:%M} "
                              f"({run.count} prélèvement(s), {run.total} €) : même fichier réécrit, rien de nouveau "
                              f"n'est prélevé.")
            return
        sequences = ", ".join(f"{k} : {v}" for k, v in sorted(result.sequences.items())) or "aucun"
        self.stdout.write(f"Remise du {due:%d/%m/%Y} : {run.count} prélèvement(s), {run.total} € ({sequences}), "
                          f"{run.schema}, message {run.message_id} → {options['out']}")
        self._skipped(result)

    def _skipped(self, result):
        if result.skipped_without_mandate:
            self.stdout.write(f"{result.skipped_without_mandate} échéance(s) sans mandat actif : non prélevées.")
        if result.skipped_late_mandate:
            self.stdout.write(f"{result.skipped_late_mandate} échéance(s) dont le mandat a moins de 14 jours : "
                              "non prélevées (pré-notification impossible à temps).")
