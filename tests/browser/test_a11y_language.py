"""Language of parts (RGAA 8.7): with the English interface, what exists only in French (general conditions,
document titles, the pricing advice) is marked lang="fr"; and a French page never shows a raw code
(« Options : legal, garden ») where a person expects a label."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page, newest_sms_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTRACT = "MRH-2024-000101"
# The language each element is read in: its closest lang attribute.
LANG_OF = "el => el.closest('[lang]').getAttribute('lang')"


def _switch_to_english(page):
    page.get_by_label("Langue").select_option("en")
    page.locator("footer .lang-form button").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"


def test_french_content_is_marked_french_in_the_english_interface(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/contrats/{CONTRACT}/conditions/")
    _switch_to_english(page)
    articles = page.locator("section.article")
    assert articles.count() >= 5
    assert set(articles.evaluate_all("els => els.map(e => e.closest('[lang]').getAttribute('lang'))")) == {"fr"}
    toc = page.locator("ol.toc a")
    assert set(toc.evaluate_all("els => els.map(e => e.closest('[lang]').getAttribute('lang'))")) == {"fr"}
    assert page.locator("dl.definitions").evaluate(LANG_OF) == "fr"
    # The interface's own words inside a French block stay in the interface's language.
    badges = page.locator("section.article .badge")
    if badges.count():
        assert badges.first.evaluate(LANG_OF) == "en"

    page.goto(f"{base_url}/documents/")
    titles = page.locator(".document-hit h3")
    assert titles.count() >= 1
    assert set(titles.evaluate_all("els => els.map(e => e.closest('[lang]').getAttribute('lang'))")) == {"fr"}
    page.goto(f"{base_url}/tableau-de-bord/")
    doc_links = page.locator("a[href^='/documents/'][href*='telecharger'], a[href*='/documents/'][href$='/']")
    for index in range(doc_links.count()):
        link = doc_links.nth(index)
        if re.search(r"(Avenant|Attestation|Avis|Conditions|Quittance|Accusé)", link.inner_text()):
            assert link.evaluate(LANG_OF) == "fr", link.inner_text()

    page.goto(f"{base_url}/contrats/{CONTRACT}/modifier/")
    advice = page.locator("#price-panel li").filter(has_text=re.compile(r"\b(vous|votre|vos)\b"))
    assert advice.count() >= 1
    assert set(advice.evaluate_all("els => els.map(e => e.closest('[lang]').getAttribute('lang'))")) == {"fr"}
    context.close()


def test_amendment_page_shows_option_and_formula_labels_not_codes(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/contrats/{CONTRACT}/modifier/")
    page.get_by_label("Formule").select_option("confort")
    page.get_by_label("Protection juridique").check()
    page.get_by_role("checkbox", name="Objets de valeur").check()
    panel = page.locator("#price-panel")
    expect(panel.get_by_role("button", name="Souscrire cette modification")).to_be_visible()
    expect(panel).to_contain_text("Protection juridique")
    panel.get_by_role("button", name="Souscrire cette modification").click()
    page.wait_for_load_state("domcontentloaded")
    if "/securite/confirmation/" in page.url:
        page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez et signez votre avenant")
    summary = page.locator("section[aria-labelledby=sum-title] dl").inner_text()
    assert "Confort" in summary and "Protection juridique" in summary and "Objets de valeur" in summary, summary
    for code in ("legal", "confort", "valuables"):
        assert not re.search(rf"\b{code}\b", summary), (code, summary)
    context.close()
