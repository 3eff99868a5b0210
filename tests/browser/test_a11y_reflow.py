"""Reflow (RGAA 10.11, WCAG 1.4.10) and text-only zoom (RGAA 10.4, WCAG 1.4.4): at 320 px nothing scrolls
sideways on « Sécurité »; with the text alone at 200 % nothing leaves the viewport on the conditions and
contract pages (the search field and the contract numbers used to)."""

import json

import pytest

from tests.browser.conftest import _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTRACT = "MRH-2024-000101"

# Elements whose box ends beyond the viewport's right edge (ignoring visually hidden text and the
# content of a box that scrolls on its own, which WCAG allows for data tables).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  document.querySelectorAll('body *').forEach((el) => {
    if (el.closest('.visually-hidden, .skip-link, [hidden]')) return;
    for (let a = el; a; a = a.parentElement) { if (getComputedStyle(a).clipPath !== 'none') return; }
    const scroller = el.parentElement && el.parentElement.closest('.table-scroll');
    if (scroller && getComputedStyle(scroller).overflowX !== 'visible') return;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return;
    if (r.right > width + 1 || r.left < -1) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.left) + '→' + Math.round(r.right) + ' "' + (el.innerText || el.value || el.outerHTML).slice(0, 60) + '"');
    }
  });
  return {scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 15)};
}"""


def _overflow(page):
    return page.evaluate(OVERFLOWING)


def test_security_page_reflows_at_320_px(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, viewport={"width": 320, "height": 640})
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/securite/")
    result = _overflow(page)
    assert result["scrollWidth"] <= 320 and result["out"] == [], json.dumps(result, ensure_ascii=False, indent=1)
    # Each row keeps its header: the stacked cells are labelled.
    assert page.locator("main table td[data-label]").count() >= 3
    context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_text_only_zoom_200_keeps_conditions_and_contract_pages_in_the_viewport(browser, base_url, demo_data,
                                                                                login_as, width):
    context, page = _new_page(browser, viewport={"width": width, "height": 800})
    login_as(page, base_url, "DEMO0001G", "246810")
    problems = {}
    for path in (f"/contrats/{CONTRACT}/conditions/", "/contrats/", f"/contrats/{CONTRACT}/",
                 f"/contrats/{CONTRACT}/modifier/", f"/contrats/{CONTRACT}/avenants/", "/tableau-de-bord/"):
        page.goto(f"{base_url}{path}")
        # Text-only zoom: the root font size doubles (every rem and em with it), pixels stay (CSSOM: the CSP
        # governs style elements and attributes in the markup, not this).
        page.evaluate("() => document.documentElement.style.setProperty('font-size', '200%', 'important')")
        result = _overflow(page)
        if result["scrollWidth"] > width or result["out"]:
            problems[path] = result
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
    context.close()
