"""What a person reads in the demo journey, and the words that must never be in it (issue 15 points 2 and 3).

`demo_journey()` seeds the demo, walks it as Camille (the customer) and as an administrator (every page the
site walk reaches, and every claim, contract and simulation of the demo), declares a claim, signs an
amendment and issues a certificate, then returns every text a person reads: visible page text, the text of
every PDF in Camille's documents (pypdf), every e-mail and SMS of the outbox. `problems(texts)` lists each
internal code, English identifier and non-French format found in them (and, outside the back-office, each
numeric dd/mm/yyyy date).
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

from django.db import models

import abri

# --- Visible text of a page ------------------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes and the attributes read aloud, no script, style or code."""

    SKIPPED = {"script", "style", "template", "noscript"}
    SPOKEN = ("aria-label", "alt", "title", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


# --- The codes a person must never read ----------------------------------------------------------------


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).lower()


def choice_tables() -> list[type[models.Choices]]:
    """Every TextChoices of the project (each app's choices.py and models.py)."""
    tables = []
    for module_info in pkgutil.walk_packages(abri.__path__, "abri."):
        if not module_info.name.endswith((".choices", ".models")):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, models.Choices) and value.__module__ == module.__name__:
                tables.append(value)
    return tables


def known_codes() -> tuple[set[str], set[str]]:
    """(codes, French words of the labels): every choice value and tariff code, and the words of their labels."""
    from abri.pricing.tariff import available_tariffs

    codes, words = set(), set()

    def add(code, label):
        if isinstance(code, str) and len(code) > 2 and not code.isdigit():
            codes.add(code)
        words.update(re.findall(r"\w+", str(label).lower()))

    for table in choice_tables():
        for code, label in table.choices:
            add(code, label)
    for tariff in available_tariffs():
        for kind in ("formulas", "options", "guarantees", "frequencies"):
            for code, item in getattr(tariff, kind).items():
                add(code, getattr(item, "label", ""))
    return codes, words


# Codes that are also ordinary French words of the interface (« mobile », « photo », « expert »…) are not
# evidence of a leak on their own.
FRENCH_WORDS = {"mobile", "photo", "expert", "email", "sms", "courrier", "web", "api", "pdf", "csv", "public"}

PATTERNS = [
    ("identifiant anglais (snake_case)", re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")),
    ("valeur Python", re.compile(r"\b(?:None|True|False)\b")),
    ("date ISO", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("heure « 07:30 » (écrire « 07 h 30 »)", re.compile(r"\b\d{1,2}:\d{2}\b")),
    ("montant à point décimal", re.compile(r"\d\.\d{2}\s*(?:€|euros?\b)|€\s*\d+\.\d{2}")),
    ("montant en « euros » (écrire « € » avec format_eur)", re.compile(r"\d\s*euros?\b")),
    ("pluriel après 0 ou 1", re.compile(
        r"(?<![\d,.])\b[01] (?:fichiers|documents|pièces|photos|sinistres|contrats|jours|messages|notifications"
        r"|éléments|justificatifs|échéances|demandes|options)\b")),
]

# What a customer reads (pages, e-mails, SMS, PDFs) gives a date in words, « 1er mars 2027 » (ADR 0011);
# back-office tables may stay numeric for density, exports (CSV/QIF/OFX) are data, not readings, and the
# example of an input format (« JJ/MM/AAAA, par exemple 17/04/1986 ») is how to type a date, not a date.
CUSTOMER_PATTERNS = [
    ("date en chiffres « 01/03/2027 » (écrire « 1er mars 2027 » avec day)",
     re.compile(r"(?<!par exemple )(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?:\d{2})?(?![\d/])")),
]
STAFF_SOURCE = "personnel"


@dataclass
class Reading:
    """One text a person reads, and where it comes from."""

    source: str
    text: str


@dataclass
class Finding:
    source: str
    kind: str
    excerpt: str


@dataclass
class Scanner:
    codes: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    audit_actions: set[str] = field(default_factory=set)

    def __post_init__(self):
        if not self.codes:
            self.codes, self.words = known_codes()
        single = sorted(c for c in self.codes
                        if re.fullmatch(r"[a-z][a-z0-9]*", c) and c not in self.words and c not in FRENCH_WORDS)
        self._single = re.compile(r"\b(" + "|".join(map(re.escape, single)) + r")\b", re.IGNORECASE)
        dotted = sorted(a for a in self.audit_actions if "." in a)
        self._dotted = re.compile(r"\b(" + "|".join(map(re.escape, dotted)) + r")\b") if dotted else None

    def findings(self, reading: Reading) -> list[Finding]:
        text = re.sub(r"https?://\S+|\S+@\S+", " ", reading.text)  # links and addresses are not words
        found = []

        def add(kind, match):
            start, end = match.span()
            found.append(Finding(reading.source, kind, text[max(0, start - 50):end + 50]))

        for kind, pattern in PATTERNS:
            for match in pattern.finditer(text):
                add(kind, match)
        if not reading.source.startswith(STAFF_SOURCE):
            for kind, pattern in CUSTOMER_PATTERNS:
                for match in pattern.finditer(text):
                    add(kind, match)
        for match in self._single.finditer(text):
            if not match.group(0).isupper():  # « SMS », « PDF »: acronyms, not codes
                add(f"code « {match.group(0)} »", match)
        if self._dotted:
            for match in self._dotted.finditer(text):
                add(f"événement d'audit « {match.group(0)} »", match)
        return found


def problems(readings: list[Reading], *, audit_actions=()) -> list[Finding]:
    scanner = Scanner(audit_actions=set(audit_actions))
    return [finding for reading in readings for finding in scanner.findings(reading)]


def report(findings: list[Finding], limit: int = 200) -> str:
    lines = [f"{f.source}: {f.kind}: …{f.excerpt}…" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"… and {len(findings) - limit} more")
    return "\n".join(lines)


# --- The demo journey ------------------------------------------------------------------------------------


@dataclass
class Journey:
    readings: list[Reading]
    customer: object
    pages: dict[str, str]  # url -> visible text, for fact checks
    pdfs: dict[str, str]  # document title -> text


def demo_journey(*, capture_on_commit) -> Journey:
    """Seed the demo, act as Camille and as staff, and collect everything a person reads."""

    from django.core.management import call_command

    from abri.accounts.models import Customer, User
    from abri.accounts.stepup import step_up_mark_fresh
    from abri.certificates.services import certificate_issue
    from abri.claims import services as claim_services
    from abri.claims.models import Claim, ClaimDraft
    from abri.contracts import services as contract_services
    from abri.contracts.models import Contract
    from abri.contracts.pricing import contract_choices
    from abri.documents.models import Document
    from abri.notifications.models import Notification, OutboxMessage
    from tests.backoffice.conftest import staff_client
    from tests.claims.test_declaration import fill_until_evidence, photo
    from tests.conftest import logged_in_client
    from tests.core.site_walk import World, customer_pages, staff_pages

    call_command("seed_demo", stdout=io.StringIO())
    camille = Customer.objects.get(customer_number="DEMO0001G")
    flat = Contract.objects.get(number="MRH-2024-000101")
    client = logged_in_client(camille)
    step_up_mark_fresh(client)

    # A claim declared through the wizard: acknowledgement PDF, e-mail, SMS, notification.
    response = client.post("/sinistres/declarer/")
    draft = ClaimDraft.objects.for_customer(camille).latest("created_at")
    if response["Location"].endswith("/home/"):
        client.post(f"/sinistres/declarer/{draft.key}/home/", {"contract": flat.number})
    fill_until_evidence(client, draft)
    base = f"/sinistres/declarer/{draft.key}"
    client.post(f"{base}/evidence/", {"kind": "photo", "files": [photo()], "upload": "1"})
    readings = [Reading(f"{base}/summary/", visible_text(client.get(f"{base}/summary/").content.decode()))]
    with capture_on_commit(execute=True):
        client.post(f"{base}/envoyer/")
    # An amendment (an option added, annual payment) with its signed PDF; a certificate.
    choices = contract_choices(flat)
    choices["options"] = sorted({*choices["options"], "legal"})
    choices["payment_frequency"] = "annual"
    flat.refresh_from_db()
    for url in (f"/contrats/{flat.number}/modifier/?{urlencode(choices, doseq=True)}",
                f"/contrats/{flat.number}/avenant/?{urlencode(choices, doseq=True)}",
                f"/contrats/{flat.number}/comparer/"):
        readings.append(Reading(f"client {url}", visible_text(client.get(url).content.decode())))
    with capture_on_commit(execute=True):
        amendment = contract_services.amendment_apply(
            customer=camille, contract=flat, choices=choices, expected_version=flat.version,
            idempotency_key=str(uuid.uuid4()))
    contract_services.amendment_document(amendment=amendment)
    with capture_on_commit(execute=True):
        certificate_issue(customer=camille, contract=flat, kind="tenant")
    simulation = contract_services.simulation_save(
        customer=camille, contract=flat, name="Plus de garanties",
        choices={**contract_choices(flat), "formula": "integrale", "options": ["valuables"]})

    staff = User.objects.get(email="admin@abri.example")
    world = World(
        customer=camille, contract=flat, claim=Claim.objects.for_customer(camille).open().first(),
        draft=claim_services.draft_start(customer=camille), simulation=simulation,
        document=Document.objects.for_customer(camille).first(),
        notification=Notification.objects.for_customer(camille).first(), staff=staff)

    pages: dict[str, str] = {}

    def read(who_client, url, who):
        response = who_client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        pages[url] = visible_text(response.content.decode())
        readings.append(Reading(f"{who} {url}", pages[url]))

    customer_urls = [url for _name, url in customer_pages(world)]
    for contract in Contract.objects.for_customer(camille):
        customer_urls += [f"/contrats/{contract.number}/{page}" for page in ("", "conditions/", "comparer/", "avenants/")]
    customer_urls += [f"/sinistres/{c.number}/" for c in Claim.objects.for_customer(camille)]
    for url in dict.fromkeys(customer_urls):
        read(client, url, "client")
    back = staff_client(staff)
    staff_urls = [url for _name, url in staff_pages(world)]
    staff_urls += [f"/backoffice/sinistres/{c.number}/" for c in Claim.objects.for_customer(camille)]
    staff_urls += [f"/backoffice/contrats/{c.number}/" for c in Contract.objects.for_customer(camille)]
    for url in dict.fromkeys(staff_urls):
        read(back, url, "personnel")

    pdfs = {}
    for document in Document.objects.for_customer(camille).exclude(kind="general_conditions"):
        if not document.file or document.mime_type != "application/pdf":
            continue
        with document.file.open("rb") as handle:
            pdfs[f"{document.title} #{document.pk}"] = pdf_text(handle.read())
        readings.append(Reading(f"PDF « {document.title} »", pdfs[f"{document.title} #{document.pk}"]))
    for message in OutboxMessage.objects.all():
        readings.append(Reading(f"{message.channel} « {message.subject} »",
                                f"{message.subject} {message.body} {visible_text(message.html_body or '')}"))
    return Journey(readings=readings, customer=camille, pages=pages, pdfs=pdfs)
