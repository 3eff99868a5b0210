"""A failed form, as a keyboard or screen-reader user meets it (RGAA 11.10, WCAG 3.3.1 and 2.4.3).

After an empty submit on every form of the customer journeys, focus is on the error summary, the page
title starts with « Erreur : », and every link of the summary takes focus to its field — the first
option of a radio group included (Django gives groups no id, so such links used to be « # »).
"""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, _new_page, newest_sms_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRACT = "MRH-2024-000101"


def _pass_step_up(page, base_url):
    if "/securite/confirmation/" in page.url:
        page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")


def _assert_failed_submit_is_announced(page, where: str) -> int:
    """Focus on the summary, « Erreur : » title, each link focuses an input. Returns the number of links."""
    summary = page.locator(".error-summary").first
    expect(summary, f"{where}: no error summary after an empty submit").to_be_visible()
    # A summary swapped in by htmx is focused once the swap settles (a few ms after it shows): wait for it.
    script = "() => !!document.activeElement && document.activeElement.classList.contains('error-summary')"
    try:
        page.wait_for_function(script, timeout=5000)
    except PlaywrightTimeoutError:
        pass
    focused_is_summary = page.evaluate(script)
    assert focused_is_summary, f"{where}: focus is on {page.evaluate('() => document.activeElement.tagName')}"
    assert page.title().startswith("Erreur :"), f"{where}: title is {page.title()!r}"
    links = summary.locator("a")
    count = links.count()
    for index in range(count):
        href = links.nth(index).get_attribute("href")
        assert href and href != "#" and href.startswith("#"), f"{where}: summary link {index} goes to {href!r}"
        links.nth(index).click()
        focused = page.evaluate("() => [document.activeElement.id, document.activeElement.tagName]")
        assert focused[0] == href[1:], f"{where}: link {href} focused {focused}"
        assert focused[1] in ("INPUT", "SELECT", "TEXTAREA"), f"{where}: link {href} focused a {focused[1]}"
        summary.focus()
    return count


def _submit(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state("domcontentloaded")


def test_public_forms_focus_their_error_summary(browser, base_url, demo_data):
    context, page = _new_page(browser, **PHONE)
    page.goto(f"{base_url}/connexion/")
    _submit(page, "Se connecter")
    assert _assert_failed_submit_is_announced(page, "/connexion/") >= 1
    page.goto(f"{base_url}/verifier/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    _assert_failed_submit_is_announced(page, "/verifier/")
    context.close()


def test_sms_code_error_is_focused_and_in_the_title(browser, base_url, demo_data):
    context, page = _new_page(browser, **DESKTOP)
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Numéro client").fill("DEMO0001G")
    page.get_by_label("Code secret").fill("246810")
    _submit(page, "Se connecter")
    page.get_by_label("Code de vérification").fill("000000")
    _submit(page, "Valider")
    _assert_failed_submit_is_announced(page, "code SMS")
    context.close()


def test_customer_forms_and_every_claim_step_focus_their_error_summary(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **PHONE)
    login_as(page, base_url, "DEMO0001G", "246810")

    # Certificates: the type is a radio group.
    page.goto(f"{base_url}/documents/attestations/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    _assert_failed_submit_is_announced(page, "attestations")

    # Termination: the reason is a radio group.
    page.goto(f"{base_url}/contrats/{CONTRACT}/resilier/")
    _pass_step_up(page, base_url)
    _submit(page, "Continuer")
    assert _assert_failed_submit_is_announced(page, "résiliation") >= 1

    # Moving house.
    page.goto(f"{base_url}/contrats/{CONTRACT}/demenagement/")
    _pass_step_up(page, base_url)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    _assert_failed_submit_is_announced(page, "déménagement")

    # Contact details and PIN change (step-up first).
    page.goto(f"{base_url}/mon-compte/coordonnees/")
    _pass_step_up(page, base_url)
    page.locator("main form input[type=email], main form input[type=tel]").first.fill("")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    _assert_failed_submit_is_announced(page, "coordonnées")
    page.goto(f"{base_url}/securite/code-secret/")
    _pass_step_up(page, base_url)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")
    _assert_failed_submit_is_announced(page, "code secret")

    # The claim wizard: each step submitted empty, then filled to reach the next.
    page.goto(f"{base_url}/sinistres/declarer/")
    page.get_by_role("button", name="Commencer la déclaration").click()
    page.wait_for_load_state("domcontentloaded")
    _submit(page, "Continuer")  # « Quel logement ? »
    _assert_failed_submit_is_announced(page, "étape logement")
    page.get_by_label(re.compile("Lyon")).check()
    _submit(page, "Continuer")
    _submit(page, "Continuer")  # « Que s'est-il passé ? »
    _assert_failed_submit_is_announced(page, "étape événement")
    page.get_by_label("Dégât des eaux").check()
    _submit(page, "Continuer")
    page.locator("input[name=location_mode][value=typed]").check()
    _submit(page, "Continuer")  # no date, no address
    assert _assert_failed_submit_is_announced(page, "étape quand et où") >= 2
    page.get_by_label("Date du sinistre").fill("2026-11-30")
    page.locator("input[name=location_mode][value=home]").check()
    _submit(page, "Continuer")
    _submit(page, "Continuer")  # « Circonstances » without a description
    _assert_failed_submit_is_announced(page, "étape circonstances")
    page.get_by_label("Décrivez ce qui s'est passé").fill("Fuite sous l'évier.")
    _submit(page, "Continuer")
    # Items and third parties may be left empty: an empty submit moves on without an error.
    for step in ("biens", "tiers"):
        _submit(page, "Continuer")
        assert page.locator(".error-summary").count() == 0, step
    _submit(page, "Continuer")  # « Indemnisation »: an IBAN or « plus tard »
    _assert_failed_submit_is_announced(page, "étape indemnisation")
    context.close()
