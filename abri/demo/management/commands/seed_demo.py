"""Create the demo accounts and their realistic French data (idempotent)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from abri.accounts.choices import Civility, StaffRole
from abri.accounts.mfa import totp_is_enrolled, totp_provision
from abri.accounts.models import Customer, TotpDevice
from abri.accounts.roles import ensure_staff_groups
from abri.accounts.services import customer_create
from abri.billing.choices import PaymentMethod, ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.claims.choices import ClaimEvent, ClaimStatus
from abri.claims.models import Claim, ClaimStep
from abri.contracts.choices import Formula, OccupantStatus, PaymentFrequency, PropertyKind, Residence
from abri.contracts.conditions import general_conditions_pdf, general_conditions_text
from abri.contracts.models import ContractRenewal, Property
from abri.contracts.pricing import contract_choices, quote_change
from abri.contracts.rules import add_months
from abri.contracts.services import contract_create
from abri.core.formats import day
from abri.core.money import format_eur
from abri.documents.choices import DocumentKind, GuaranteeCategory
from abri.documents.rendering import render_text_pdf
from abri.documents.services import document_file
from abri.notifications.models import Notification

PARIS = ZoneInfo("Europe/Paris")
User = get_user_model()

STAFF = [
    ("conseiller@abri.example", "abri-demo-conseiller", "Inès", "Moreau", StaffRole.ADVISOR),
    ("gestionnaire@abri.example", "abri-demo-gestion", "Julien", "Garnier", StaffRole.CLAIMS_HANDLER),
    ("admin@abri.example", "abri-demo-admin", "Sophie", "Lambert", StaffRole.ADMINISTRATOR),
    ("compta@abri.example", "abri-demo-compta", "Paul", "Girard", StaffRole.ACCOUNTING),
]


def ensure_staff() -> None:
    """Demo staff accounts (passwords documented in DESIGN.md)."""
    groups = ensure_staff_groups()
    for email, password, first, last, role in STAFF:
        user = User.objects.filter(username=email).first()
        if user is None:
            user = User(username=email, email=email, first_name=first, last_name=last, is_staff=True,
                        staff_role=role, is_superuser=role == StaffRole.ADMINISTRATOR)
            user.set_password(password)
            user.save()
        user.groups.add(groups[role])
        if settings.ABRI_DEMO and not totp_is_enrolled(user):
            # Demo staff have an authenticator enrolled for them: its codes are written to the demo
            # outbox at login (DESIGN.md), so a tester never needs a phone.
            totp_provision(user=user)
            TotpDevice.objects.filter(user=user).update(confirmed_at=timezone.now())


def _aware(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=PARIS)


def _add_document(customer, *, kind, title, lines, issued_on, contract=None, claim=None, amount=None,
                  category=GuaranteeCategory.GENERAL, pdf=None):
    # Rendered here, stored at once (content=): the demo has its files without waiting for a worker.
    return document_file(
        customer=customer, contract=contract, property=contract.property if contract else None, claim=claim,
        kind=kind, title=title, issued_on=issued_on, amount=amount, guarantee_category=category,
        text="\n".join([title, *lines]), content=pdf or render_text_pdf(title=title, lines=lines),
        filename=f"{kind}.pdf",
    )


def _price_with_tariff(contract) -> None:
    """The demo premium is what the tariff engine says for the contract's choices."""
    result = quote_change(contract=contract, choices=contract_choices(contract))
    if result.quote is not None:
        contract.annual_premium = result.quote.total_annual
        contract.save(update_fields=["annual_premium"])


def _schedule(customer, contract, *, months_back: int, months_ahead: int, today: date) -> None:
    monthly = (contract.annual_premium / 12).quantize(Decimal("0.01"))  # the total already includes the instalment surcharge
    rows = []
    first = date(today.year, today.month, 5)
    for offset in range(-months_back, months_ahead + 1):
        month_index = first.month - 1 + offset
        due = date(first.year + month_index // 12, month_index % 12 + 1, 5)
        paid = due < today
        rows.append(ScheduleItem(
            customer=customer, contract=contract, due_date=due, amount=monthly,
            status=ScheduleStatus.PAID if paid else ScheduleStatus.UPCOMING,
            method=PaymentMethod.DIRECT_DEBIT, paid_at=_aware(due, 9) if paid else None,
            reference=f"{contract.number}-{due:%Y%m}",
        ))
    ScheduleItem.objects.bulk_create(rows)


CERTIFICATE_AGE = timedelta(days=60)  # the demo's certificate was issued two months ago
NOTICE_LEAD = timedelta(days=60)  # renewal notices go out 60 days before the due date: on time for loi Chatel


def _renewals(contract, *, today: date) -> None:
    """The renewals already done, each with the day its notice was sent (what the renewal job records)."""
    due = add_months(contract.start_date, 12)
    while due <= today:
        ContractRenewal.objects.create(contract=contract, due_date=due, notice_sent_on=due - NOTICE_LEAD,
                                       renewed_at=_aware(due, 0), tariff_version=contract.tariff_version,
                                       old_annual_premium=contract.annual_premium,
                                       new_annual_premium=contract.annual_premium)
        due = add_months(due, 12)


def _claim(customer, contract, *, number, event, occurred, status, description, amount, settled=None,
           steps=()):
    claim = Claim.objects.create(
        customer=customer, contract=contract, number=number, event_type=event,
        occurred_at=_aware(occurred, 22), declared_at=_aware(occurred + timedelta(days=1), 8),
        status=status, description=description, estimated_amount=amount, settled_amount=settled,
    )
    when = occurred + timedelta(days=1)
    for step_status, days, note in steps:
        when = when + timedelta(days=days)
        # The first step is the receipt of the declaration itself: the same moment as « déclaré le ».
        at = claim.declared_at if step_status == ClaimStatus.RECEIVED and not days else _aware(when, 11)
        ClaimStep.objects.create(claim=claim, status=step_status, created_at=at, note=note)
    return claim


class Command(BaseCommand):
    help = "Crée les comptes et données de démonstration (idempotent)."

    def handle(self, *args, **options):
        ensure_staff()
        if Customer.objects.filter(customer_number="DEMO0001G").exists():
            self.stdout.write("Données de démonstration déjà présentes.")
            return
        random.seed(2026)
        with transaction.atomic():
            self._seed_alice_like(timezone.localdate())
            self._seed_second(timezone.localdate())
        self.stdout.write(self.style.SUCCESS("Données de démonstration créées."))

    def _seed_alice_like(self, today: date) -> None:
        customer = customer_create(
            customer_number="DEMO0001G", pin="246810", civility=Civility.MADAME,
            first_name="Camille", last_name="Martin", birth_date=date(1986, 4, 17),
            email="camille.martin@exemple.fr", phone="+33612345678",
            address_line="12 rue de la République", postcode="69002", city="Lyon",
        )
        flat = Property.objects.create(
            customer=customer, kind=PropertyKind.APARTMENT, occupant_status=OccupantStatus.TENANT,
            residence=Residence.MAIN, address_line="12 rue de la République", postcode="69002", city="Lyon",
            latitude=Decimal("45.760300"), longitude=Decimal("4.835900"), rooms=3, surface_m2=64, floor=2,
            risk_zone=3,
        )
        house = Property.objects.create(
            customer=customer, kind=PropertyKind.HOUSE, occupant_status=OccupantStatus.OWNER,
            residence=Residence.SECONDARY, address_line="4 chemin de Kerbiquet", postcode="56340",
            city="Carnac", latitude=Decimal("47.584000"), longitude=Decimal("-3.078000"), rooms=5,
            surface_m2=110, floor=0, risk_zone=4, has_garden=True, outbuildings_m2=20,
        )
        start_flat = date(today.year - 2, 3, 1)
        start_house = date(today.year - 3, 6, 15)
        c_flat = contract_create(
            customer=customer, property=flat, number="MRH-2024-000101", formula=Formula.CONFORT,
            annual_premium=Decimal("168.40"), start_date=start_flat,
            main_due_date=self._next_anniversary(start_flat, today), deductible=Decimal("150"),
            options=["valuables"], contents_capital=Decimal("14000"), valuables_capital=Decimal("3000"),
            payment_frequency=PaymentFrequency.MONTHLY,
        )
        c_house = contract_create(
            customer=customer, property=house, number="MRH-2023-000102", formula=Formula.INTEGRALE,
            annual_premium=Decimal("512.90"), start_date=start_house,
            main_due_date=self._next_anniversary(start_house, today), deductible=Decimal("0"),
            # Contents below the 5-room ceiling (20 000 €): the demo leaves room to increase it online, and to ask
            # an advisor for more.
            options=["garden", "valuables"], contents_capital=Decimal("16000"), valuables_capital=Decimal("8000"),
            payment_frequency=PaymentFrequency.MONTHLY,
        )
        self._claims(customer, c_flat, c_house, today)  # first: past claims rate the premium
        for contract in (c_flat, c_house):
            _price_with_tariff(contract)
            _schedule(customer, contract, months_back=24, months_ahead=3, today=today)
            _renewals(contract, today=today)
        self._documents(customer, c_flat, c_house, today)
        self._notifications(customer, today)

    @staticmethod
    def _next_anniversary(start: date, today: date) -> date:
        candidate = start.replace(year=today.year)
        return candidate if candidate > today else candidate.replace(year=today.year + 1)

    def _documents(self, customer, c_flat, c_house, today: date) -> None:
        for contract in (c_flat, c_house):
            formula = contract.get_formula_display()
            # The general conditions the portal shows (complete, exclusions framed in bold: L112-4).
            _add_document(customer, kind=DocumentKind.GENERAL_CONDITIONS, contract=contract,
                          title=f"Conditions générales Habitation {formula}", issued_on=contract.start_date,
                          lines=[f"Conditions générales du contrat multirisque habitation, formule {formula}.",
                                 *general_conditions_text(contract.tariff_version)],
                          pdf=general_conditions_pdf(contract.tariff_version))
            _add_document(customer, kind=DocumentKind.PARTICULAR_CONDITIONS, contract=contract,
                          title=f"Conditions particulières {contract.number}", issued_on=contract.start_date,
                          lines=[f"Assuré : {customer.full_name}. Contrat {contract.number}.",
                                 f"Logement : {contract.property.full_address}.",
                                 f"Formule {formula}, franchise {format_eur(contract.deductible)}.",
                                 f"Cotisation annuelle : {format_eur(contract.annual_premium)}."])
            for year_back in (1, 0):
                due = contract.main_due_date.replace(year=contract.main_due_date.year - 1 - year_back)
                _add_document(customer, kind=DocumentKind.DUE_NOTICE, contract=contract, amount=contract.annual_premium,
                              title=f"Avis d'échéance {due.year} — {contract.number}", issued_on=due - NOTICE_LEAD,
                              lines=[f"Votre cotisation pour la période du {day(due)} au "
                                     f"{day(due.replace(year=due.year + 1))} s'élève à "
                                     f"{format_eur(contract.annual_premium)}.",
                                     "Vous pouvez résilier votre contrat jusqu'à 20 jours après l'envoi de cet avis "
                                     "(article L113-15-1 du Code des assurances)."])
            _add_document(customer, kind=DocumentKind.CERTIFICATE, contract=contract,
                          title=f"Attestation d'assurance habitation {today.year} — {contract.number}",
                          issued_on=today - CERTIFICATE_AGE,
                          lines=[f"Nous certifions que {customer.full_name} est assuré(e) pour le logement situé "
                                 f"{contract.property.full_address}, contrat {contract.number}.",
                                 "Garanties : responsabilité civile, incendie, dégâts des eaux, événements naturels."],
                          category=GuaranteeCategory.LIABILITY)
            for quarter in range(8):
                issued = today - timedelta(days=90 * quarter + 10)
                # Three monthly instalments of the schedule (_schedule): the receipt says what was debited.
                amount = (contract.annual_premium / 12).quantize(Decimal("0.01")) * 3
                _add_document(customer, kind=DocumentKind.RECEIPT, contract=contract, amount=amount,
                              title=f"Quittance {issued:%m/%Y} — {contract.number}", issued_on=issued,
                              lines=[f"Quittance de cotisation du trimestre, montant réglé {format_eur(amount)}.",
                                     "Ce montant comprend la taxe sur les conventions d'assurance et la "
                                     "contribution au Fonds de garantie des victimes des actes de terrorisme "
                                     "et d'autres infractions (FGTI).",
                                     "Prélèvement SEPA effectué."])

    def _claims(self, customer, c_flat, c_house, today: date) -> None:
        past = [
            ("SIN-2024-004211", c_flat, ClaimEvent.WATER, today - timedelta(days=600), Decimal("1850.00"),
             Decimal("1620.00"), "Fuite du lave-linge, parquet de la cuisine abîmé.", GuaranteeCategory.WATER),
            ("SIN-2024-007803", c_house, ClaimEvent.STORM, today - timedelta(days=420), Decimal("3200.00"),
             Decimal("2950.00"), "Tuiles arrachées lors de la tempête, infiltration dans les combles.",
             GuaranteeCategory.NATURAL_EVENTS),
            ("SIN-2025-001377", c_flat, ClaimEvent.GLASS, today - timedelta(days=250), Decimal("480.00"),
             Decimal("330.00"), "Vitre du séjour brisée par un ballon.", GuaranteeCategory.GLASS),
        ]
        for number, contract, event, occurred, amount, settled, text, category in past:
            claim = _claim(customer, contract, number=number, event=event, occurred=occurred,
                           status=ClaimStatus.CLOSED, description=text, amount=amount, settled=settled,
                           steps=[(ClaimStatus.RECEIVED, 0, ""), (ClaimStatus.UNDER_REVIEW, 2, ""),
                                  (ClaimStatus.OFFER_MADE, 20, f"Proposition de {format_eur(settled)}."),
                                  (ClaimStatus.ACCEPTED, 3, ""),
                                  (ClaimStatus.PAID, 5, f"Virement de {format_eur(settled)}."),
                                  (ClaimStatus.CLOSED, 1, "")])
            _add_document(customer, kind=DocumentKind.CLAIM_LETTER, contract=contract, claim=claim,
                          title=f"Accusé de réception du sinistre {number}", issued_on=occurred + timedelta(days=1),
                          lines=[f"Nous avons bien reçu votre déclaration : {text}"], category=category)
            _add_document(customer, kind=DocumentKind.CLAIM_LETTER, contract=contract, claim=claim, amount=settled,
                          title=f"Lettre d'indemnisation {number}", issued_on=occurred + timedelta(days=32),
                          lines=[f"Indemnité versée : {format_eur(settled)}, après application de la franchise."],
                          category=category)
        occurred = today - timedelta(days=12)
        claim = _claim(customer, c_flat, number="SIN-2026-010452", event=ClaimEvent.WATER, occurred=occurred,
                       status=ClaimStatus.EXPERT_APPOINTED,
                       description="Dégât des eaux venant de l'appartement du dessus : plafond de la salle de bains "
                                   "et mur du couloir tachés, peinture cloquée.",
                       amount=Decimal("2400.00"),
                       steps=[(ClaimStatus.RECEIVED, 0, ""), (ClaimStatus.UNDER_REVIEW, 1, ""),
                              (ClaimStatus.EXPERT_APPOINTED, 3, "Cabinet Expertises Rhône, M. Dupuis.")])
        _add_document(customer, kind=DocumentKind.CLAIM_LETTER, contract=c_flat, claim=claim,
                      title="Accusé de réception du sinistre SIN-2026-010452", issued_on=occurred + timedelta(days=1),
                      lines=["Nous avons bien reçu votre déclaration de dégât des eaux (infiltration depuis le voisin)."],
                      category=GuaranteeCategory.WATER)

    def _notifications(self, customer, today: date) -> None:
        """Each notification is dated by the fact it announces (one source for each date)."""
        now = timezone.now()
        expert = ClaimStep.objects.get(claim__number="SIN-2026-010452", status=ClaimStatus.EXPERT_APPOINTED)
        certificate_day = _aware(today - CERTIFICATE_AGE, 9)
        for at, title, url in [
            (certificate_day, "Votre attestation d'assurance est disponible", "/documents/"),
            (expert.created_at, "Un expert a été missionné pour votre sinistre SIN-2026-010452",
             "/sinistres/SIN-2026-010452/"),
            (now - timedelta(days=2), "Votre prochaine échéance approche", "/paiements/"),
        ]:
            Notification.objects.create(customer=customer, title=title, url=url, created_at=at,
                                        read_at=now if now - at > timedelta(days=10) else None)

    def _seed_second(self, today: date) -> None:
        customer = customer_create(
            customer_number="DEMO0002E", pin="135790", civility=Civility.MONSIEUR,
            first_name="Karim", last_name="Benali", birth_date=date(1994, 11, 3),
            email="karim.benali@exemple.fr", phone="+33698765432",
            address_line="27 rue des Pyrénées", postcode="75020", city="Paris",
        )
        flat = Property.objects.create(
            customer=customer, kind=PropertyKind.APARTMENT, occupant_status=OccupantStatus.TENANT,
            address_line="27 rue des Pyrénées", postcode="75020", city="Paris", rooms=2, surface_m2=38,
            floor=0, risk_zone=4,
        )
        start = date(today.year - 1, 9, 1)
        contract = contract_create(
            customer=customer, property=flat, number="MRH-2025-000201", formula=Formula.ESSENTIELLE,
            annual_premium=Decimal("104.60"), start_date=start, main_due_date=self._next_anniversary(start, today),
            contents_capital=Decimal("8000"),
        )
        _price_with_tariff(contract)
        _schedule(customer, contract, months_back=12, months_ahead=3, today=today)
        _renewals(contract, today=today)
        _add_document(customer, kind=DocumentKind.PARTICULAR_CONDITIONS, contract=contract,
                      title=f"Conditions particulières {contract.number}", issued_on=start,
                      lines=[f"Assuré : {customer.full_name}.", f"Logement : {flat.full_address}."])
