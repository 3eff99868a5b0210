"""The vault in a real browser: search → filter → preview → download → history, each page checked by axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_NUMBER, DEMO_PIN = "DEMO0001G", "246810"


def _search(page, words: str) -> None:
    page.get_by_label("Rechercher dans mes documents").fill(words)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("domcontentloaded")


def test_search_filter_preview_download_and_history(desktop_page, base_url, demo_data, login_as, axe_check):
    page = desktop_page
    login_as(page, base_url, DEMO_NUMBER, DEMO_PIN)
    page.goto(f"{base_url}/documents/")
    assert page.get_by_role("heading", level=1, name="Mes documents").is_visible()
    axe_check(page)

    # Search without accents: « degats des eaux » finds the documents that say « dégâts des eaux ».
    _search(page, "degats des eaux")
    heading = page.locator("#results-title")
    assert re.search(r"\d+ documents? trouvés?", heading.inner_text())
    marks = page.locator(".document-hits mark")
    assert marks.count() >= 1
    assert any(m.lower().startswith(("dégât", "eau")) for m in marks.all_inner_texts())
    axe_check(page)
    total = int(heading.inner_text().split()[0])

    # Filter: only the claim letters among them.
    page.get_by_text("Filtres", exact=True).click()
    page.get_by_label("Type de document").select_option(label="Courrier sinistre")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("domcontentloaded")
    filtered = int(page.locator("#results-title").inner_text().split()[0])
    assert 1 <= filtered <= total
    kinds = page.locator(".document-hits .document-kind").all_inner_texts()
    assert kinds and set(kinds) == {"Courrier sinistre"}
    assert "kind=claim_letter" in page.url
    axe_check(page)

    # Preview: the PDF is served inline, never sniffed.
    first_row = page.locator(".document-hit").first
    title = first_row.get_by_role("heading", level=3).inner_text()
    preview_href = first_row.get_by_role("link", name=re.compile("^Aperçu")).get_attribute("href")
    preview = page.request.get(f"{base_url}{preview_href}")
    assert preview.status == 200
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.headers["content-disposition"].startswith("inline")
    assert preview.headers["x-content-type-options"] == "nosniff"

    # Download: a real file download of a real PDF.
    with page.expect_download() as info:
        first_row.get_by_role("link", name=re.compile("^Télécharger")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # History: both the preview and the download, to the second.
    page.goto(f"{base_url}/documents/historique/")
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert all(title in text for text in rows.locator("th").all_inner_texts())
    assert re.search(r"\d{4} à \d{2} h \d{2} min \d{2} s", rows.first.inner_text())  # to the second, in words
    axe_check(page)


def test_wrong_dates_show_a_message_beside_the_field_on_a_phone(phone_page, base_url, demo_data, login_as,
                                                                 axe_check):
    page = phone_page
    login_as(page, base_url, DEMO_NUMBER, DEMO_PIN)
    page.goto(f"{base_url}/documents/?date_from=2025-06-01&date_to=2025-01-01&q=facture")
    assert page.get_by_role("alert").is_visible()
    error = page.locator("#id_date_to-error")
    assert "postérieure" in error.inner_text()
    assert page.get_by_label("Au").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Rechercher dans mes documents").input_value() == "facture"
    axe_check(page)
