"""Paying an overdue instalment by card in a real browser, through the sandbox PSP with 3-D Secure, then
seeing it « Payé » on /paiements/ and exporting the history as CSV; each page checked by axe-core."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_NUMBER, DEMO_PIN = "DEMO0001G", "246810"


def _overdue_item():
    from django.utils import timezone

    from abri.accounts.models import Customer
    from abri.billing.models import ScheduleItem

    customer = Customer.objects.get(customer_number=DEMO_NUMBER)
    contract = customer.contracts.order_by("id").first()
    return ScheduleItem.objects.create(
        customer=customer, contract=contract, due_date=timezone.localdate() - timedelta(days=12),
        amount=Decimal("87.65"), method="transfer", reference="CARTE-TEST-0001", label="Échéance carte test")


def test_pay_an_instalment_by_card_with_3ds_then_see_it_paid_and_export(desktop_page, base_url, demo_data,
                                                                        login_as, axe_check, settings):
    settings.ABRI_PSP = "sandbox"
    item = _overdue_item()
    page = desktop_page
    login_as(page, base_url, DEMO_NUMBER, DEMO_PIN)

    page.goto(f"{base_url}/paiements/payer/{item.pk}/")
    axe_check(page)
    page.get_by_role("button", name="Payer par carte 87,65\u00a0€").click()
    page.wait_for_load_state("domcontentloaded")

    # The PSP's hosted page (sandbox): clearly a test environment.
    assert "/paiements/sandbox/sbx_" in page.url
    assert page.get_by_text("Environnement de test", exact=True).first.is_visible()
    axe_check(page)
    page.get_by_label("Numéro de carte").fill("4000 0027 6000 3184")
    page.get_by_label("Date d'expiration").fill("12/30")
    page.get_by_label("Cryptogramme (3 chiffres au dos)").fill("123")
    page.get_by_label("Titulaire de la carte").fill("Camille Martin")
    page.get_by_role("button", name="Payer 87,65\u00a0€").click()
    page.wait_for_load_state("domcontentloaded")

    # 3-D Secure challenge of the card's bank.
    assert page.get_by_role("heading", level=1, name="Authentification 3-D Secure").is_visible()
    assert "se terminant par 3184" in page.content()
    axe_check(page)
    page.get_by_role("button", name="Confirmer le paiement").click()
    page.wait_for_load_state("domcontentloaded")

    # Back in Abri: the instalment is paid, by card.
    assert page.url.rstrip("/").endswith("/paiements")
    assert "Paiement de 87,65\u00a0€ accepté (carte Visa •••• 3184)" in page.locator("#flash").inner_text()
    row = page.locator("tr", has_text="CARTE-TEST-0001")
    assert "Payé" in row.inner_text() and "Carte bancaire" in row.inner_text()
    axe_check(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tableur (CSV : Excel, LibreOffice)").click()
    content = download_info.value.path().read_bytes().decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(content), delimiter=";") if "CARTE-TEST-0001" in r]
    assert len(rows) == 1
    assert rows[0][5] == "-87,65" and rows[0][6] == "Payé" and rows[0][7] == "Carte bancaire"
    assert not page.js_errors and not page.csp_violations
