"""Live updates through htmx (ADR 0009): the three pages update in place, under the strict CSP (nothing in the
console), announce only what changed (WCAG 4.1.3), can be paused (WCAG 2.2.2), and work without JavaScript."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from abri.claims import services
from abri.claims.models import Claim, ClaimDraft, Evidence
from tests.browser.conftest import DESKTOP, _new_page, axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CLAIM = "/sinistres/SIN-2026-010452/"
CHANGE = "/contrats/MRH-2024-000101/modifier/"


def _clean(page):
    assert page.js_errors == [], page.js_errors
    assert page.csp_violations == [], page.csp_violations
    assert page.console_errors == [], page.console_errors


def _live_requests(page) -> list[int]:
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if r.request.headers.get("hx-request") else None)
    return statuses


def test_claim_timeline_polls_with_htmx_announces_only_the_new_step_and_can_be_paused(
    browser, base_url, demo_data, login_as
):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.clock.install()  # the 20 s polling is driven by the test, not waited for
    statuses = _live_requests(page)
    page.goto(f"{base_url}{CLAIM}")
    pause = page.get_by_role("button", name="Suspendre la mise à jour automatique")
    expect(pause).to_be_visible()  # hidden in the HTML, shown by page.js once htmx runs
    assert page.evaluate("() => typeof window.htmx") == "object"
    # The timeline region itself is not a live region: it would be re-read in full after each refresh.
    assert page.locator("#claim-live").get_attribute("aria-live") is None
    status = page.locator("#claim-announce")
    assert status.get_attribute("role") == "status" and status.inner_text() == ""

    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as poll:
        page.clock.fast_forward(21_000)
    assert poll.value.status == 204  # nothing changed: nothing swapped, nothing announced
    page.wait_for_timeout(300)
    assert status.inner_text() == ""

    claim = Claim.objects.get(number="SIN-2026-010452")
    services.claim_transition(claim=claim, to_status="visit_planned", actor=None)
    # Coming back to the tab refreshes at once (no need to wait for the next 20 s).
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(status).to_have_text("Nouvelle étape : Visite planifiée", timeout=10_000)
    expect(page.locator("#claim-live [data-step]")).to_have_attribute("data-step", "visit_planned")
    axe_check(page)

    pause.click()
    resume = page.get_by_role("button", name="Reprendre la mise à jour automatique")
    expect(resume).to_be_visible()
    expect(resume).to_be_focused()  # htmx keeps the focus on the button it replaced (same id)
    services.claim_transition(claim=claim, to_status="report_received", actor=None)
    asked = len(statuses)
    page.clock.fast_forward(65_000)
    page.wait_for_timeout(800)
    assert len(statuses) == asked  # paused: no request at all
    expect(page.locator("#claim-live [data-step]")).to_have_attribute("data-step", "visit_planned")
    resume.click()
    expect(status).to_contain_text("Nouvelle étape : Rapport", timeout=10_000)
    expect(page.get_by_role("button", name="Suspendre la mise à jour automatique")).to_be_visible()
    page.wait_for_timeout(800)
    assert len(statuses) == asked + 1  # one click, one request (the paused block itself fetches nothing)
    expect(page.get_by_role("button", name="Suspendre la mise à jour automatique")).to_be_visible()
    axe_check(page)
    _clean(page)
    context.close()


def test_claim_page_without_javascript_shows_the_timeline_and_no_pause_button(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.close()
    page = context.new_page()
    context.route("**/*.js", lambda route: route.abort())  # as if JavaScript were off: no htmx, no page script
    page.goto(f"{base_url}{CLAIM}")
    expect(page.locator("#claim-live")).to_contain_text("Suivi de votre dossier")
    assert page.get_by_role("button", name="Suspendre la mise à jour automatique").count() == 0
    context.close()


def test_contract_change_reprices_in_place_with_htmx_and_announces_one_sentence(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}{CHANGE}")
    url = page.url
    panel = page.locator("#price-panel")
    status = page.locator("#price-status")
    assert status.get_attribute("role") == "status"
    before = panel.inner_text()
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as answer:
        page.get_by_label("Protection juridique").check()
    assert answer.value.status == 200 and "<html" not in answer.value.text()
    expect(panel).not_to_have_text(before)
    assert page.url == url  # updated in place, no navigation
    expect(status).to_have_text(re.compile(r"^Nouveau prix : [\d\s]+,\d\d\s€ par an, aujourd'hui [\d\s]+,\d\d\s€$"))
    # A capital typed: repriced after a short pause in typing, the same way.
    page.get_by_label(re.compile("Capital mobilier")).fill("25000")
    expect(panel).to_contain_text("par an")
    axe_check(page)
    _clean(page)
    context.close()


def _jpeg(color=(150, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_evidence_upload_retries_through_htmx_with_the_same_token(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/sinistres/declarer/")
    page.get_by_role("button", name="Commencer la déclaration").click()
    page.wait_for_load_state("domcontentloaded")
    draft = ClaimDraft.objects.filter(customer__customer_number="DEMO0001G").latest("created_at")
    page.clock.install()
    page.goto(f"{base_url}/sinistres/declarer/{draft.key}/evidence/")
    tokens: list[str] = []
    failed = {"done": False}

    def flaky(route):
        tokens.append(route.request.headers.get("x-upload-token", ""))
        assert route.request.headers.get("hx-request") == "true"
        if not failed["done"]:
            failed["done"] = True
            route.fulfill(status=503, body="")  # the first try fails: the script waits, then retries
        else:
            route.continue_()

    assert page.locator("#upload-progress").get_attribute("aria-live") == "polite"  # each file's line is read
    page.route("**/fichiers/", flaky)
    page.get_by_label("Photos et documents").set_input_files(
        [{"name": "cuisine.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    expect(page.locator("#upload-progress")).to_contain_text("nouvel essai dans 1 s", timeout=10_000)
    page.clock.fast_forward(2_000)
    expect(page.locator("#upload-progress .upload-ok")).to_have_text("Reçu : « cuisine.jpg »", timeout=15_000)
    expect(page.locator("#evidence-list .evidence-item")).to_have_count(1)
    assert page.locator("#evidence-empty").count() == 0
    assert page.locator("#upload-progress progress").evaluate("p => p.value") == 100
    assert len(tokens) == 2 and tokens[0] == tokens[1] and len(tokens[0]) == 32
    assert Evidence.objects.filter(draft=draft).count() == 1
    # A refused file says why, in its own line.
    page.get_by_label("Photos et documents").set_input_files(
        [{"name": "abime.jpg", "mimeType": "image/jpeg", "buffer": b"not a jpeg"}])
    expect(page.locator("#upload-progress .upload-error")).to_contain_text("abime.jpg : Ce fichier n'est pas une image")
    axe_check(page)
    assert page.js_errors == [] and page.csp_violations == []
    context.close()
