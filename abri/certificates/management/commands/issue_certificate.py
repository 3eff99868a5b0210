"""python -m abri issue_certificate: issue a certificate from the command line (same service as the page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from abri.accounts.models import Customer
from abri.accounts.numbers import normalize_customer_number
from abri.certificates.choices import CertificateKind
from abri.certificates.rules import certificate_kind_refusal
from abri.certificates.selectors import contracts_certifiable
from abri.certificates.services import certificate_issue, certificate_render_now
from abri.contracts.models import Contract


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {value} » : attendu AAAA-MM-JJ.") from exc


class Command(BaseCommand):
    help = "Délivre une attestation signée (PDF) pour un contrat en cours d'un client."

    def add_arguments(self, parser):
        parser.add_argument("--customer", required=True, help="Numéro client (9 caractères)")
        parser.add_argument("--contract", help="Numéro de contrat (par défaut : le premier contrat en cours)")
        parser.add_argument("--kind", required=True, choices=CertificateKind.values)
        parser.add_argument("--out", required=True, help="Fichier PDF à écrire")
        parser.add_argument("--from", dest="valid_from", help="Temporaire : début de validité (AAAA-MM-JJ)")
        parser.add_argument("--until", dest="valid_until", help="Temporaire : fin de validité (AAAA-MM-JJ)")
        parser.add_argument("--child-first-name", default="", help="Scolaire : prénom de l'enfant")
        parser.add_argument("--child-last-name", default="", help="Scolaire : nom de l'enfant")
        parser.add_argument("--school-year", default="", help="Scolaire : année scolaire, ex. 2026-2027")

    def handle(self, *args, **options):
        number = normalize_customer_number(options["customer"])
        customer = Customer.objects.filter(customer_number=number).first()
        if customer is None:
            raise CommandError(f"Client inconnu : {options['customer']}")
        if options["contract"]:
            contract = Contract.objects.for_customer(customer).select_related("property").filter(
                number=options["contract"].strip()
            ).first()
            if contract is None:
                raise CommandError(f"Contrat inconnu pour le client {number} : {options['contract']}")
        else:
            # The first contract in force for which this kind applies (the service refuses the others).
            candidates = list(contracts_certifiable(customer=customer))
            contract = next((c for c in candidates if not certificate_kind_refusal(contract=c, kind=options["kind"])),
                            candidates[0] if candidates else None)
            if contract is None:
                raise CommandError(f"Le client {number} n'a aucun contrat en cours.")
        try:
            certificate = certificate_issue(
                customer=customer, contract=contract, kind=options["kind"],
                valid_from=_date(options["valid_from"]) if options["valid_from"] else None,
                valid_until=_date(options["valid_until"]) if options["valid_until"] else None,
                child_first_name=options["child_first_name"], child_last_name=options["child_last_name"],
                school_year=options["school_year"], channel="cli",
            )
        except ValidationError as exc:
            messages = [f"{field} : {m}" if field != "__all__" else m
                        for field, ms in exc.message_dict.items() for m in ms]
            raise CommandError("Attestation refusée — " + " ; ".join(messages)) from exc
        out = Path(options["out"])
        certificate_render_now(certificate=certificate)  # when the task queue has not signed it yet
        with certificate.document.file.open("rb") as handle:
            out.write_bytes(handle.read())
        self.stdout.write(
            f"{certificate.number} ({certificate.get_kind_display()}, contrat {contract.number}, "
            f"valable du {certificate.valid_from:%d/%m/%Y} au {certificate.valid_until:%d/%m/%Y}) → {out}"
        )
