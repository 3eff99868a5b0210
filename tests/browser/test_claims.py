"""A claim on a phone, in a real browser: declare, upload 3 photos, close the page, log in again, resume,
submit; then the handler moves the claim through each step and the customer's timeline shows each one."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from abri.accounts.roles import ensure_staff_groups
from abri.claims import services
from abri.claims.models import Claim
from abri.claims.rules import SettlementItem
from tests.backoffice.conftest import make_staff
from tests.browser.conftest import PHONE, _new_page, newest_sms_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photos(tmp_path):
    paths = []
    for index, color in enumerate([(160, 60, 40), (40, 90, 160), (80, 140, 60)]):
        path = tmp_path / f"photo-{index + 1}.jpg"
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 900), color).save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


def _continue(page):
    page.get_by_role("button", name="Continuer", exact=True).click()
    page.wait_for_load_state("domcontentloaded")


def test_declare_on_a_phone_resume_elsewhere_and_follow_every_step(
    browser, base_url, demo_data, login_as, axe_check, tmp_path
):
    context, page = _new_page(browser, **PHONE)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/sinistres/")
    axe_check(page)
    page.get_by_role("link", name="Déclarer un sinistre").click()
    axe_check(page)
    page.get_by_role("button", name="Commencer la déclaration").click()
    # Two homes: choose first.
    page.get_by_label(re.compile("Lyon")).check()
    axe_check(page)
    _continue(page)
    page.get_by_label("Dégât des eaux").check()
    axe_check(page)
    _continue(page)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.get_by_label("Date du sinistre").fill(yesterday)
    page.get_by_label("Heure approximative").fill("23:10")
    axe_check(page)
    _continue(page)
    page.get_by_label("Décrivez ce qui s'est passé").fill("Fuite de la machine à laver, eau dans la cuisine.")
    page.get_by_label("Non").check()
    axe_check(page)
    _continue(page)
    page.locator("#id_items-0-label").fill("Parquet de la cuisine")
    page.locator("#id_items-0-amount").fill("1500")
    axe_check(page)
    _continue(page)
    _continue(page)  # nobody else involved
    page.get_by_label("IBAN du compte pour l'indemnité").fill("FR14 2004 1010 0505 0001 3M02 606")
    page.get_by_label("Titulaire du compte").fill("Camille Martin")
    axe_check(page)
    _continue(page)
    # Bank details ask for the second factor: the SMS code passed at login is still fresh (15 minutes for a
    # form sent); otherwise the code is asked, then the IBAN kept in the draft is confirmed on the same step.
    if "/securite/confirmation/" in page.url:
        page.get_by_label("Code de vérification").fill(newest_sms_code(base_url))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
        axe_check(page)
        page.get_by_role("button", name="Enregistrer l'IBAN se terminant par 2606").click()
        page.wait_for_load_state("domcontentloaded")
    assert "Photos et justificatifs" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Photos et documents").set_input_files(_photos(tmp_path))
    expect(page.locator("#evidence-list .evidence-item")).to_have_count(3, timeout=30_000)
    expect(page.locator("#upload-progress .upload-ok")).to_have_count(3)
    axe_check(page)
    assert page.js_errors == []
    context.close()  # the phone's tab is closed: nothing must be lost

    context, page = _new_page(browser, **PHONE)  # another device: logs in again (SMS code)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/sinistres/")
    page.get_by_role("link", name=re.compile("Reprendre la déclaration")).click()
    assert "Photos et justificatifs" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("#evidence-list .evidence-item").count() == 3
    _continue(page)
    assert "Récapitulatif" in page.get_by_role("heading", level=1).inner_text()
    assert "Dégâts des eaux" in page.inner_text("main")
    axe_check(page)
    page.get_by_role("button", name="Envoyer ma déclaration").click()
    page.wait_for_load_state("domcontentloaded")
    claim = Claim.objects.get(customer__customer_number="DEMO0001G", circumstances__water_source__isnull=False)
    assert page.url.endswith(f"/sinistres/{claim.number}/")
    assert claim.evidence.count() == 3
    axe_check(page)

    handler = make_staff(ensure_staff_groups(), "claims_handler", first_name="Julien", last_name="Garnier")
    steps = [
        ("Gestionnaire", lambda c: services.claim_assign(claim=c, handler=handler, actor=handler), "En cours d'analyse"),
        ("Expert", lambda c: services.claim_appoint_expert(claim=c, expert_name="Cabinet Rhône", actor=handler),
         "Expert missionné"),
        ("Visite", lambda c: services.claim_plan_visit(claim=c, visit_date=timezone.localdate() + timedelta(days=9),
                                                       slot="morning", actor=handler), "Visite planifiée"),
        ("Rapport", lambda c: services.claim_transition(claim=c, to_status="report_received", actor=handler),
         "Rapport d'expertise reçu"),
        ("Offre", lambda c: services.claim_make_offer(
            claim=c, items=[SettlementItem("Parquet", "building", Decimal("1500"), Decimal("2"))], actor=handler),
         "Proposition d'indemnisation"),
    ]
    for _name, action, label in steps:
        action(Claim.objects.get(pk=claim.pk))
        page.reload()
        assert label in page.locator("#claim-live").inner_text()
    page.get_by_role("button", name="J'accepte la proposition").click()
    page.wait_for_load_state("domcontentloaded")
    services.claim_record_payment(claim=Claim.objects.get(pk=claim.pk), actor=handler)
    services.claim_close(claim=Claim.objects.get(pk=claim.pk), actor=handler)
    page.reload()
    live = page.locator("#claim-live").inner_text()
    for label in ["Déclaration reçue", "Proposition acceptée", "Indemnité versée", "Dossier clos"]:
        assert label in live
    axe_check(page)
    assert page.js_errors == [] and page.csp_violations == []
    context.close()


def test_back_office_claim_pages_are_accessible(browser, base_url, demo_data, axe_check):
    from urllib.parse import urlparse

    from django.conf import settings

    from tests.backoffice.conftest import staff_client

    handler = make_staff(ensure_staff_groups(), "claims_handler", first_name="Julien", last_name="Garnier")
    session_cookie = staff_client(handler).cookies[settings.SESSION_COOKIE_NAME].value
    context, page = _new_page(browser, **PHONE)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie,
                          "domain": urlparse(base_url).hostname, "path": "/"}])
    claim = Claim.objects.get(number="SIN-2026-010452")
    page.goto(f"{base_url}/backoffice/sinistres/")
    assert claim.number in page.inner_text("main")
    axe_check(page)
    page.get_by_role("link", name=claim.number).click()
    page.wait_for_load_state("domcontentloaded")
    assert "Missionner l'expert" in page.inner_text("main") or "Planifier la visite" in page.inner_text("main")
    axe_check(page)
    page.goto(f"{base_url}/backoffice/sinistres/?event=water&deadline_risk=on")
    axe_check(page)
    assert page.js_errors == [] and page.csp_violations == []
    context.close()
