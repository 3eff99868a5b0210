"""Bulk realistic French data for benchmarks: N customers with homes, contracts, schedules, documents.

Fast by design, since `seed_scale --customers 100000` must finish in a few minutes on two cores:
- names and streets come from pools drawn once from Faker fr_FR, not one Faker call per row;
- every scale customer shares ONE precomputed PIN hash (Argon2 runs once, not N times);
- rows are written with `executemany` of plain tuples, in batches of customers per transaction,
  with primary keys assigned here so that children can point at their parents without a read back;
- each document's `search_text` is assembled from pre-normalised fragments (the normaliser of
  abri.documents.normalise is word-wise, so normalising the parts equals normalising the whole).

Re-runnable: each run continues the sequence of scale customer numbers (prefix « SC »), never
touching the demo accounts (DEMO0001G, DEMO0002E) or any existing customer number.
"""

from __future__ import annotations

import random
import re
import time as clock
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from abri.accounts.choices import Civility
from abri.accounts.models import Customer
from abri.accounts.numbers import with_check_character
from abri.billing.choices import PaymentMethod, ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.claims.choices import ClaimEvent, ClaimStatus
from abri.claims.models import Claim, ClaimStep
from abri.contracts.choices import (
    ContractStatus,
    Formula,
    OccupantStatus,
    PaymentFrequency,
    PropertyKind,
    Residence,
)
from abri.contracts.guarantees import DEFAULT_DEDUCTIBLE, VALUABLES_CEILING, contents_ceiling, guarantees_for
from abri.contracts.models import Contract, ContractGuarantee, Property
from abri.documents.choices import DocumentKind, GuaranteeCategory
from abri.documents.models import Document
from abri.documents.normalise import search_text
from abri.notifications.models import Notification

User = get_user_model()
PARIS = ZoneInfo("Europe/Paris")

SCALE_PIN = "246810"
NUMBER_PREFIX = "SC"
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SERIAL_WIDTH = 8 - len(NUMBER_PREFIX)

# (postcode, city, latitude, longitude, risk zone): real French towns, so addresses look right.
TOWNS = [
    ("75011", "Paris", 48.8590, 2.3800, 4), ("75015", "Paris", 48.8420, 2.2990, 4),
    ("75020", "Paris", 48.8640, 2.3980, 4), ("69003", "Lyon", 45.7600, 4.8500, 3),
    ("69007", "Lyon", 45.7450, 4.8420, 3), ("13005", "Marseille", 43.2920, 5.3980, 4),
    ("13008", "Marseille", 43.2400, 5.3800, 4), ("31000", "Toulouse", 43.6040, 1.4440, 3),
    ("06000", "Nice", 43.7030, 7.2660, 5), ("44000", "Nantes", 47.2180, -1.5540, 3),
    ("67000", "Strasbourg", 48.5730, 7.7520, 2), ("34000", "Montpellier", 43.6110, 3.8770, 4),
    ("33000", "Bordeaux", 44.8370, -0.5790, 3), ("59000", "Lille", 50.6290, 3.0570, 2),
    ("35000", "Rennes", 48.1110, -1.6800, 2), ("51100", "Reims", 49.2580, 4.0320, 2),
    ("42000", "Saint-Étienne", 45.4390, 4.3870, 2), ("83000", "Toulon", 43.1240, 5.9280, 5),
    ("38000", "Grenoble", 45.1880, 5.7240, 3), ("21000", "Dijon", 47.3220, 5.0410, 2),
    ("49000", "Angers", 47.4710, -0.5510, 2), ("37000", "Tours", 47.3940, 0.6840, 2),
    ("63000", "Clermont-Ferrand", 45.7770, 3.0870, 2), ("87000", "Limoges", 45.8330, 1.2610, 1),
    ("29200", "Brest", 48.3900, -4.4860, 3), ("64000", "Pau", 43.2950, -0.3700, 3),
    ("56340", "Carnac", 47.5840, -3.0780, 4), ("17000", "La Rochelle", 46.1600, -1.1510, 4),
    ("74000", "Annecy", 45.8990, 6.1290, 3), ("14000", "Caen", 49.1830, -0.3700, 2),
    ("80000", "Amiens", 49.8940, 2.2950, 2), ("45000", "Orléans", 47.9030, 1.9090, 1),
    ("66000", "Perpignan", 42.6990, 2.8950, 5), ("30000", "Nîmes", 43.8370, 4.3600, 4),
    ("86000", "Poitiers", 46.5800, 0.3400, 1), ("25000", "Besançon", 47.2380, 6.0240, 2),
]
EMAIL_DOMAINS = ["exemple.fr", "exemple.com", "courriel.exemple.fr", "exemple.net"]

# Document texts: paragraphs of realistic insurance French, assembled ~150 words per document.
PARAGRAPHS = {
    DocumentKind.GENERAL_CONDITIONS: [
        "Article 1 — Objet du contrat. Le présent contrat multirisque habitation garantit le logement désigné "
        "aux conditions particulières ainsi que les biens mobiliers qu'il contient, dans la limite des plafonds "
        "indiqués au tableau des garanties.",
        "Article 2 — Dégâts des eaux. Sont garantis les dommages causés par les fuites, ruptures ou "
        "débordements de conduites non enterrées, de chéneaux et gouttières, ainsi que les infiltrations "
        "par les toitures et les joints d'étanchéité des installations sanitaires.",
        "Article 3 — Incendie et explosion. Nous garantissons les dommages matériels causés par un incendie, "
        "une explosion, une implosion ou la chute de la foudre, y compris les frais de démolition et de "
        "déblais consécutifs au sinistre.",
        "Article 5 — Catastrophes naturelles. Les dommages résultant d'une catastrophe naturelle constatée "
        "par arrêté interministériel sont indemnisés après application de la franchise légale de 380 euros "
        "(article L125-1 du Code des assurances).",
        "Article 6 — Responsabilité civile vie privée. Nous prenons en charge les conséquences pécuniaires "
        "des dommages corporels, matériels et immatériels causés aux tiers par l'assuré, ses enfants mineurs "
        "ou ses animaux domestiques.",
        "Article 9 — Vol et vandalisme. La garantie s'applique en cas d'effraction, d'escalade, d'usage de "
        "fausses clés ou de violences sur les occupants, sous réserve que les moyens de protection déclarés "
        "soient en état de fonctionnement.",
    ],
    DocumentKind.PARTICULAR_CONDITIONS: [
        "Les présentes conditions particulières complètent les conditions générales. Elles précisent le "
        "logement assuré, la formule choisie, les options souscrites, les capitaux garantis et le montant "
        "de la cotisation annuelle toutes taxes comprises.",
        "Déclarations de l'assuré : le logement n'a pas subi plus de deux sinistres au cours des trente-six "
        "derniers mois ; il est équipé de portes d'entrée avec serrure trois points ; aucune activité "
        "professionnelle n'y est exercée.",
        "Toute modification des caractéristiques du logement (surface, nombre de pièces, usage, dépendances, "
        "piscine) doit nous être déclarée dans un délai de quinze jours, faute de quoi l'indemnité pourrait "
        "être réduite.",
        "La franchise générale indiquée ci-dessus s'applique à chaque sinistre, sauf pour la responsabilité "
        "civile, l'assistance et la protection juridique, et sauf franchise légale des catastrophes "
        "naturelles.",
    ],
    DocumentKind.CERTIFICATE: [
        "Cette attestation est délivrée pour servir et valoir ce que de droit. Elle ne peut engager "
        "l'assureur au-delà des limites et conditions du contrat auquel elle se réfère.",
        "Les garanties accordées comprennent notamment la responsabilité civile vie privée, la "
        "responsabilité locative vis-à-vis du propriétaire, l'incendie, les dégâts des eaux et les "
        "événements climatiques.",
        "Le contrat est en vigueur à la date de délivrance de la présente attestation, sous réserve du "
        "paiement des cotisations. Elle peut être vérifiée en ligne grâce au code figurant en bas de page.",
    ],
    DocumentKind.DUE_NOTICE: [
        "Votre contrat sera reconduit à sa date d'échéance principale pour une nouvelle période d'un an. "
        "La cotisation indiquée tient compte de l'indexation annuelle et des taxes en vigueur.",
        "Vous pouvez résilier votre contrat jusqu'à vingt jours après l'envoi de cet avis d'échéance "
        "(article L113-15-1 du Code des assurances), puis à tout moment après la première année.",
        "Le montant sera prélevé selon l'échéancier convenu sur le compte bancaire désigné dans votre mandat "
        "de prélèvement SEPA. Aucune démarche n'est nécessaire de votre part.",
    ],
    DocumentKind.RECEIPT: [
        "Nous accusons réception de votre règlement. Cette quittance atteste du paiement de la cotisation "
        "pour la période indiquée et peut être présentée à votre bailleur ou à votre banque.",
        "La cotisation comprend la taxe sur les conventions d'assurance ainsi que la contribution au Fonds de "
        "garantie des victimes des actes de terrorisme et d'autres infractions (FGTI).",
        "Conservez ce document : il justifie que votre contrat est à jour de ses cotisations à la date "
        "d'émission.",
    ],
    DocumentKind.CLAIM_LETTER: [
        "Nous avons bien enregistré la déclaration de votre sinistre. Un gestionnaire suit votre dossier et "
        "vous tiendra informé de chaque étape dans votre espace client.",
        "Afin d'évaluer les dommages, merci de nous transmettre les photos des biens endommagés, les "
        "factures d'achat ou devis de réparation et, en cas de vol, le récépissé de dépôt de plainte.",
        "Un expert pourra être missionné si le montant estimé dépasse le seuil prévu au contrat. Il prendra "
        "contact avec vous pour convenir d'un rendez-vous.",
    ],
    DocumentKind.INVOICE: [
        "Facture relative à la prestation réalisée dans le cadre de votre contrat. Le montant pris en charge "
        "est réglé directement au prestataire, déduction faite de la franchise éventuelle.",
        "Pour toute question sur cette facture, contactez votre conseiller depuis la rubrique Assistance de "
        "votre espace client.",
    ],
}
TITLES = {
    DocumentKind.GENERAL_CONDITIONS: "Conditions générales Habitation {formula}",
    DocumentKind.PARTICULAR_CONDITIONS: "Conditions particulières {number}",
    DocumentKind.CERTIFICATE: "Attestation d'assurance habitation {year} — {number}",
    DocumentKind.DUE_NOTICE: "Avis d'échéance {year} — {number}",
    DocumentKind.RECEIPT: "Quittance {month} — {number}",
    DocumentKind.CLAIM_LETTER: "Accusé de réception du sinistre {claim}",
    DocumentKind.INVOICE: "Facture de réparation — sinistre {claim}",
}
HEADER = ("Assuré : {name}, {address}. Contrat {number}, formule {formula}. "
          "Montant : {amount} euros. Émis le {issued}.\n")
CLAIM_DESCRIPTIONS = {
    ClaimEvent.WATER: "Fuite sous l'évier de la cuisine, parquet du séjour gondolé et plafond du voisin taché.",
    ClaimEvent.THEFT: "Cambriolage pendant les vacances : porte fracturée, ordinateur portable et bijoux volés.",
    ClaimEvent.FIRE: "Départ de feu dans la cuisine à cause d'une friteuse, murs et hotte noircis.",
    ClaimEvent.STORM: "Tuiles arrachées par la tempête, infiltration dans la chambre sous les combles.",
    ClaimEvent.GLASS: "Baie vitrée du salon fissurée par un ballon.",
    ClaimEvent.ELECTRICAL: "Surtension pendant un orage : box internet et réfrigérateur hors d'usage.",
}
CLAIM_PATH = [ClaimStatus.RECEIVED, ClaimStatus.UNDER_REVIEW, ClaimStatus.EXPERT_APPOINTED,
              ClaimStatus.REPORT_RECEIVED, ClaimStatus.OFFER_MADE, ClaimStatus.ACCEPTED, ClaimStatus.PAID,
              ClaimStatus.CLOSED]
STEP_NOTES = {
    ClaimStatus.RECEIVED: "Déclaration enregistrée.",
    ClaimStatus.UNDER_REVIEW: "Dossier pris en charge par un gestionnaire.",
    ClaimStatus.EXPERT_APPOINTED: "Un expert a été missionné, il vous contactera.",
    ClaimStatus.REPORT_RECEIVED: "Rapport d'expertise reçu.",
    ClaimStatus.OFFER_MADE: "Proposition d'indemnisation envoyée.",
    ClaimStatus.ACCEPTED: "Proposition acceptée.",
    ClaimStatus.PAID: "Indemnité versée par virement.",
    ClaimStatus.CLOSED: "Dossier clos.",
}
NOTIFICATIONS = [
    ("Votre attestation d'assurance est disponible", "/documents/", "document"),
    ("Votre prochaine échéance approche", "/paiements/", "payment"),
    ("Nouveau document dans votre espace", "/documents/", "document"),
    ("Votre prélèvement a bien été effectué", "/paiements/", "payment"),
    ("Pensez à vérifier vos coordonnées", "/mon-compte/", "info"),
    ("Nouvelle connexion à votre espace client", "/securite/", "security"),
    ("Votre avis d'échéance annuel est disponible", "/documents/", "document"),
]
FORMULAS = [Formula.ESSENTIELLE, Formula.CONFORT, Formula.INTEGRALE]
FORMULA_WEIGHTS = [30, 50, 20]
FORMULA_BASE = {Formula.ESSENTIELLE: 95, Formula.CONFORT: 150, Formula.INTEGRALE: 260}
FORMULA_LABELS = {f: str(f.label) for f in Formula}
FREQUENCY_MONTHS = {PaymentFrequency.MONTHLY: 1, PaymentFrequency.QUARTERLY: 3,
                    PaymentFrequency.HALF_YEARLY: 6, PaymentFrequency.ANNUAL: 12}
CENT = Decimal("0.01")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower())


def _euros(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _serial_to_number(serial: int) -> str:
    digits = []
    for _ in range(_SERIAL_WIDTH):
        serial, rest = divmod(serial, 36)
        digits.append(_BASE36[rest])
    if serial:
        raise CommandError("plus de numéros client disponibles pour le préfixe de test")
    return with_check_character(NUMBER_PREFIX + "".join(reversed(digits)))


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, min(d.day, 28))


class _Template:
    """A text with {placeholders}; its literal parts are normalised once for `search_text`."""

    _FIELD = re.compile(r"\{(\w+)\}")

    def __init__(self, text: str):
        self.parts = []  # (literal, normalised) or (None, field name)
        pos = 0
        for match in self._FIELD.finditer(text):
            literal = text[pos:match.start()]
            self.parts.append((literal, search_text(literal)))
            self.parts.append((None, match.group(1)))
            pos = match.end()
        self.parts.append((text[pos:], search_text(text[pos:])))


@dataclass
class _Table:
    """Rows of one model for the current batch, written with one `executemany`."""

    model: type
    columns: list[str]
    rows: list = field(default_factory=list)

    def __post_init__(self):
        connection = connections[DEFAULT_DB_ALIAS]
        by_attname = {f.attname: f for f in self.model._meta.concrete_fields}
        missing = [f for f in self.model._meta.concrete_fields if f.attname not in self.columns]
        # Fields added later by other apps are filled with their defaults, so this keeps working.
        self.constant = tuple(
            f.get_db_prep_save(timezone.now() if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                               else f.get_default(), connection)
            for f in missing if not (f.has_default() and callable(f.default))
        )
        self.per_row = [f for f in missing if f.has_default() and callable(f.default)]
        fields = [by_attname[a] for a in self.columns] + [
            f for f in missing if not (f.has_default() and callable(f.default))] + self.per_row
        qn = connection.ops.quote_name
        # Table and column names come from the model's _meta, quoted; values are parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            qn(self.model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
        self.connection = connection

    def next_id(self, cursor) -> int:
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - name from _meta, quoted
        return (cursor.fetchone()[0] or 0) + 1

    def flush(self, cursor) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        if self.per_row:
            rows = [r + self.constant + tuple(f.get_db_prep_save(f.get_default(), self.connection)
                                              for f in self.per_row) for r in rows]
        elif self.constant:
            rows = [r + self.constant for r in rows]
        if self.connection.vendor != "sqlite":
            # psycopg dumps an Enum by its name: send the choices' plain values.
            rows = [tuple(v.value if isinstance(v, Enum) else v for v in r) for r in rows]
        cursor.executemany(self.sql, rows)
        return len(rows)


class _Prep:
    """Database-ready values (dates, datetimes, decimals, JSON), cached since few are distinct."""

    def __init__(self):
        self.connection = connections[DEFAULT_DB_ALIAS]
        self._cache: dict = {}
        ops = self.connection.ops
        self._date = ops.adapt_datefield_value
        self._datetime = ops.adapt_datetimefield_value
        self._json_field = Contract._meta.get_field("options")

    def d(self, value: date):
        key = ("d", value)
        if key not in self._cache:
            self._cache[key] = self._date(value)
        return self._cache[key]

    def dt(self, value: datetime):
        key = ("t", value)
        if key not in self._cache:
            self._cache[key] = self._datetime(value)
        return self._cache[key]

    def dec(self, value: Decimal):
        key = ("m", value)
        if key not in self._cache:
            self._cache[key] = self.connection.ops.adapt_decimalfield_value(value)
        return self._cache[key]

    def json(self, value: tuple):
        key = ("j", value)
        if key not in self._cache:
            self._cache[key] = self._json_field.get_db_prep_save(list(value), self.connection)
        return self._cache[key]


class Command(BaseCommand):
    help = (
        "Crée N clients réalistes en masse pour les bancs d'essai (logements, contrats, garanties, "
        f"échéancier, documents, sinistres, notifications). Tous partagent le code secret {SCALE_PIN}. "
        "Relançable : ajoute de nouveaux clients (numéros « SC… »), sans toucher aux comptes de démonstration."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000, help="nombre de clients à créer")
        parser.add_argument("--batch-size", type=int, default=2000, help="clients par transaction")
        parser.add_argument("--seed", type=int, default=2026, help="graine aléatoire (reproductible)")
        parser.add_argument("--documents-per-customer", type=int, default=10,
                            help="documents par client (10 × 100 000 clients = 1 000 000 documents)")

    def handle(self, *args, **options):
        count, batch_size = options["customers"], options["batch_size"]
        if count < 0 or batch_size < 1 or options["documents_per_customer"] < 0:
            raise CommandError("--customers, --batch-size et --documents-per-customer doivent être positifs")
        started = clock.perf_counter()
        self.rng = random.Random(options["seed"])
        self.docs_per_customer = options["documents_per_customer"]
        self.prep = _Prep()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.password = make_password(SCALE_PIN)  # one Argon2 run, shared by every scale customer
        self._pools(options["seed"])
        self.tables = {
            "user": _Table(User, ["id", "password", "last_login", "is_superuser", "username", "first_name",
                                  "last_name", "email", "is_staff", "is_active", "date_joined", "is_customer",
                                  "staff_role"]),
            "customer": _Table(Customer, ["id", "user_id", "customer_number", "civility", "first_name",
                                          "last_name", "birth_date", "email", "phone", "address_line", "postcode",
                                          "city", "preferred_language", "dashboard_layout", "created_at"]),
            "property": _Table(Property, ["id", "customer_id", "kind", "occupant_status", "residence",
                                          "address_line", "postcode", "city", "latitude", "longitude", "rooms",
                                          "surface_m2", "floor", "risk_zone", "has_garden", "has_pool",
                                          "outbuildings_m2", "has_alarm", "created_at"]),
            "contract": _Table(Contract, ["id", "customer_id", "property_id", "number", "formula", "options",
                                          "deductible", "contents_capital", "valuables_capital", "annual_premium",
                                          "payment_frequency", "start_date", "main_due_date", "end_date", "status",
                                          "created_at"]),
            "guarantee": _Table(ContractGuarantee, ["id", "contract_id", "code", "ceiling", "deductible",
                                                    "is_option"]),
            "schedule": _Table(ScheduleItem, ["id", "customer_id", "contract_id", "due_date", "amount", "status",
                                              "method", "paid_at", "reference"]),
            "claim": _Table(Claim, ["id", "customer_id", "contract_id", "number", "event_type", "occurred_at",
                                    "declared_at", "status", "description", "estimated_amount", "settled_amount",
                                    "is_late", "updated_at"]),
            "step": _Table(ClaimStep, ["id", "claim_id", "status", "created_at", "note"]),
            "document": _Table(Document, ["id", "customer_id", "contract_id", "property_id", "claim_id", "kind",
                                          "title", "issued_on", "amount", "guarantee_category", "file", "mime_type",
                                          "size_bytes", "text", "search_text", "created_at"]),
            "notification": _Table(Notification, ["id", "customer_id", "title", "body", "url", "category",
                                                  "created_at", "read_at"]),
        }
        totals = dict.fromkeys(self.tables, 0)
        connection = connections[DEFAULT_DB_ALIAS]
        restore = self._fast_load_on(connection)
        try:
            serial = self._first_serial()
            done = 0
            while done < count:
                size = min(batch_size, count - done)
                with transaction.atomic():
                    written, serial = self._batch(size, serial)
                for name, n in written.items():
                    totals[name] += n
                done += size
                if options["verbosity"] >= 2 or (options["verbosity"] >= 1 and done % (batch_size * 10) == 0):
                    self.stdout.write(f"  {done} / {count} clients ({clock.perf_counter() - started:.1f} s)")
        finally:
            restore()
        elapsed = clock.perf_counter() - started
        rows = sum(totals.values())
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"{count} clients créés ({rows} lignes) en {elapsed:.1f} s — code secret commun {SCALE_PIN}."))
        return None

    # --- set-up ---------------------------------------------------------------------------------

    def _pools(self, seed: int) -> None:
        """Names and streets drawn once from Faker fr_FR (one Faker call per row would dominate)."""
        from faker import Faker

        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.female = sorted({fake.first_name_female() for _ in range(600)})
        self.male = sorted({fake.first_name_male() for _ in range(600)})
        self.last_names = sorted({fake.last_name() for _ in range(3000)})
        self.streets = sorted({fake.street_address() for _ in range(4000)})
        self.templates = {kind: _Template(text) for kind, text in TITLES.items()}
        self.header = _Template(HEADER)
        self.bodies = {kind: self._bodies(kind) for kind in PARAGRAPHS}
        self._normalised: dict[str, str] = {}

    def _bodies(self, kind: str) -> list[tuple[str, str]]:
        """A dozen bodies of about 120 words per kind (its own clauses, completed with general ones)."""
        rng = random.Random(kind)
        own, general = PARAGRAPHS[kind], PARAGRAPHS[DocumentKind.GENERAL_CONDITIONS]
        bodies = []
        for _ in range(12):
            chosen = rng.sample(own, min(len(own), 4))
            extra = [p for p in general if p not in chosen]
            rng.shuffle(extra)
            while sum(len(p.split()) for p in chosen) < 110 and extra:
                chosen.append(extra.pop())
            body = "\n".join(chosen)
            bodies.append((body, search_text(body)))
        return bodies

    def _fast_load_on(self, connection):
        """On SQLite, skip fsync during the bulk load (a crash loses only this load); restore after."""
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return lambda: None  # SQLite refuses to change the safety level inside a transaction
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")

        def restore():
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
                cursor.execute(f"PRAGMA cache_size={int(cache_size)}")

        return restore

    def _first_serial(self) -> int:
        """Continue after the highest scale customer number already present (re-runnable)."""
        highest = (User.objects.filter(username__gte=NUMBER_PREFIX, username__lt=NUMBER_PREFIX[:-1] + chr(
            ord(NUMBER_PREFIX[-1]) + 1)).order_by("-username").values_list("username", flat=True).first())
        if not highest:
            return 0
        serial = 0
        for char in highest[len(NUMBER_PREFIX):8]:
            serial = serial * 36 + _BASE36.index(char)
        return serial + 1

    # --- one batch ------------------------------------------------------------------------------

    def _batch(self, size: int, serial: int) -> tuple[dict[str, int], int]:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Explicit ids need the tables to ourselves until the sequences are moved past them.
                cursor.execute("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE".format(", ".join(
                    connection.ops.quote_name(t.model._meta.db_table) for t in self.tables.values())))
            self.ids = {name: table.next_id(cursor) for name, table in self.tables.items()}
            numbers = []
            while len(numbers) < size:
                wanted = [_serial_to_number(serial + i) for i in range(size - len(numbers))]
                serial += len(wanted)
                taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
                numbers.extend(n for n in wanted if n not in taken)
            for number in numbers:
                self._customer(number)
            written = {name: table.flush(cursor) for name, table in self.tables.items()}
            if connection.vendor == "postgresql":
                from django.core.management.color import no_style

                models = [t.model for t in self.tables.values()]
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        return written, serial

    def _id(self, name: str) -> int:
        value = self.ids[name]
        self.ids[name] = value + 1
        return value

    def _norm(self, value: str) -> str:
        cached = self._normalised.get(value)
        if cached is None:
            cached = self._normalised[value] = search_text(value)
        return cached

    def _fill(self, template: _Template, values: dict) -> tuple[str, list[str]]:
        text, words = [], []
        for literal, normalised in template.parts:
            if literal is None:
                value = str(values[normalised])
                text.append(value)
                words.append(self._norm(value))
            else:
                text.append(literal)
                words.append(normalised)
        return "".join(text), words

    def _customer(self, number: str) -> None:
        rng, prep, t = self.rng, self.prep, self.tables
        female = rng.random() < 0.52
        first = rng.choice(self.female if female else self.male)
        last = rng.choice(self.last_names)
        created = self.now - timedelta(days=rng.randint(30, 3000), seconds=rng.randint(0, 86399))
        created_db = prep.dt(created.replace(microsecond=0))
        email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
        phone = f"+33{rng.choice('67')}{rng.randint(0, 99999999):08d}"
        town = rng.choice(TOWNS)
        street = rng.choice(self.streets)
        user_id, customer_id = self._id("user"), self._id("customer")
        t["user"].rows.append((user_id, self.password, None, False, number, first, last, email, False, True,
                               created_db, True, ""))
        birth = date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
        t["customer"].rows.append((customer_id, user_id, number, Civility.MADAME if female else Civility.MONSIEUR,
                                   first, last, prep.d(birth), email, phone, street, town[0], town[1], "fr",
                                   prep.json(()), created_db))
        full_name = f"{first} {last}"
        homes = [(street, town, Residence.MAIN)]
        if rng.random() < 0.5:
            homes.append((rng.choice(self.streets), rng.choice(TOWNS), Residence.SECONDARY))
        contracts, claims = [], []
        for home_street, home_town, residence in homes:
            contracts.extend(self._home(customer_id, home_street, home_town, residence, created))
        for contract in contracts:
            self._schedule(customer_id, contract)
        active = [c for c in contracts if c["status"] != ContractStatus.TERMINATED]
        roll = rng.random()
        for _ in range(2 if roll < 0.06 else 1 if roll < 0.32 else 0):
            claims.append(self._claim(customer_id, rng.choice(active)))
        self._documents(customer_id, full_name, contracts, claims)
        self._notifications(customer_id)

    def _home(self, customer_id: int, street: str, town: tuple, residence: str, created: datetime) -> list[dict]:
        rng, prep = self.rng, self.prep
        house = rng.random() < (0.35 if residence == Residence.MAIN else 0.7)
        if residence == Residence.MAIN:
            occupant = OccupantStatus.TENANT if rng.random() < (0.55 if not house else 0.15) else OccupantStatus.OWNER
        else:
            occupant = OccupantStatus.OWNER if rng.random() < 0.6 else OccupantStatus.NON_OCCUPYING_OWNER
        rooms = rng.randint(3, 7) if house else rng.randint(1, 5)
        surface = rooms * rng.randint(16, 26) + rng.randint(0, 15)
        property_id = self._id("property")
        garden = house and rng.random() < 0.8
        self.tables["property"].rows.append((
            property_id, customer_id, PropertyKind.HOUSE if house else PropertyKind.APARTMENT, occupant, residence,
            street, town[0], town[1], prep.dec(Decimal(str(round(town[2] + rng.uniform(-0.03, 0.03), 6)))),
            prep.dec(Decimal(str(round(town[3] + rng.uniform(-0.03, 0.03), 6)))), rooms, surface,
            0 if house else rng.randint(0, 8), town[4], garden, house and rng.random() < 0.12,
            rng.choice([0, 0, 10, 20]) if house else 0, rng.random() < 0.2, prep.dt(created.replace(microsecond=0)),
        ))
        home = {"property_id": property_id, "address": f"{street}, {town[0]} {town[1]}", "occupant": occupant,
                "rooms": rooms, "house": house}
        start = self.today - timedelta(days=rng.randint(20, 6 * 365))
        contracts = [self._contract(customer_id, home, start=start, end=None)]
        if rng.random() < 0.45:  # an earlier contract on the same home, replaced by the current one
            previous_start = start - timedelta(days=rng.randint(400, 3 * 365))
            contracts.append(self._contract(customer_id, home, start=previous_start, end=start - timedelta(days=1)))
        return contracts

    def _contract(self, customer_id: int, home: dict, *, start: date, end: date | None) -> dict:
        rng, prep = self.rng, self.prep
        formula = rng.choices(FORMULAS, FORMULA_WEIGHTS)[0]
        options = []
        if formula != Formula.ESSENTIELLE:
            options = [o for o in ("legal", "assistance", "valuables") if rng.random() < 0.25]
            if home["house"] and rng.random() < 0.5:
                options.append("garden")
        options = tuple(options)
        deductible = DEFAULT_DEDUCTIBLE[formula]
        premium = (Decimal(FORMULA_BASE[formula] + 18 * home["rooms"] + rng.randint(0, 60)) + Decimal(
            rng.randint(0, 99)) / 100).quantize(CENT)
        frequency = rng.choices([PaymentFrequency.MONTHLY, PaymentFrequency.QUARTERLY, PaymentFrequency.ANNUAL],
                                [70, 10, 20])[0]
        anniversary = start.replace(year=self.today.year) if (start.month, start.day) != (2, 29) else date(
            self.today.year, 3, 1)
        due = anniversary if anniversary > self.today else anniversary.replace(year=self.today.year + 1)
        if end is not None:
            status = ContractStatus.TERMINATED
        else:
            status = ContractStatus.TERMINATION_REQUESTED if rng.random() < 0.03 else ContractStatus.ACTIVE
        contract_id = self._id("contract")
        number = f"MRH-{start.year}-{contract_id:08d}"
        self.tables["contract"].rows.append((
            contract_id, customer_id, home["property_id"], number, formula, prep.json(options), prep.dec(deductible),
            prep.dec(contents_ceiling(home["rooms"])), prep.dec(VALUABLES_CEILING[formula]), prep.dec(premium),
            frequency, prep.d(start), prep.d(due), prep.d(end) if end else None, status,
            prep.dt(datetime.combine(start, time(9, 0), tzinfo=PARIS)),
        ))
        for row in self._guarantees(formula, options, home["occupant"], home["rooms"], deductible):
            self.tables["guarantee"].rows.append((self._id("guarantee"), contract_id, *row))
        return {"id": contract_id, "number": number, "formula": formula, "premium": premium, "start": start,
                "end": end, "frequency": frequency, "status": status, "home": home}

    def _guarantees(self, formula, options, occupant, rooms, deductible) -> list[tuple]:
        key = ("g", formula, options, occupant, rooms, deductible)
        cache = self.prep._cache
        if key not in cache:
            cache[key] = [
                (row["code"].value, self.prep.dec(row["ceiling"]) if row["ceiling"] is not None else None,
                 self.prep.dec(row["deductible"]), row["is_option"])
                for row in guarantees_for(formula=formula, options=list(options), occupant_status=occupant,
                                          rooms=rooms, deductible=deductible)
            ]
        return cache[key]

    def _schedule(self, customer_id: int, contract: dict) -> None:
        rng, prep = self.rng, self.prep
        step = FREQUENCY_MONTHS[contract["frequency"]]
        amount = (contract["premium"] * Decimal("1.03") * step / 12).quantize(CENT)
        if contract["end"] is None:
            first = max(contract["start"], _add_months(self.today, -18))
            last = _add_months(self.today, 3)
        else:
            first = max(contract["start"], _add_months(contract["end"], -12))
            last = contract["end"]
        due = date(first.year, first.month, 5)
        rows = self.tables["schedule"].rows
        while due <= last:
            if due < self.today:
                status = ScheduleStatus.FAILED if rng.random() < 0.01 else ScheduleStatus.PAID
                paid_at = prep.dt(datetime.combine(due, time(9, 0), tzinfo=PARIS)) if status == "paid" else None
            else:
                status, paid_at = ScheduleStatus.UPCOMING, None
            roll = rng.random()
            method = (PaymentMethod.DIRECT_DEBIT if roll < 0.85 else PaymentMethod.CARD if roll < 0.95
                      else PaymentMethod.TRANSFER)
            rows.append((self._id("schedule"), customer_id, contract["id"], prep.d(due), prep.dec(amount), status,
                         method, paid_at, f"{contract['number']}-{due:%Y%m}"))
            due = _add_months(due, step)

    def _claim(self, customer_id: int, contract: dict) -> dict:
        rng, prep = self.rng, self.prep
        event = rng.choice(list(CLAIM_DESCRIPTIONS))
        earliest = max(contract["start"], self.today - timedelta(days=3 * 365))
        occurred = earliest + timedelta(days=rng.randint(0, max((self.today - earliest).days - 2, 0)))
        occurred_at = datetime.combine(occurred, time(rng.randint(7, 22), 0), tzinfo=PARIS)
        declared_at = occurred_at + timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 12))
        age = (self.today - occurred).days
        reached = min(len(CLAIM_PATH), 1 + age // 12) if rng.random() < 0.9 else 2
        status = CLAIM_PATH[reached - 1]
        if status == ClaimStatus.UNDER_REVIEW and age > 60 and rng.random() < 0.5:
            status = ClaimStatus.REFUSED
        estimated = Decimal(rng.randint(200, 9000))
        settled = (estimated * Decimal(rng.randint(70, 100)) / 100).quantize(CENT) if status in {
            ClaimStatus.PAID, ClaimStatus.CLOSED} else None
        claim_id = self._id("claim")
        number = f"SIN-{occurred.year}-{claim_id:08d}"
        self.tables["claim"].rows.append((
            claim_id, customer_id, contract["id"], number, event, prep.dt(occurred_at), prep.dt(declared_at), status,
            CLAIM_DESCRIPTIONS[event], prep.dec(estimated), prep.dec(settled) if settled is not None else None, False,
            prep.dt(declared_at + timedelta(days=12 * (reached - 1))),
        ))
        path = CLAIM_PATH[:reached] if status != ClaimStatus.REFUSED else [*CLAIM_PATH[:2], ClaimStatus.REFUSED]
        when = declared_at
        for step_status in path:
            self.tables["step"].rows.append((self._id("step"), claim_id, step_status, prep.dt(when),
                                             STEP_NOTES.get(step_status, "Garantie non acquise pour ce sinistre.")))
            when += timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 6))
        return {"id": claim_id, "number": number, "contract": contract, "declared": declared_at.date(),
                "event": event, "estimated": estimated}

    def _documents(self, customer_id: int, full_name: str, contracts: list[dict], claims: list[dict]) -> None:
        """Exactly `--documents-per-customer` documents, the most useful ones first."""
        wanted = []
        for contract in contracts:
            if contract["end"] is None:
                year = self.today.year
                wanted.append((DocumentKind.CERTIFICATE, contract, None, self.today - timedelta(days=30), None,
                               GuaranteeCategory.LIABILITY, {"year": year}))
            wanted.append((DocumentKind.PARTICULAR_CONDITIONS, contract, None, contract["start"], None,
                           GuaranteeCategory.GENERAL, {}))
        wanted.append((DocumentKind.GENERAL_CONDITIONS, contracts[0], None, contracts[0]["start"], None,
                       GuaranteeCategory.GENERAL, {}))
        for claim in claims:
            category = {ClaimEvent.WATER: GuaranteeCategory.WATER, ClaimEvent.THEFT: GuaranteeCategory.THEFT,
                        ClaimEvent.FIRE: GuaranteeCategory.FIRE, ClaimEvent.GLASS: GuaranteeCategory.GLASS,
                        ClaimEvent.STORM: GuaranteeCategory.NATURAL_EVENTS}.get(claim["event"], GuaranteeCategory.GENERAL)
            wanted.append((DocumentKind.CLAIM_LETTER, claim["contract"], claim, claim["declared"], None, category, {}))
            wanted.append((DocumentKind.INVOICE, claim["contract"], claim, claim["declared"] + timedelta(days=20),
                           (claim["estimated"] / 3).quantize(CENT), category, {}))
        active = [c for c in contracts if c["end"] is None] or contracts
        for back in range(3):
            for contract in active:
                issued = _add_months(self.today, -12 * back - 1)
                if issued >= contract["start"]:
                    wanted.append((DocumentKind.DUE_NOTICE, contract, None, issued, contract["premium"],
                                   GuaranteeCategory.GENERAL, {"year": issued.year}))
        quarter = 0
        while len(wanted) < self.docs_per_customer:
            contract = active[quarter % len(active)]
            issued = _add_months(self.today, -3 * (quarter // len(active)) - 1)
            wanted.append((DocumentKind.RECEIPT, contract, None, issued, (contract["premium"] / 4).quantize(CENT),
                           GuaranteeCategory.GENERAL, {"month": f"{issued:%m/%Y}"}))
            quarter += 1
        for spec in wanted[: self.docs_per_customer]:
            self._document(customer_id, full_name, *spec)

    def _document(self, customer_id, full_name, kind, contract, claim, issued, amount, category, extra) -> None:
        prep = self.prep
        values = {"formula": FORMULA_LABELS[contract["formula"]], "number": contract["number"],
                  "claim": claim["number"] if claim else "", **extra}
        title, title_words = self._fill(self.templates[kind], values)
        header, header_words = self._fill(self.header, {
            "name": full_name, "address": contract["home"]["address"], "number": contract["number"],
            "formula": values["formula"], "amount": _euros(amount if amount is not None else contract["premium"]),
            "issued": f"{issued:%d/%m/%Y}"})
        body, body_words = self.rng.choice(self.bodies[kind])
        text = f"{title}\n{header}{body}"
        words = " ".join(w for w in (*title_words, *header_words, body_words) if w)
        self.tables["document"].rows.append((
            self._id("document"), customer_id, contract["id"], contract["home"]["property_id"],
            claim["id"] if claim else None, kind, title[:200], prep.d(issued),
            prep.dec(amount) if amount is not None else None, category, "", "application/pdf", 0, text, words,
            prep.dt(datetime.combine(issued, time(10, 0), tzinfo=PARIS)),
        ))

    def _notifications(self, customer_id: int) -> None:
        rng, prep = self.rng, self.prep
        for _ in range(rng.randint(2, 7)):
            title, url, category = rng.choice(NOTIFICATIONS)
            age = rng.randint(0, 120)
            created = (self.now - timedelta(days=age, minutes=rng.randint(0, 1440))).replace(microsecond=0)
            self.tables["notification"].rows.append((
                self._id("notification"), customer_id, title, "", url, category, prep.dt(created),
                prep.dt(created + timedelta(hours=5)) if age > 10 else None,
            ))
