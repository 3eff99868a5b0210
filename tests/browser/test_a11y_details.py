"""Small accessibility promises checked in the real browser: hidden controls stay hidden without
JavaScript, and page titles are plain text."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_controls_that_need_javascript_stay_hidden_without_it(browser, base_url, demo_data):
    """`[hidden]` really hides: `button { display: inline-block }` used to show « Afficher le code secret »
    without JavaScript, a button that then did nothing (RGAA 7.1)."""
    context, page = _new_page(browser, java_script_enabled=False, **DESKTOP)
    page.goto(f"{base_url}/connexion/")
    expect(page.get_by_label("Code secret")).to_be_visible()
    assert page.locator("#pin-toggle").count() == 1
    expect(page.locator("#pin-toggle")).to_be_hidden()
    context.close()
    context, page = _new_page(browser, **DESKTOP)
    page.goto(f"{base_url}/connexion/")
    expect(page.get_by_role("button", name="Afficher le code secret")).to_be_visible()
    context.close()


def test_contract_page_title_is_text_even_with_amendments(browser, base_url, demo_data, login_as):
    """RGAA 8.6: the title of the contract page held the HTML of the amendments list once a contract had one."""
    from abri.contracts.models import Amendment, Contract

    contract = Contract.objects.get(number="MRH-2024-000101")
    if not Amendment.objects.filter(contract=contract).exists():
        Amendment.objects.create(
            customer=contract.customer, contract=contract, number="AVT-2026-TEST01", idempotency_key="a11y-title",
            effective_date=contract.start_date, before={}, after={}, old_total_annual=contract.annual_premium,
            new_total_annual=contract.annual_premium, prorata_amount=0, tariff_version="2026-01")
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/contrats/MRH-2024-000101/")
    title = page.title()
    assert re.fullmatch(r"Contrat MRH-2024-000101 — .+", title), title
    assert "<" not in title and "avenants" not in title.lower()
    context.close()


def test_contact_fields_say_their_purpose(browser, base_url, demo_data, login_as):
    """RGAA 11.13 / WCAG 1.3.5: e-mail, phone, address, postcode and city carry autocomplete."""
    from tests.browser.conftest import newest_sms_code

    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    for path, expected in (("/mon-compte/coordonnees/", {"email": "email", "phone": "tel"}),
                           ("/contrats/MRH-2024-000101/demenagement/",
                            {"address_line": "street-address", "postcode": "postal-code", "city": "address-level2"})):
        page.goto(f"{base_url}{path}")
        if "/securite/confirmation/" in page.url:
            page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
            page.get_by_role("button", name="Valider").click()
            page.wait_for_load_state("domcontentloaded")
        for name, purpose in expected.items():
            assert page.locator(f"[name={name}]").count() == 1, (page.url, page.inner_text("main")[:300])
            assert page.locator(f"[name={name}]").get_attribute("autocomplete") == purpose, (path, name)
    context.close()


def test_wrong_sms_code_is_tied_to_its_field_and_cleared(browser, base_url, demo_data):
    """RGAA 11.10: the error of a wrong code is announced with the field (aria-invalid, aria-describedby)
    and the wrong code is removed, so the next one is not typed after it."""
    context, page = _new_page(browser, **DESKTOP)
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Numéro client").fill("DEMO0001G")
    page.get_by_label("Code secret").fill("246810")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("Code de vérification").fill("000000")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("domcontentloaded")
    field = page.get_by_label("Code de vérification")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    assert "code-error" in described.split()
    assert "incorrect" in page.locator("#code-error").inner_text().lower()
    assert field.input_value() == ""
    # The login error is tied to both fields; the customer number typed is kept.
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Numéro client").fill("DEMO0001G")
    page.get_by_label("Code secret").fill("111111")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    for label in ("Numéro client", "Code secret"):
        assert page.get_by_label(label).get_attribute("aria-invalid") == "true"
        assert "login-error" in (page.get_by_label(label).get_attribute("aria-describedby") or "")
    assert page.get_by_label("Numéro client").input_value() == "DEMO0001G"
    context.close()
