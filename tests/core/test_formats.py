"""Issue 15 point 3: one money format and one date format, French and English (abri.core.formats)."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils.translation import override

from abri.core.formats import clock, day, when
from abri.core.money import format_eur

PARIS = ZoneInfo("Europe/Paris")
MORNING = datetime(2026, 11, 30, 6, 30, tzinfo=ZoneInfo("UTC"))  # 07 h 30 in Paris


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["529,35\u00a0€", "1\u202f234\u202f567,80\u00a0€", "-18,93\u00a0€",
            "30 novembre 2026", "1er décembre 2026", "30 novembre 2026 à 07 h 30", "07 h 30"]),
    ("en", ["€529.35", "€1,234,567.80", "-€18.93",
            "30 November 2026", "1 December 2026", "30 November 2026 at 07:30", "07:30"]),
])
def test_money_and_dates_in_each_language(language, expected):
    with override(language):
        written = [format_eur(Decimal("529.35")), format_eur(Decimal("1234567.8")), format_eur(Decimal("-18.93")),
                   day(date(2026, 11, 30)), day(date(2026, 12, 1)), when(MORNING), clock(time(7, 30))]
    assert written == expected


def test_template_filters_write_the_same_words():
    template = Template('{{ amount|eur }} | {{ moment|when }} | {{ moment|day }} | {{ draft_time|clock }} | '
                        '{{ moment|when:"s" }} | {{ moment|date:"DATETIME_FORMAT" }}')
    context = Context({"amount": Decimal("529.35"), "moment": MORNING, "draft_time": "07:30"})
    with override("fr"):
        assert template.render(context) == ("529,35\u00a0€ | 30 novembre 2026 à 07 h 30 | 30 novembre 2026 | 07 h 30 | "
                                            "30 novembre 2026 à 07 h 30 min 00 s | 30 novembre 2026 à 07 h 30")
    with override("en"):
        assert template.render(context) == ("€529.35 | 30 November 2026 at 07:30 | 30 November 2026 | 07:30 | "
                                            "30 November 2026 at 07:30:00 | 30 November 2026, 07:30")


def test_a_pdf_stays_french_under_an_english_interface():
    with override("en"):
        assert when(MORNING, language="fr") == "30 novembre 2026 à 07 h 30"
        assert format_eur(Decimal("228.63"), language="fr") == "228,63\u00a0€"


def test_the_label_filter_shows_labels_never_codes():
    template = Template('{{ options|label:"option" }} | {{ formula|label:"formula" }} | {{ flag|label:"risk_flag" }} | '
                        '{{ source|label:"water_source" }} | {{ yes|label:"circumstance" }} | '
                        '{{ action|label:"audit_action" }} | {{ model|label:"model" }} | {{ cat|label:"item_category" }}')
    with override("fr"):
        text = template.render(Context({
            "options": ["valuables", "legal"], "formula": "integrale", "flag": "frequent_claims", "source": "leak",
            "yes": True, "action": "certificate.issued", "model": "certificates.certificate", "cat": "furniture"}))
    assert text == ("Objets de valeur, Protection juridique | Intégrale | sinistres fréquents | Fuite d'une canalisation | "
                    "Oui | Attestation délivrée | attestation | Mobilier").replace("'", "&#x27;")  # escaped like any text


@pytest.mark.django_db
def test_pages_write_amounts_and_dates_in_the_interface_language(alice, alice_contract):
    """The same contract page in French and in English: « 1 234,56 € » / « €1,234.56 », dates in words."""
    import re

    from tests.conftest import logged_in_client
    from tests.core.journey_text import visible_text

    client = logged_in_client(alice)
    french = visible_text(client.get(f"/contrats/{alice_contract.number}/").content.decode())
    client.cookies["django_language"] = "en"
    english = visible_text(client.get(f"/contrats/{alice_contract.number}/").content.decode())
    assert re.search(r"\d,\d{2} €", french) and not re.search(r"€\d", french)
    assert re.search(r"€\d[\d,]*\.\d{2}", english) and not re.search(r"\d,\d{2} €", english)
    due = alice_contract.main_due_date
    assert day(due, language="fr") in french
    with override("en"):
        assert day(due) in english
