"""Contract changes in a real browser: change an option → the price updates → save a simulation → compare →
accept with step-up (SMS code) → the signed amendment is in the documents; axe-core on each page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page, newest_sms_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTRACT = "MRH-2024-000101"


def test_change_simulate_compare_and_sign(browser, base_url, demo_data, login_as, axe_check):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/contrats/{CONTRACT}/")
    axe_check(page)
    page.get_by_role("link", name="Modifier mon contrat").click()
    panel = page.locator("#price-panel")
    expect(panel).to_contain_text("par an")
    axe_check(page)
    before = panel.inner_text()
    page.get_by_label("Protection juridique").check()
    expect(panel).not_to_have_text(before)  # repriced without reloading
    expect(panel).to_contain_text("Protection juridique")
    panel.get_by_label("Nom de la simulation").fill("Avec protection juridique")
    panel.get_by_role("button", name="Enregistrer comme simulation").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/simulations/" in page.url
    axe_check(page)

    page.goto(f"{base_url}/contrats/{CONTRACT}/modifier/")
    page.get_by_label("Formule").select_option("integrale")
    page.get_by_label("Franchise").select_option("0")
    expect(panel).to_contain_text("Assistance")
    panel.get_by_label("Nom de la simulation").fill("Intégrale sans franchise")
    panel.get_by_role("button", name="Enregistrer comme simulation").click()
    page.wait_for_load_state("domcontentloaded")

    page.get_by_label(re.compile("Avec protection juridique")).check()
    page.get_by_label(re.compile("Intégrale sans franchise")).check()
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_role("heading", name="Comparaison")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=re.compile("Souscrire.*Avec protection juridique")).click()
    page.wait_for_load_state("domcontentloaded")
    # Step-up: the SMS code passed at login is still fresh (5 minutes); otherwise the code is asked again.
    if "/securite/confirmation/" in page.url:
        axe_check(page)
        page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez et signez votre avenant")
    axe_check(page)
    page.get_by_role("button", name="Signer l'avenant").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/contrats/{CONTRACT}/avenants/")
    expect(page.locator("main")).to_contain_text("AVT-")
    axe_check(page)
    page.goto(f"{base_url}/documents/")
    expect(page.locator("main")).to_contain_text("Avenant AVT-")
    page.goto(f"{base_url}/contrats/{CONTRACT}/")
    expect(page.locator("main")).to_contain_text("Protection juridique")
    assert page.js_errors == [] and page.csp_violations == []
    context.close()


def test_termination_in_three_clicks_in_the_browser(browser, base_url, demo_data, login_as, axe_check):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/contrats/{CONTRACT}/")
    page.get_by_role("link", name="Résilier votre contrat").click()
    if "/securite/confirmation/" in page.url:
        page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
    axe_check(page)
    page.get_by_label("Après un an de contrat (loi Hamon)").check()
    page.get_by_role("button", name="Continuer").click()  # 1
    page.wait_for_load_state("domcontentloaded")
    axe_check(page)
    expect(page.get_by_label("Loi Hamon, après un an de contrat (la plus proche)")).to_be_checked()
    # A tenant's Hamon termination: the new insurer keeps the compulsory cover going (L113-15-2).
    page.get_by_label("Nom de votre nouvel assureur").fill("Mutuelle du Rhône")
    page.get_by_label("Numéro de votre nouveau contrat").fill("MR-778812")
    page.get_by_role("button", name="Confirmer ma demande de résiliation").click()  # 2
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande de résiliation est enregistrée")
    axe_check(page)
    assert page.js_errors == [] and page.csp_violations == []
    context.close()
