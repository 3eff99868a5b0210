"""Recompute the normalised `search_text` of every document, in batches (after a normaliser change)."""

from django.core.management.base import BaseCommand

from abri.documents.models import Document
from abri.documents.search import search_text_for
from abri.documents.services import document_extract_and_index


class Command(BaseCommand):
    help = "Recalcule le texte de recherche (search_text) de tous les documents, par lots."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="Documents par lot (défaut 1000).")
        parser.add_argument("--customer", help="Numéro client : seulement les documents de ce client.")
        parser.add_argument("--extract", action="store_true",
                            help="Ré-extraire aussi le texte des PDF (plus lent : lit chaque fichier).")

    def handle(self, *args, batch_size: int, customer: str | None, extract: bool, **options):
        batch_size = max(1, batch_size)
        qs = Document.objects.order_by("pk")
        if customer:
            qs = qs.filter(customer__customer_number=customer.strip().upper())
        last_pk, done = 0, 0
        while True:
            # Keyset pagination on the primary key: constant cost per batch, whatever the table size.
            batch = list(qs.filter(pk__gt=last_pk).select_related("contract", "property", "contract__property")
                         [:batch_size])
            if not batch:
                break
            if extract:
                for document in batch:
                    document_extract_and_index(document_id=document.pk)
            else:
                for document in batch:
                    document.search_text = search_text_for(document)
                Document.objects.bulk_update(batch, ["search_text"], batch_size=batch_size)
            last_pk = batch[-1].pk
            done += len(batch)
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} documents…")
        self.stdout.write(self.style.SUCCESS(f"{done} document(s) réindexé(s)."))
