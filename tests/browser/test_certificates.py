"""The certificate page in a real Chromium (ADR 0009, issue 10 point 6): issuing goes through htmx under the strict
CSP (no console or CSP error), the PDF downloads, the list refreshes and one sentence is announced without a
reload; a refusal swaps the form with its errors, focused; without JavaScript the form still downloads the PDF."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page, axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE = "/documents/attestations/"
FLAT = "MRH-2024-000101"


def _clean(page, *, refusals: int = 0):
    """No script or CSP error; the only console lines allowed are Chromium's network note for each expected 422."""
    assert page.js_errors == [], page.js_errors
    assert page.csp_violations == [], page.csp_violations
    network_422 = [e for e in page.console_errors if "status of 422 (Unprocessable Entity)" in e]
    assert len(network_422) == refusals, page.console_errors
    assert [e for e in page.console_errors if e not in network_422] == [], page.console_errors


def _choose(page, contract: str, kind: re.Pattern) -> None:
    select = page.get_by_label("Contrat", exact=True)
    if select.count() and select.first.evaluate("e => e.tagName") == "SELECT":
        select.select_option(contract)
    else:
        page.get_by_label(re.compile(contract)).check()
    page.get_by_role("radio", name=kind).check()


def test_issuing_goes_through_htmx_downloads_and_refreshes_the_list(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, accept_downloads=True, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}{PAGE}")
    assert page.evaluate("() => typeof window.htmx") == "object"
    page.evaluate("() => { window.__notReloaded = true; }")
    axe_check(page)
    htmx_posts = []
    page.on("response", lambda r: htmx_posts.append((r.status, r.headers.get("content-type", "")))
            if r.request.method == "POST" and r.request.headers.get("hx-request") == "true" else None)
    rows_before = page.locator("#issued tbody tr").count()

    _choose(page, FLAT, re.compile("Attestation locative"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Générer et télécharger l'attestation").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"attestation-ATT-\d{4}-[0-9A-Z]{8}\.pdf", name), name
    number = name.removeprefix("attestation-").removesuffix(".pdf")
    assert htmx_posts and htmx_posts[0][0] == 200 and htmx_posts[0][1].startswith("text/html")

    status = page.locator("#certificate-status")
    assert status.get_attribute("role") == "status"
    expect(status).to_contain_text(f"Attestation {number} délivrée : son téléchargement a commencé.")
    expect(page.locator("#issued tbody tr")).to_have_count(rows_before + 1)
    expect(page.locator("#issued tbody tr").first).to_contain_text(number)
    expect(status.get_by_role("link", name=f"Télécharger l'attestation {number}")).to_be_visible()
    # The form stayed as it was (nothing swapped there) and the page was not reloaded.
    expect(page.get_by_label(re.compile("Attestation locative"))).to_be_checked()
    assert page.evaluate("() => window.__notReloaded === true")
    axe_check(page)
    _clean(page)
    context.close()


def test_a_refusal_swaps_the_form_with_its_errors_focused_then_the_fix_issues(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, accept_downloads=True, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}{PAGE}")
    page.evaluate("() => { window.__notReloaded = true; }")
    _choose(page, FLAT, re.compile("Attestation responsabilité"))
    school = page.locator("fieldset[data-kind=school]")
    expect(school).to_be_visible()  # only the chosen kind's extra fields are shown
    expect(page.locator("fieldset[data-kind=temporary]")).to_be_hidden()
    school.get_by_label("Prénom de l'enfant").fill("Léa")

    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as answer:
        page.get_by_role("button", name="Générer et télécharger l'attestation").click()
    assert answer.value.status == 422
    summary = page.locator("#new-certificate .error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith("Erreur :")
    expect(school).to_be_visible()  # the swapped form shows the chosen kind's fields again
    expect(school.get_by_label("Prénom de l'enfant")).to_have_value("Léa")  # nothing typed is lost
    assert page.evaluate("() => window.__notReloaded === true")
    axe_check(page)

    school.get_by_label("Nom de l'enfant", exact=True).fill("Durand")
    year = school.get_by_label("Année scolaire")
    if not year.input_value():
        year.select_option(index=1)
    with page.expect_download() as download:
        page.get_by_role("button", name="Générer et télécharger l'attestation").click()
    assert download.value.suggested_filename.startswith("attestation-ATT-")
    expect(page.locator("#certificate-status")).to_contain_text("délivrée")
    _clean(page, refusals=1)
    context.close()


def test_without_javascript_the_form_posts_and_the_pdf_downloads(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, accept_downloads=True, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    nojs = browser.new_context(locale="fr-FR", java_script_enabled=False, accept_downloads=True,
                               storage_state=context.storage_state(), **DESKTOP)
    page = nojs.new_page()
    page.goto(f"{base_url}{PAGE}")
    _choose(page, FLAT, re.compile("Attestation locative"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Générer et télécharger l'attestation").click()
    assert download.value.suggested_filename.startswith("attestation-ATT-")
    nojs.close()
    context.close()
