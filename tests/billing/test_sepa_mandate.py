"""The SEPA e-mandate on /paiements/prelevement/: step-up, IBAN checks in French, consent, RUM, signed PDF,
masked IBAN only, pre-notification, Bob never touching Alice's mandate, and the 36-month lapse."""

import datetime as dt
import html as htmllib
import io
import logging
from pathlib import Path

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time
from pypdf import PdfReader

from abri.accounts.stepup import step_up_mark_fresh
from abri.billing.direct_debit import mandates_lapse
from abri.billing.models import SepaMandate
from abri.core.models import AuditLog
from abri.documents.models import Document
from abri.documents.tasks import document_render
from abri.notifications.models import Notification, OutboxMessage
from tests.billing.conftest import add_item
from tests.billing.sepa_helpers import ALICE_IBAN, make_mandate

URL = "/paiements/prelevement/"
TYPED_IBAN = "FR76 3000 6000 0112 3456 7890 189"


def _post(client, **overrides):
    data = {"holder": "Alice Durand", "iban": TYPED_IBAN, "bic": "", "consent": "on", **overrides}
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


@pytest.fixture
def stepped_up(alice_client, frozen):
    step_up_mark_fresh(alice_client)
    return alice_client


@pytest.mark.django_db
def test_the_mandate_page_asks_for_the_second_factor_first(alice_client, frozen):
    response = alice_client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/securite/confirmation/?next=")
    response = alice_client.post(URL, {"holder": "Alice Durand", "iban": TYPED_IBAN, "consent": "on"},
                                 HTTP_REFERER="http://testserver/paiements/prelevement/")
    assert response.status_code == 302 and response["Location"].startswith("/securite/confirmation/")
    assert not SepaMandate.objects.exists()


@pytest.mark.django_db
def test_signing_files_the_signed_mandate_and_shows_only_the_masked_iban(stepped_up, alice, alice_contract, caplog):
    caplog.set_level(logging.DEBUG)
    soon = add_item(alice_contract, dt.date(2026, 6, 20), "45.00", method="transfer")  # in 5 days: too near
    later = add_item(alice_contract, dt.date(2026, 7, 15), "45.00", method="transfer")
    response = _post(stepped_up)
    assert response.status_code == 302 and response["Location"] == "/paiements/"
    mandate = SepaMandate.objects.get(customer=alice, status="active")
    assert mandate.reference.startswith(f"ABRI-{alice.customer_number}-20260615-") and len(mandate.reference) <= 35
    assert ALICE_IBAN not in mandate.iban_encrypted and mandate.iban_masked == "FR76 •••• •••• 0189"
    page = stepped_up.get("/paiements/").content.decode()
    assert "FR76 •••• •••• 0189" in page and mandate.reference in page and "FR72ZZZ123456" in page
    assert "3456 7890" not in page and "34567890" not in page
    # pre-notification: the debit of 15 July announced a month ahead; the one in 5 days stays a transfer
    assert "Le 15 juillet 2026 : 45,00\u00a0€" in page
    later.refresh_from_db()
    soon.refresh_from_db()
    assert later.method == "direct_debit" and soon.method == "transfer"
    pdf = stepped_up.get(f"/paiements/prelevement/{mandate.pk}/mandat.pdf")
    assert pdf.status_code == 200 and b"/ByteRange" in pdf.content  # PAdES-signed
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert f"Référence unique du mandat (RUM) : {mandate.reference}" in text
    assert "Identifiant créancier SEPA (ICS) : FR72ZZZ123456" in text
    assert "Compte à débiter (IBAN) : FR76 **** **** 0189" in text and "4567890" not in text
    assert "Signé électroniquement le 15 juin 2026" in text
    assert mandate.document.customer == alice and mandate.document.title.startswith("Mandat de prélèvement SEPA")
    notice = Notification.objects.get(customer=alice, title="Mandat de prélèvement SEPA enregistré")
    assert "FR76 •••• •••• 0189" in notice.body
    sent = " ".join(m.body for m in OutboxMessage.objects.filter(customer=alice))
    assert "FR76 •••• •••• 0189" in sent and ALICE_IBAN not in sent
    audit = AuditLog.objects.get(action="billing.mandate_signed")
    assert ALICE_IBAN not in str(audit.data) and "0189" in str(audit.data)
    assert ALICE_IBAN not in caplog.text and "3456 7890" not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize(("iban", "message"), [
    ("FR76 3000 6000 0112 3456 7890 188", "la clé de contrôle ne correspond pas"),
    ("BR18 0036 0305 0000 1000 9795 493C 1", "n'est possible que depuis un compte de la zone SEPA"),
    ("FR76 3000 6000 0112", "n'a pas la bonne longueur"),
    ("XX12 3456", "ne commence pas par un code pays connu"),
])
def test_an_invalid_iban_is_refused_next_to_the_field_and_nothing_typed_is_lost(stepped_up, iban, message):
    response = _post(stepped_up, iban=iban, holder="Alice Durand-Typed")
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 200 and message in html
    assert 'id="id_iban-error"' in html and "Le formulaire contient des erreurs" in html
    assert 'value="Alice Durand-Typed"' in html and f'value="{iban}"' in html
    assert not SepaMandate.objects.exists()


@pytest.mark.django_db
def test_a_bic_from_another_country_is_refused(stepped_up):
    html = htmllib.unescape(_post(stepped_up, bic="DEUTDEFFXXX").content.decode())
    assert "Ce BIC est celui d'une banque d'un autre pays que l'IBAN" in html
    assert not SepaMandate.objects.exists()


@pytest.mark.django_db
def test_without_consent_no_mandate_is_signed(stepped_up):
    html = htmllib.unescape(_post(stepped_up, consent=None).content.decode())
    assert "Cochez la case d'autorisation : sans votre accord, aucun prélèvement n'est possible." in html
    assert f'value="{TYPED_IBAN}"' in html
    assert not SepaMandate.objects.exists()


@pytest.mark.django_db
def test_an_account_the_bank_reported_closed_is_refused(stepped_up, alice):
    make_mandate(alice, status="account_closed")
    html = htmllib.unescape(_post(stepped_up).content.decode())
    assert "Votre banque nous a signalé que ce compte est clôturé ou bloqué" in html
    assert not SepaMandate.objects.filter(status="active").exists()


@pytest.mark.django_db
def test_a_new_mandate_replaces_the_previous_one(stepped_up, alice):
    old = make_mandate(alice)
    _post(stepped_up, iban="FR14 2004 1010 0505 0001 3M02 606")
    old.refresh_from_db()
    assert old.status == "replaced"
    assert SepaMandate.objects.get(customer=alice, status="active").iban_masked == "FR14 •••• •••• 2606"


@pytest.mark.django_db
def test_bob_cannot_see_or_revoke_alices_mandate(bob_client, alice, frozen):
    mandate = make_mandate(alice)
    step_up_mark_fresh(bob_client)
    assert bob_client.get(f"/paiements/prelevement/{mandate.pk}/mandat.pdf").status_code == 404
    assert bob_client.post(f"/paiements/prelevement/{mandate.pk}/revoquer/").status_code == 404
    mandate.refresh_from_db()
    assert mandate.status == "active"


@pytest.mark.django_db
def test_revoking_needs_a_step_up_and_csrf(alice, alice_contract, frozen):
    mandate = make_mandate(alice)
    debit = add_item(alice_contract, dt.date(2026, 8, 15), "45.00")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user, backend="abri.accounts.backends.CustomerPinBackend")
    step_up_mark_fresh(client)
    assert client.post(f"/paiements/prelevement/{mandate.pk}/revoquer/").status_code == 403  # no CSRF token
    assert client.post(URL, {"holder": "A", "iban": TYPED_IBAN, "consent": "on"}).status_code == 403
    fresh = Client()
    fresh.force_login(alice.user, backend="abri.accounts.backends.CustomerPinBackend")
    assert fresh.post(f"/paiements/prelevement/{mandate.pk}/revoquer/").status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == "active"  # not without the second factor
    step_up_mark_fresh(fresh)
    fresh.post(f"/paiements/prelevement/{mandate.pk}/revoquer/")
    mandate.refresh_from_db()
    debit.refresh_from_db()
    assert mandate.status == "revoked" and debit.method == "transfer"
    page = fresh.get("/paiements/").content.decode()
    assert "Aucun mandat de prélèvement actif" in page


@pytest.mark.django_db
def test_a_mandate_unused_for_36_months_lapses_once(alice, bob, alice_contract):
    used = make_mandate(alice, signed=dt.date(2022, 1, 10))
    used.last_collected_on = dt.date(2023, 6, 14)
    used.save()
    recent = make_mandate(bob, signed=dt.date(2023, 6, 20))
    debit = add_item(alice_contract, dt.date(2026, 7, 15), "45.00")
    with freeze_time("2026-06-15 10:00:00"):
        assert mandates_lapse() == 1
        assert mandates_lapse() == 0  # idempotent
    used.refresh_from_db()
    recent.refresh_from_db()
    debit.refresh_from_db()
    assert used.status == "lapsed" and recent.status == "active" and debit.method == "transfer"
    notice = Notification.objects.get(customer=alice)
    assert "n'a servi à aucun prélèvement depuis 36 mois" in notice.body


@pytest.mark.django_db
def test_the_worker_lapses_mandates_in_its_hourly_step(alice, monkeypatch):
    from abri.portal.management.commands import worker

    mandate = make_mandate(alice, signed=dt.date(2020, 1, 10))
    monkeypatch.setattr(worker, "_last_hourly", [])
    worker.heartbeat_once("test-worker")
    mandate.refresh_from_db()
    assert mandate.status == "lapsed"


def _stored_files(settings) -> list:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_the_mandate_goes_through_the_vaults_front_door_rendered_and_signed_by_the_task(stepped_up, alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert _post(stepped_up).status_code == 302
    mandate = SepaMandate.objects.select_related("document").get(customer=alice, status="active")
    # Nothing rendered in the request: the document waits for the vault's task, the page says so in French.
    assert mandate.document is not None and mandate.document.is_pending and not _stored_files(settings)
    pending = stepped_up.get(f"/paiements/prelevement/{mandate.pk}/mandat.pdf")
    assert pending.status_code == 200 and "Ce document est en préparation" in pending.content.decode()
    task = DBTaskResult.objects.get()
    assert task.task_path == document_render.module_path
    kwargs = task.args_kwargs["kwargs"]
    assert kwargs["renderer_args"] == {"mandate_id": mandate.pk} and kwargs["sign"] is True
    assert "0189" not in str(task.args_kwargs) and "Alice" not in str(task.args_kwargs)
    assert AuditLog.objects.filter(action="document.filed", target_id=str(mandate.document.pk)).exists()
    document_render.call(**kwargs)  # what the worker does
    pdf = stepped_up.get(f"/paiements/prelevement/{mandate.pk}/mandat.pdf")
    assert pdf.status_code == 200 and b"/ByteRange" in pdf.content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert f"Référence unique du mandat (RUM) : {mandate.reference}" in text
    assert "Débiteur : Alice Durand" in text and "Compte à débiter (IBAN) : FR76 **** **** 0189" in text
    assert len(_stored_files(settings)) == 1


@pytest.mark.django_db
def test_a_signature_refused_by_a_concurrent_one_files_no_document_and_no_file(stepped_up, alice, settings,
                                                                                 monkeypatch):
    make_mandate(alice, reference="ABRI-TAKEN", status="replaced")
    # The RUM is unique: a second signature racing for it fails on the mandate's row, before any document.
    monkeypatch.setattr("abri.billing.direct_debit.mandate_reference_new", lambda **kwargs: "ABRI-TAKEN")
    response = _post(stepped_up)
    assert "Un autre mandat vient d" in htmllib.unescape(response.content.decode())
    assert not Document.objects.exists() and not _stored_files(settings)
    assert not AuditLog.objects.filter(action="document.filed").exists()
