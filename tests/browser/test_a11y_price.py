"""The contract change page for screen-reader and keyboard users: a reprice is announced in one short
sentence (RGAA 7.5, WCAG 4.1.3) and the fixed « Nouveau prix » bar never hides the focused control
(WCAG 2.4.11), on a phone and at 200 % zoom."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHANGE = "/contrats/MRH-2024-000101/modifier/"
LIVE_ANCESTOR = "el => !!el.closest('[aria-live], [role=status], [role=alert], [role=log]')"


def test_reprice_announces_only_the_new_price_not_the_whole_panel(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}{CHANGE}")
    panel = page.locator("#price-panel")
    expect(panel).to_contain_text("par an")
    # The panel (~60 words) is no longer a live region: only the status message is.
    assert not panel.evaluate(LIVE_ANCESTOR)
    assert panel.locator("[aria-live], [role=status], [role=alert]").count() == 0
    status = page.get_by_role("status").filter(has_text="prix")
    before = panel.inner_text()
    page.get_by_label("Protection juridique").check()
    expect(panel).not_to_have_text(before)
    expect(status).to_have_text(re.compile(r"^Nouveau prix : [\d\s]+,\d\d\s€ par an, aujourd'hui [\d\s]+,\d\d\s€$"))
    assert len(status.inner_text().split()) <= 14, status.inner_text()
    # Undo: the new price is announced again (the same sentence twice in a row is emptied first).
    page.get_by_label("Protection juridique").uncheck()
    expect(status).to_have_text(re.compile(r"^Nouveau prix : .* par an, aujourd'hui .*€$"))
    assert page.js_errors == [] and page.csp_violations == []
    context.close()


def _focused_hidden_by_bar(page) -> list[str]:
    """Tab through the whole change form; the focused controls that the fixed bar covers, even in part."""
    page.locator("#id_formula").focus()
    covered, seen = [], 0
    while seen < 40:
        seen += 1
        result = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || !el.closest('#change-form, #price-panel')) return null;
            const bar = document.querySelector('.price-mini');
            const r = el.getBoundingClientRect();
            const name = (el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent || el.name).trim();
            if (!bar || getComputedStyle(bar).position !== 'fixed' || !bar.offsetHeight) return {name, covered: false};
            const b = bar.getBoundingClientRect();
            const overlap = r.bottom > b.top && r.top < b.bottom && r.right > b.left && r.left < b.right;
            return {name, covered: overlap};
        }""")
        if result is None:
            break
        if result["covered"]:
            covered.append(result["name"])
        page.keyboard.press("Tab")
    return covered


@pytest.mark.parametrize("viewport", ["phone", "zoom200"])
def test_fixed_price_bar_never_hides_the_focused_option(browser, base_url, demo_data, login_as, viewport):
    options = PHONE if viewport == "phone" else {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
    context, page = _new_page(browser, **options)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}{CHANGE}")
    expect(page.locator("#price-panel")).to_contain_text("par an")
    assert page.locator(".price-mini").count() == 1
    assert _focused_hidden_by_bar(page) == []
    context.close()
