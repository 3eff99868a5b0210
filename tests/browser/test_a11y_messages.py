"""Messages after a redirect, as a screen-reader user meets them (RGAA 7.5, WCAG 4.1.3): the message is in the
page title and has the focus; issuing a certificate says so and refreshes the list without a reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FOCUSED_TEXT = "() => (document.activeElement && document.activeElement.innerText || '').trim()"


def _assert_message_announced(page, text: str) -> None:
    expect(page.locator(".flash").first).to_contain_text(text)
    assert text in page.title(), f"title is {page.title()!r}"
    assert text in page.evaluate(FOCUSED_TEXT), f"focus is on {page.evaluate(FOCUSED_TEXT)[:80]!r}"


def test_message_after_a_redirect_is_focused_and_in_the_title(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/contrats/MRH-2024-000101/modifier/")
    page.get_by_label("Protection juridique").check()
    panel = page.locator("#price-panel")
    panel.get_by_label("Nom de la simulation").fill("Avec protection juridique")
    panel.get_by_role("button", name="Enregistrer comme simulation").click()
    page.wait_for_load_state("domcontentloaded")
    _assert_message_announced(page, "Simulation enregistrée.")

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("domcontentloaded")
    _assert_message_announced(page, "Vous êtes déconnecté.")
    assert page.js_errors == [] and page.csp_violations == []
    context.close()


def test_new_code_sent_message_is_focused_and_in_the_title(browser, base_url, demo_data, monkeypatch):
    monkeypatch.setattr("abri.accounts.services.OTP_RESEND_MIN_SECONDS", 0)  # no wait between two codes here
    context, page = _new_page(browser, **DESKTOP)
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Numéro client").fill("DEMO0001G")
    page.get_by_label("Code secret").fill("246810")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("button", name=re.compile("nouveau code", re.I)).click()
    page.wait_for_load_state("domcontentloaded")
    _assert_message_announced(page, "Un nouveau code vous a été envoyé.")
    context.close()


def test_issuing_a_certificate_says_so_and_updates_the_list_without_reload(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, accept_downloads=True, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/documents/attestations/")
    page.evaluate("() => { window.__notReloaded = true; }")
    rows_before = page.locator("#issued tbody tr").count()
    # The landlord's certificate is for the tenant's flat (the house is owner-occupied: not offered for it).
    contract = page.get_by_label("Contrat", exact=True)
    if contract.count() and contract.first.evaluate("e => e.tagName") == "SELECT":
        contract.select_option("MRH-2024-000101")
    else:
        page.get_by_label(re.compile("MRH-2024-000101")).check()
    page.get_by_label(re.compile("Attestation locative")).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Générer et télécharger l'attestation").click()
    assert download.value.suggested_filename.startswith("attestation-")
    number = download.value.suggested_filename.removeprefix("attestation-").removesuffix(".pdf")
    status = page.get_by_role("status").filter(has_text="délivrée")
    expect(status).to_have_text(re.compile(rf"Attestation {re.escape(number)} délivrée"))
    expect(page.locator("#issued tbody tr")).to_have_count(rows_before + 1 if rows_before else 1)
    expect(page.locator("#issued tbody tr").first).to_contain_text(number)
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.js_errors == [] and page.csp_violations == []
    context.close()
