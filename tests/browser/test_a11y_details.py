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
