"""Phone-first shell and the design lift, in a real browser (issue 15, point 9 and « the design lift»).

- at 320 and 390 px no main page scrolls sideways, and the header is one row no taller than 64 px;
- the menu opens and closes with the keyboard (a button with aria-expanded), and without JavaScript too;
- the formula comparison keeps its guarantee column and caption in view at 320 px;
- the bank step's « plus tard » checkbox sits beside its label;
- axe-core finds nothing serious in the light and in the dark colour scheme (contrast included);
- the strict CSP refuses nothing (no inline style in the SVG chart or the icons).
"""

import json
import re

import pytest

from tests.browser.conftest import _new_page, assert_stylesheet_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = ("DEMO0001G", "246810")
CONTRACT = "MRH-2024-000101"
CLAIM = "SIN-2026-010452"
MAIN_PAGES = [
    "/tableau-de-bord/", "/contrats/", f"/contrats/{CONTRACT}/", f"/contrats/{CONTRACT}/comparer/",
    f"/contrats/{CONTRACT}/modifier/", "/sinistres/", f"/sinistres/{CLAIM}/", "/sinistres/declarer/", "/paiements/",
    "/documents/", "/documents/attestations/", "/assistance/", "/notifications/", "/mon-compte/", "/securite/",
]
SCROLL = """() => ({scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect();
      if (!r.width || r.right <= window.innerWidth + 1 || e.closest('.table-scroll, .visually-hidden, [hidden]')) return false;
      for (let a = e; a; a = a.parentElement) { if (getComputedStyle(a).clipPath !== 'none') return false; }
      return true;
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + (typeof e.className === 'string' ? e.className : ''))})"""


def _menu_button(page):
    return page.get_by_role("button", name="Menu", exact=True)


@pytest.mark.parametrize("width", [320, 390])
def test_no_main_page_scrolls_sideways_and_the_header_is_one_short_row(browser, base_url, demo_data, login_as, width):
    context, page = _new_page(browser, viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    login_as(page, base_url, *DEMO)
    problems = {}
    for path in MAIN_PAGES:
        response = page.goto(f"{base_url}{path}")
        assert response.status == 200, path
        assert_stylesheet_loaded(page)
        result = page.evaluate(SCROLL)
        if result["scrollWidth"] > result["innerWidth"] or result["wide"]:
            problems[path] = result
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] <= 64, f"{path}: header {header['height']} px tall at {width} px"
        # The menu is behind its button, the log-out button stays one tap away.
        assert _menu_button(page).is_visible() and not page.locator("#site-menu").is_visible()
        assert page.get_by_role("button", name="Se déconnecter").is_visible()
    # Open, the menu itself fits too.
    _menu_button(page).click()
    result = page.evaluate(SCROLL)
    if result["scrollWidth"] > result["innerWidth"] or result["wide"]:
        problems["menu open"] = result
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
    assert page.csp_violations == [] and page.js_errors == []
    context.close()


def test_menu_opens_and_closes_with_the_keyboard_and_groups_links_by_category(phone_page, base_url, demo_data,
                                                                             login_as, axe_check):
    page = phone_page
    login_as(page, base_url, *DEMO)
    page.goto(f"{base_url}/paiements/")
    button = _menu_button(page)
    assert button.get_attribute("aria-controls") == "site-menu"
    assert button.get_attribute("aria-expanded") == "false"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('aria-controls')") == "site-menu":
            break
    else:
        pytest.fail("« Menu » is not reachable with Tab")
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    menu = page.get_by_role("navigation", name="Menu principal")
    assert menu.is_visible()
    # The focus went into the menu; the categories and their sub-menus are there, the current page marked.
    assert page.evaluate("() => !!document.activeElement.closest('#site-menu')")
    for category, sub in [("Mes contrats", "Attestations"), ("Sinistres", "Déclarer un sinistre"),
                          ("Documents", "Historique des téléchargements"), ("Mon compte", "Sécurité")]:
        assert menu.get_by_role("link", name=category, exact=True).is_visible()
        assert menu.get_by_role("link", name=sub, exact=True).is_visible()
    assert menu.locator("[aria-current=page]").inner_text().strip() == "Paiements"
    axe_check(page)
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-controls')") == "site-menu"
    # A sub-menu link works from the keyboard as well.
    page.keyboard.press("Enter")
    menu.get_by_role("link", name="Déclarer un sinistre").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/sinistres/declarer/")
    assert page.locator("#site-menu [aria-current=page]").text_content().strip() == "Déclarer un sinistre"
    assert page.js_errors == []


def test_menu_works_without_javascript(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, viewport={"width": 390, "height": 844})
    login_as(page, base_url, *DEMO)
    page.close()
    context.close()
    state = None
    # A fresh context with JavaScript off, carrying the logged-in session over.
    context, page = _new_page(browser, viewport={"width": 390, "height": 844})
    login_as(page, base_url, *DEMO)
    state = context.storage_state()
    context.close()
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False,
                                  storage_state=state)
    page = context.new_page()
    page.goto(f"{base_url}/tableau-de-bord/")
    assert not page.locator("#site-menu").is_visible()
    assert not page.locator("button.menu-button").is_visible()  # the button needs the script: hidden without it
    link = page.get_by_role("link", name="Menu", exact=True)
    assert link.is_visible()
    link.click()
    menu = page.get_by_role("navigation", name="Menu principal")
    assert menu.is_visible()
    menu.get_by_role("link", name="Historique des téléchargements").click()
    page.wait_for_url(f"{base_url}/documents/historique/")
    assert page.get_by_role("heading", level=1).count() == 1
    context.close()


def test_comparison_table_at_320_px_keeps_its_caption_and_guarantee_column(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, viewport={"width": 320, "height": 740}, is_mobile=True, has_touch=True)
    login_as(page, base_url, *DEMO)
    page.goto(f"{base_url}/contrats/{CONTRACT}/comparer/")
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 320
    scroller = page.get_by_role("region", name="Garanties et prix de chaque formule")
    assert scroller.get_attribute("tabindex") == "0"  # reachable and scrollable with the keyboard
    caption = page.locator("table.comparison caption")
    assert caption.bounding_box()["x"] + caption.bounding_box()["width"] <= 320
    first_cell = page.locator("table.comparison tbody th[scope=row]").first
    before = first_cell.bounding_box()["x"]
    scroller.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert abs(first_cell.bounding_box()["x"] - before) < 1, "the guarantee column scrolled away"
    assert caption.bounding_box()["x"] >= 0
    assert page.locator("table.comparison td").last.bounding_box()["x"] < 320  # the last formula was reached
    context.close()


def test_bank_step_later_checkbox_sits_beside_its_label(phone_page, base_url, demo_data, login_as):
    page = phone_page
    login_as(page, base_url, *DEMO)
    page.goto(f"{base_url}/sinistres/declarer/")
    page.get_by_role("button", name="Commencer la déclaration").click()
    page.wait_for_url(re.compile(r"/sinistres/declarer/[0-9a-f-]+/\w+/"))
    key = re.search(r"/declarer/([0-9a-f-]+)/", page.url).group(1)
    page.goto(f"{base_url}/sinistres/declarer/{key}/bank/")
    box = page.get_by_role("checkbox", name=re.compile("plus tard")).bounding_box()
    label = page.locator("label", has_text="plus tard").bounding_box()
    assert box["x"] + box["width"] <= label["x"], (box, label)  # the box left of its label
    assert box["y"] < label["y"] + label["height"] and label["y"] < box["y"] + box["height"], (box, label)  # same row
    assert box["width"] >= 20  # a box one can tap


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_pass_axe_in_both_colour_schemes(browser, base_url, demo_data, login_as, axe_check, scheme):
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 800}):
        context, page = _new_page(browser, viewport=viewport, color_scheme=scheme)
        login_as(page, base_url, *DEMO)
        page.csp_violations.clear()
        for path in ("/tableau-de-bord/", f"/contrats/{CONTRACT}/", f"/contrats/{CONTRACT}/comparer/", "/sinistres/",
                     f"/sinistres/{CLAIM}/", "/paiements/", "/documents/", "/mon-compte/"):
            page.goto(f"{base_url}{path}")
            assert page.evaluate("(s) => matchMedia(`(prefers-color-scheme: ${s})`).matches", scheme)
            if path == "/paiements/":
                page.get_by_text("Voir ces chiffres en tableau").click()  # the chart's table too
            axe_check(page)
        if viewport["width"] < 600:
            _menu_button(page).click()
            axe_check(page)  # the open menu, its colours included
        assert page.csp_violations == [], page.csp_violations
        assert page.js_errors == []
        context.close()


def test_dark_scheme_really_changes_the_colours(browser, base_url, demo_data, login_as):
    colours = {}
    for scheme in ("light", "dark"):
        context, page = _new_page(browser, viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        login_as(page, base_url, *DEMO)
        page.goto(f"{base_url}/paiements/")
        colours[scheme] = page.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
            getComputedStyle(document.body).color, getComputedStyle(document.querySelector('.card')).backgroundColor,
            getComputedStyle(document.querySelector('.bar-paid')).fill]""")
        # The icons come from the vendored sprite, drawn (not an empty box).
        icon = page.locator("#site-menu .icon").first
        assert icon.bounding_box()["width"] >= 16
        assert page.evaluate("() => [...document.querySelectorAll('svg use')].every(u => u.getAttribute('href').includes('/static/vendor/icons/lucide-sprite.svg#i-'))")
        context.close()
    assert colours["light"][0] != colours["dark"][0] and colours["light"][1] != colours["dark"][1]
    assert colours["light"][2] != colours["dark"][2] and colours["light"][3] != colours["dark"][3]
