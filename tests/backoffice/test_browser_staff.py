"""The staff journey in a real browser (Chromium + axe-core): login, demo TOTP from the outbox,
search, 360° view, on a phone-sized and a desktop viewport. Skipped, visibly, without Chromium."""

import json
import os
import re
import urllib.request

import pytest

from tests.browser.conftest import (  # noqa: F401 - fixtures and helpers shared with tests/browser
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    _new_page,
    _plain_static_names,
    _skip_reason,
    assert_stylesheet_loaded,
    axe_check,
    base_url,
    demo_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason())),
]


@pytest.fixture(scope="module")
def staff_browser():
    """Chromium for this module only, stopped (with its environment) before tests/browser starts its own:
    two sync Playwright instances cannot run at once, and DJANGO_ALLOW_ASYNC_UNSAFE must not leak into
    later tests (`check --deploy` refuses it)."""
    from playwright.sync_api import Error, sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        try:
            manager = sync_playwright().start()
        except Error as exc:  # the session browser of tests/browser is already running
            pytest.skip(f"Playwright already running in this process: {exc}")
        browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        manager.stop()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=["phone", "desktop"])
def staff_page(request, staff_browser):
    context, page = _new_page(staff_browser, **(PHONE if request.param == "phone" else DESKTOP))
    yield page
    context.close()


def newest_staff_code(base_url: str, to: str) -> str:  # noqa: F811
    with urllib.request.urlopen(f"{base_url}/demo/outbox.json", timeout=10) as response:
        for message in json.load(response):
            if message["to"] == to and message["subject"] == "Code de vérification back-office":
                return re.search(r"(?<!\d)(\d{6})(?!\d)", message["body"]).group(1)
    raise AssertionError("no staff code in the demo outbox")


def test_advisor_logs_in_with_the_demo_code_and_opens_a_customer(staff_page, base_url, demo_data):  # noqa: F811
    page = staff_page
    page.goto(f"{base_url}/backoffice/")
    assert "/backoffice/connexion/" in page.url
    assert_stylesheet_loaded(page)
    axe_check(page)
    page.get_by_label("Adresse e-mail professionnelle").fill("conseiller@abri.example")
    page.get_by_label("Mot de passe").fill("abri-demo-conseiller")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/backoffice/connexion/verification/")
    axe_check(page)
    page.get_by_label("Code de vérification").fill(newest_staff_code(base_url, "conseiller@abri.example"))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url == f"{base_url}/backoffice/"
    assert page.get_by_role("navigation", name="Menu du back-office").is_visible()
    axe_check(page)
    page.get_by_label("Rechercher un client").fill("martin camille")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("domcontentloaded")
    axe_check(page)
    page.get_by_role("link", name="DEMO0001G").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Madame Camille MARTIN")
    for title in ["Identité et contact", "Contrats", "Sinistres", "Paiements", "Documents", "Journal d'audit"]:
        assert page.get_by_role("heading", name=re.compile(f"^{title}"), level=2).count() == 1, title
    axe_check(page)
    assert page.js_errors == [] and page.csp_violations == []


def test_first_login_shows_a_scannable_qr_code(staff_page, base_url, transactional_db):  # noqa: F811
    from tests.accounts.factories import StaffFactory

    staff = StaffFactory(email="nouvelle@abri.example", username="nouvelle@abri.example")
    page = staff_page
    page.goto(f"{base_url}/backoffice/connexion/")
    page.get_by_label("Adresse e-mail professionnelle").fill(staff.email)
    page.get_by_label("Mot de passe").fill("mot-de-passe-solide-42")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state("domcontentloaded")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    assert qr.is_visible()
    assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 0  # the data: URI rendered
    axe_check(page)
    assert page.csp_violations == []


def test_the_accountant_opens_the_collection_runs_and_a_customers_payments(staff_page, base_url, demo_data):  # noqa: F811
    page = staff_page
    page.goto(f"{base_url}/backoffice/connexion/")
    page.get_by_label("Adresse e-mail professionnelle").fill("compta@abri.example")
    page.get_by_label("Mot de passe").fill("abri-demo-compta")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("Code de vérification").fill(newest_staff_code(base_url, "compta@abri.example"))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("domcontentloaded")
    page.goto(f"{base_url}/backoffice/paiements/remises/")
    assert page.get_by_role("heading", level=1).inner_text() == "Remises de prélèvements"
    axe_check(page)
    page.get_by_role("button", name="Préparer la remise").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Indiquez la date d'échéance." in page.content()
    axe_check(page)
    page.goto(f"{base_url}/backoffice/paiements/prelevements-rejetes/")
    axe_check(page)
    page.goto(f"{base_url}/backoffice/paiements/clients/DEMO0001G/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Paiements de Camille Martin")
    axe_check(page)
    assert page.js_errors == [] and page.csp_violations == []
