"""Live updates announce only what changed (WCAG 4.1.3) and can be paused (WCAG 2.2.2)."""

import pytest
from playwright.sync_api import expect

from abri.claims import services
from abri.claims.models import Claim
from tests.browser.conftest import DESKTOP, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _poll(page):
    # The page refreshes every 20 s and when it becomes visible again; trigger the latter now.
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")


def test_claim_timeline_announces_only_the_new_step_and_can_be_paused(browser, base_url, demo_data, login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/sinistres/SIN-2026-010452/")
    # The timeline region itself is not a live region: it would be re-read in full after each refresh.
    assert page.locator("#claim-live").get_attribute("aria-live") is None
    status = page.locator("#claim-announce")
    assert status.get_attribute("role") == "status"
    claim = Claim.objects.get(number="SIN-2026-010452")
    services.claim_transition(claim=claim, to_status="visit_planned", actor=None)
    _poll(page)
    expect(status).to_have_text("Nouvelle étape : Visite planifiée", timeout=10_000)
    expect(page.locator("#claim-live")).to_contain_text("Visite planifiée")

    toggle = page.get_by_role("button", name="Suspendre la mise à jour automatique")
    toggle.click()
    expect(page.get_by_role("button", name="Reprendre la mise à jour automatique")).to_be_visible()
    services.claim_transition(claim=claim, to_status="report_received", actor=None)
    _poll(page)
    page.wait_for_timeout(1500)
    expect(page.locator("#claim-live [data-step]")).to_have_attribute("data-step", "visit_planned")
    page.get_by_role("button", name="Reprendre la mise à jour automatique").click()
    expect(status).to_contain_text("Nouvelle étape : Rapport", timeout=10_000)
    assert page.js_errors == [] and page.csp_violations == []
    context.close()
