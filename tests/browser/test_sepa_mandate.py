"""Choosing direct debit in a real browser: step-up, a wrong IBAN announced next to its field (what was typed
kept), then the mandate signed and only the masked IBAN shown on /paiements/; both pages checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page, axe_check, login_as, newest_sms_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_a_sepa_mandate_in_the_browser(browser, base_url, demo_data):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/paiements/")
    page.get_by_role("link", name="Payer par prélèvement automatique").click()
    page.wait_for_load_state("domcontentloaded")
    if "/securite/confirmation/" in page.url:  # the second factor again, before typing bank details
        page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/paiements/prelevement/"), page.url
    axe_check(page)
    page.get_by_label("IBAN du compte à prélever").fill("FR76 3000 6000 0112 3456 7890 188")
    page.get_by_role("button", name="Signer le mandat").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.title().startswith("Erreur :")
    expect(page.locator("#id_iban-error")).to_contain_text("la clé de contrôle ne correspond pas")
    expect(page.locator(".error-summary")).to_contain_text("Cochez la case d'autorisation")
    expect(page.get_by_label("IBAN du compte à prélever")).to_have_value("FR76 3000 6000 0112 3456 7890 188")
    axe_check(page)
    page.get_by_label("IBAN du compte à prélever").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("J'autorise l'assureur", exact=False).check()
    page.get_by_role("button", name="Signer le mandat").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/paiements/"), page.url
    body = page.inner_text("main")
    assert "FR76 •••• •••• 0189" in body and "3456 7890" not in body
    axe_check(page)
    context.close()
