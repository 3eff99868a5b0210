"""The customer shell in a real browser: dashboard, main menu by keyboard, every menu page accessible,
on a phone-sized and a desktop viewport, and nothing wider than a 320 px screen."""

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE, _new_page, assert_stylesheet_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO = ("DEMO0001G", "246810")
SECTIONS = ["Mes garanties en cours", "Prochains paiements", "Mes sinistres en cours", "Derniers documents",
            "Derniers messages"]
MENU = [
    ("Mes contrats", "/contrats/"),
    ("Sinistres", "/sinistres/"),
    ("Paiements", "/paiements/"),
    ("Documents", "/documents/"),
    ("Assistance", "/assistance/"),
    ("Mon compte", "/mon-compte/"),
]


def _menu(page):
    return page.get_by_role("navigation", name="Menu principal")


def _open_menu(page):
    """On a phone the menu sits behind the « Menu » button of the header; on a desktop it is always shown."""
    button = page.get_by_role("button", name="Menu", exact=True)
    if button.is_visible() and button.get_attribute("aria-expanded") == "false":
        button.click()


def _assert_no_horizontal_scroll(page, width):
    overflow = page.evaluate(
        """(w) => {
            const doc = document.documentElement;
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1 && getComputedStyle(e).position !== 'absolute'
                             && !e.closest('.table-scroll'))
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
            return {scrollWidth: doc.scrollWidth, wide};
        }""",
        width,
    )
    assert overflow["scrollWidth"] <= width, f"{page.url} scrolls sideways at {width}px: {overflow}"


def test_dashboard_shows_every_section(any_page, base_url, demo_data, login_as, axe_check):
    page = any_page
    login_as(page, base_url, *DEMO)
    assert page.url == f"{base_url}/tableau-de-bord/"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    assert_stylesheet_loaded(page)
    for title in SECTIONS:
        section = page.get_by_role("region", name=re.compile(f"^{title}"))
        assert section.count() == 1, f"section « {title} » missing"
        assert section.is_visible()
    # The demo customer has contracts and payments to show, not empty widgets.
    assert page.get_by_role("region", name="Mes garanties en cours").get_by_role("link").count() >= 1
    assert page.get_by_role("region", name="Prochains paiements").locator(".amount").count() >= 1
    axe_check(page)
    assert page.js_errors == []


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(any_page, base_url, demo_data, login_as):
    page = any_page
    login_as(page, base_url, *DEMO)
    page.goto(f"{base_url}/tableau-de-bord/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert focused == ["Aller au contenu", "#contenu"]
    # Once focused it is visible on screen (not left off-screen).
    box = page.locator(".skip-link").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"
    # The next Tab stop is inside the main content, past the header and the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def test_main_menu_works_with_the_keyboard_alone(any_page, base_url, demo_data, login_as):
    page = any_page
    login_as(page, base_url, *DEMO)
    page.goto(f"{base_url}/tableau-de-bord/")
    for name, path in MENU:
        if page.get_by_role("button", name="Menu", exact=True).is_visible():
            # Phone: Tab to the « Menu » button and open it with Enter; the focus moves into the menu.
            for _ in range(10):
                page.keyboard.press("Tab")
                if page.evaluate("() => document.activeElement.getAttribute('aria-controls')") == "site-menu":
                    break
            else:
                pytest.fail("the « Menu » button cannot be reached with Tab")
            page.keyboard.press("Enter")
            assert page.get_by_role("button", name="Menu", exact=True).get_attribute("aria-expanded") == "true"
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.closest('nav') && document.activeElement.textContent.trim()") == name:
                break
        else:
            pytest.fail(f"« {name} » cannot be reached with Tab on {page.url}")
        # The focused item is visibly outlined.
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), f"no visible focus on « {name} »"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}{path}")
        # (On a phone the menu is closed again on the new page: read the hidden menu's markup.)
        current = page.locator("#site-menu [aria-current=page]")
        assert current.text_content().strip() == name


def test_every_menu_page_is_accessible(any_page, base_url, demo_data, login_as, axe_check):
    page = any_page
    login_as(page, base_url, *DEMO)
    page.csp_violations.clear()  # the login pages are checked by the identity journey
    for name, path in [("Tableau de bord", "/tableau-de-bord/"), *MENU]:
        _open_menu(page)
        _menu(page).get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(f"{base_url}{path}")
        assert page.get_by_role("heading", level=1).count() == 1, f"{path}: exactly one h1"
        assert page.title().strip(), f"{path}: no title"
        axe_check(page)
    assert page.js_errors == []
    assert page.csp_violations == []


def test_detail_pages_are_accessible(any_page, base_url, demo_data, login_as, axe_check):
    page = any_page
    login_as(page, base_url, *DEMO)
    page.goto(f"{base_url}/contrats/")
    page.locator("main h2 a").first.click()
    page.wait_for_url(re.compile(r"/contrats/.+"))
    axe_check(page)
    page.goto(f"{base_url}/sinistres/")
    claim_links = page.locator("main a[href^='/sinistres/']").filter(has_not_text="Déclarer")
    if claim_links.count():
        claim_links.first.click()
        page.wait_for_url(re.compile(r"/sinistres/.+"))
        axe_check(page)
    page.goto(f"{base_url}/notifications/")
    axe_check(page)


def test_no_page_scrolls_sideways_on_a_320px_screen(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    try:
        login_as(page, base_url, *DEMO)
        paths = ["/tableau-de-bord/", *[p for _, p in MENU], "/notifications/"]
        page.goto(f"{base_url}/contrats/")
        first_contract = page.locator("main h2 a").first.get_attribute("href")
        paths.append(first_contract)
        for path in paths:
            page.goto(f"{base_url}{path}")
            assert_stylesheet_loaded(page)
            _assert_no_horizontal_scroll(page, 320)
        page.context.clear_cookies()
        page.goto(f"{base_url}/connexion/")
        _assert_no_horizontal_scroll(page, 320)
    finally:
        context.close()


def test_phone_and_desktop_viewports_are_what_they_claim(phone_page, desktop_page):
    assert phone_page.viewport_size == PHONE["viewport"]
    assert phone_page.evaluate("() => 'ontouchstart' in window || navigator.maxTouchPoints > 0")
    assert desktop_page.viewport_size == DESKTOP["viewport"]
