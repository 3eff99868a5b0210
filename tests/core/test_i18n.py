"""English translation: the language selector switches the portal to English; French stays the default."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.claims.factories import make_claim

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")


def _english_client(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/connexion/"})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_login_page_is_french_by_default(client):
    html = client.get("/connexion/").content.decode()
    assert '<html lang="fr">' in html
    assert '<label for="id_customer_number">Numéro client</label>' in html
    assert '<label for="id_pin">Code secret</label>' in html
    assert "Customer number" not in html


@pytest.mark.django_db
def test_language_selector_switches_login_page_to_english(client):
    html = _english_client(client).get("/connexion/").content.decode()
    assert '<html lang="en">' in html
    assert '<label for="id_customer_number">Customer number</label>' in html
    assert '<label for="id_pin">PIN</label>' in html
    assert ">Sign in</button>" in html
    assert "Numéro client" not in html


@pytest.mark.django_db
def test_accept_language_header_selects_english(client):
    html = client.get("/connexion/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Customer number" in html


@pytest.mark.django_db
def test_wrong_pin_format_error_is_in_english(client, alice):
    _english_client(client)
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": "12"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The PIN has 6 digits." in html or "The PIN has exactly 6 digits." in html
    assert "Le code secret comporte" not in html
    assert "Code secret" not in html


@pytest.mark.django_db
def test_wrong_pin_format_error_stays_french_by_default(client, alice):
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": "12"})
    html = response.content.decode()
    assert (
        "Le code secret comporte 6 chiffres." in html
        or "Le code secret comporte exactement 6 chiffres." in html
    )


@pytest.mark.django_db
def test_dashboard_headings_and_choices_in_english(alice_client, alice, alice_contract):
    make_claim(contract=alice_contract, status="expert_appointed")
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = alice_client.get("/tableau-de-bord/").content.decode()
    assert "Hello Alice" in html
    assert "My current cover" in html
    assert "My open claims" in html
    assert "Loss adjuster appointed" in html  # a model choice label, translated lazily
    assert "Water damage" in html
    assert "Bonjour Alice" not in html and "Mes sinistres en cours" not in html


@pytest.mark.django_db
def test_dashboard_stays_french_without_a_language_choice(alice_client, alice_contract):
    html = alice_client.get("/tableau-de-bord/").content.decode()
    assert "Bonjour Alice" in html and "Hello Alice" not in html


def _po_entries(text: str) -> list[dict]:
    """Tiny .po parser: returns entries with flags, msgid, msgid_plural and msgstr / msgstr[n] values."""
    entries, current, key = [], None, None
    for line in text.splitlines():
        if not line.strip():
            if current:
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key.startswith("msgstr"):
                current["msgstr"][key] += value
            else:
                current[key] += value
        else:
            keyword, _, rest = line.partition(" ")
            key = keyword
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                current["msgstr"][keyword] = value
            else:
                current[keyword] = value
    if current:
        entries.append(current)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_english_po_is_complete_without_fuzzy_entries():
    entries = _po_entries(PO_PATH.read_text(encoding="utf-8"))
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert len(messages) > 1000
    for entry in messages:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert entry["msgstr"] and all(entry["msgstr"].values()), f"untranslated: {entry['msgid']!r}"
        if "msgid_plural" in entry:
            assert set(entry["msgstr"]) == {"msgstr[0]", "msgstr[1]"}, entry["msgid"]
            sources = [entry["msgid"], entry["msgid_plural"]]
            targets = [entry["msgstr"]["msgstr[0]"], entry["msgstr"]["msgstr[1]"]]
        else:
            sources, targets = [entry["msgid"]], [entry["msgstr"]["msgstr"]]
        for source, target in zip(sources, targets, strict=True):
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_compiled_catalogue_is_shipped_and_used():
    assert MO_PATH.exists() and MO_PATH.stat().st_size > 10_000
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("Numéro client") == "Customer number"
        assert translation.gettext("Code secret") == "PIN"
