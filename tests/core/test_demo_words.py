"""Issue 15 points 2 and 3: nothing in the demo journey shows a person an internal code, an English identifier
or a non-French format — pages of the portal and the back-office, PDFs, e-mails and SMS."""

import re

import pytest

from abri.core.models import AuditLog
from tests.core.journey_text import Reading, demo_journey, problems, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000
    return demo_journey(capture_on_commit=django_capture_on_commit_callbacks)


def test_demo_journey_shows_labels_and_french_formats_only(journey):
    sources = {reading.source.split(" ")[0] for reading in journey.readings}
    assert {"client", "personnel", "PDF", "email", "sms"} <= sources, sources
    assert len(journey.pages) > 40 and len(journey.pdfs) > 20
    findings = problems(journey.readings, audit_actions=AuditLog.objects.values_list("action", flat=True))
    assert not findings, f"{len(findings)} problems:\n{report(findings)}"



def test_a_numeric_date_is_flagged_for_customers_not_in_back_office_tables():
    """« 01/03/2027 » must not come back in what a customer reads; a dense back-office table may keep it."""
    readings = [Reading("client /paiements/", "Cotisation mensuelle — échéance du 05/12/2026 : 19,05 €"),
                Reading("email « Avenant »", "Montant dû jusqu'à l'échéance du 1/3/2027."),
                Reading("PDF « Attestation »", "valable du 1er mars 2027 au 28 février 2028"),
                Reading("personnel /backoffice/clients/1/", "05/12/2026 MRH-2024-000101 19,05 €")]
    found = [(f.source, f.kind) for f in problems(readings)]
    assert [source for source, _kind in found] == ["client /paiements/", "email « Avenant »"], found
    assert all(kind.startswith("date en chiffres") for _source, kind in found)


# --- Issue 15 point 7: the demo tells one story (one source for each fact, the same on every page and PDF) ---

DAY = r"\d{1,2}(?:er)? \w+ \d{4}"
MOMENT = DAY + r" à \d{2} h \d{2}"
AMOUNT = r"\d{1,3}(?: \d{3})*,\d{2} €"  # visible text: every space, no-break or not, is " "


def _one(pattern, text, what):
    found = set(re.findall(pattern, text))
    assert len(found) == 1, f"{what}: {found or 'absent'}"
    return found.pop()


def test_demo_facts_agree_across_pages_and_pdfs(journey):
    pages = journey.pages
    for number in ("SIN-2024-004211", "SIN-2024-007803", "SIN-2025-001377", "SIN-2026-010452"):
        page = pages[f"/sinistres/{number}/"]
        declared = _one(rf"Déclaré le ({MOMENT})", page, f"{number} déclaré le")
        received = _one(rf"Déclaration reçue — ({MOMENT})", page, f"{number} reçu le")
        assert declared == received, (number, declared, received)
    # The expert: the claim's timeline and the notification that announced it give the same moment.
    expert_step = _one(rf"Expert missionné — ({MOMENT})", pages["/sinistres/SIN-2026-010452/"], "expert")
    notified = _one(rf"Un expert a été missionné pour votre sinistre SIN-2026-010452 (?:non lu )?({MOMENT})",
                    pages["/notifications/"], "notification de l'expert")
    assert expert_step == notified
    # Valuables: the cover table of the contract page, the particular conditions and their ceiling agree.
    for number in ("MRH-2024-000101", "MRH-2023-000102"):
        cover = _one(rf"Objets de valeur option ({AMOUNT})", pages[f"/contrats/{number}/"], f"{number} tableau")
        conditions = pages[f"/contrats/{number}/conditions/"]
        capital = _one(rf"Objets de valeur ({AMOUNT}) Échéance", conditions, f"{number} conditions particulières")
        ceiling = _one(rf"Objets de valeur — plafond ({AMOUNT})", conditions, f"{number} plafond")
        assert cover == capital == ceiling, (number, cover, capital, ceiling)
    # A quarterly receipt says what the schedule debited in those three months (three monthly debits).
    from abri.billing.models import ScheduleItem

    # (The Factur-X receipts « Quittance de cotisation n° FA-… » are one instalment each: checked in
    # tests/billing/test_invoices.py; the demo's quarterly receipts are these.)
    receipts = {title: text for title, text in journey.pdfs.items()
                if title.startswith("Quittance") and " n° FA-" not in title}
    assert len(receipts) == 16
    for title, text in receipts.items():
        number = re.search(r"MRH-\d{4}-\d{6}", title).group(0)
        debits = set(ScheduleItem.objects.filter(contract__number=number, status="paid").values_list("amount", flat=True))
        assert len(debits) == 1, (number, debits)
        paid = _one(rf"montant réglé ({AMOUNT})", text, title)
        assert parse_eur(paid) == debits.pop() * 3, (title, paid)


def parse_eur(text: str):
    from decimal import Decimal

    return Decimal(re.sub(r"[\s€]", "", text).replace(",", "."))
