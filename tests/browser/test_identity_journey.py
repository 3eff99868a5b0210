"""Identity journey in a real browser: activation, new-device SMS code, trusted device, idle warning."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_stylesheet_loaded, newest_sms_code

NEW_PIN = "582017"


@pytest.fixture
def inactive_customer(transactional_db):
    """A customer who has a contract but never activated the online space."""
    from tests.accounts.factories import CustomerFactory
    from tests.contracts.factories import make_contract

    customer = CustomerFactory(first_name="Léa", last_name="Roux", phone="+33611223344")
    customer.user.set_unusable_password()
    customer.user.save()
    contract = make_contract(customer=customer)
    return customer, contract


def _logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/connexion/" in page.url


def test_activation_then_new_device_sms_then_trusted_device(browser, base_url, inactive_customer, axe_check):
    customer, contract = inactive_customer
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. Activation: identity check → SMS code (read from the demo outbox) → choose a PIN.
    page.goto(f"{base_url}/activation/")
    assert_stylesheet_loaded(page)
    axe_check(page)
    page.get_by_label("Numéro client").fill(customer.customer_number.lower())
    page.get_by_label("Numéro de contrat").fill(contract.number)
    page.get_by_label("Date de naissance").fill(customer.birth_date.strftime("%d/%m/%Y"))
    page.get_by_label(re.compile("Par SMS")).check()
    page.get_by_role("button", name="Recevoir mon code").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("Code de vérification").fill(newest_sms_code(base_url, to=customer.phone))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("domcontentloaded")
    axe_check(page)
    page.get_by_label("Nouveau code secret").fill("123456")  # trivial: refused beside the field
    page.get_by_label("Confirmez le code secret").fill("123456")
    page.get_by_role("button", name="Activer mon espace client").click()
    page.wait_for_load_state("domcontentloaded")
    assert "trop simple" in page.inner_text("main")
    page.get_by_label("Nouveau code secret").fill(NEW_PIN)
    page.get_by_label("Confirmez le code secret").fill(NEW_PIN)
    page.get_by_role("button", name="Activer mon espace client").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/activation/terminee/")
    assert "Votre espace client est activé" in page.inner_text("h1")
    axe_check(page)
    _logout(page)
    context.close()

    # 2. A device never seen before: PIN, then the SMS code; the customer trusts this device.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base_url}/connexion/")
    axe_check(page)
    page.get_by_label("Numéro client").fill(customer.customer_number)
    page.get_by_label("Code secret").fill(NEW_PIN)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/connexion/verification/")
    axe_check(page)
    page.get_by_label("Code de vérification").fill(newest_sms_code(base_url, to=customer.phone))
    page.get_by_label(re.compile("Faire confiance à cet appareil")).check()
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/tableau-de-bord/")
    page.goto(f"{base_url}/securite/")
    assert "Appareils de confiance" in page.inner_text("main")
    axe_check(page)
    _logout(page)

    # 3. Same device, trusted: no code asked.
    page.get_by_label("Numéro client").fill(customer.customer_number)
    page.get_by_label("Code secret").fill(NEW_PIN)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/tableau-de-bord/"), page.url
    assert not errors, errors
    context.close()


def test_pin_toggle_and_keyboard_only_login(page, base_url, demo_data):
    page.goto(f"{base_url}/connexion/")
    page.keyboard.press("Tab")  # skip link
    page.get_by_label("Numéro client").focus()
    page.keyboard.type("demo 0001 g")
    page.keyboard.press("Tab")
    page.keyboard.type("246810")
    pin = page.get_by_label("Code secret")
    assert pin.get_attribute("type") == "password"
    toggle = page.get_by_role("button", name="Afficher le code secret")
    toggle.click()
    assert pin.get_attribute("type") == "text"
    assert page.get_by_role("button", name="Masquer le code secret").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Masquer le code secret").click()
    assert pin.get_attribute("type") == "password"
    pin.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/connexion/verification/"), page.inner_text("main")[:500]
    assert not page.js_errors and not page.csp_violations


def test_idle_warning_offers_to_stay_connected(page, base_url, demo_data, settings, login_as):
    settings.ABRI_SESSION_IDLE_SECONDS = 8  # the warning appears min(120 s, idle/2) before the end
    login_as(page, base_url, "DEMO0001G", "246810")
    warning = page.get_by_role("region", name="Votre session va expirer")
    warning.wait_for(state="visible", timeout=15_000)
    stay = page.get_by_role("button", name="Rester connecté")
    assert stay.evaluate("el => el === document.activeElement")
    stay.click()
    warning.wait_for(state="hidden", timeout=5_000)
    assert "/tableau-de-bord/" in page.url
    assert not page.js_errors and not page.csp_violations
