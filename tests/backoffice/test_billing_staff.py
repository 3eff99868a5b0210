"""The finance team's back-office (issue 11, point 6): the « comptabilité » role, collection runs, rejected
debits, manual payments, card refunds and payment-method changes — each role-checked and audited."""

import datetime as dt
import html as htmllib
from decimal import Decimal

import pytest

from abri.accounts.roles import ROLE_GROUPS
from abri.billing import direct_debit
from abri.billing.models import CardPayment, CollectionRun, ScheduleItem, SepaMandate
from abri.billing.psp import services as psp
from abri.billing.psp.models import SandboxIntent
from abri.core.models import AuditLog
from tests.backoffice.conftest import make_staff, staff_client
from tests.billing.conftest import add_item, frozen  # noqa: F401 - fixture
from tests.billing.sepa_helpers import make_mandate

RUNS = "/backoffice/paiements/remises/"


def _text(response) -> str:
    return htmllib.unescape(response.content.decode())


@pytest.fixture
def accountant(staff_groups):
    return make_staff(staff_groups, "accounting", first_name="Paul", last_name="Compta")


@pytest.fixture
def compta(accountant):
    return staff_client(accountant)


@pytest.fixture
def debits(alice, alice_contract, frozen):  # noqa: F811
    make_mandate(alice, signed=dt.date(2026, 5, 1))
    return {"july": add_item(alice_contract, dt.date(2026, 7, 5), "45.00"),
            "overdue": add_item(alice_contract, dt.date(2026, 6, 10), "529.35", method="transfer")}


def test_the_accounting_role_has_billing_rights_and_the_others_do_not(accountant, advisor, claims_handler):
    assert ROLE_GROUPS["accounting"][0] == "Comptabilité"
    for perm in ("billing.change_collectionrun", "billing.change_scheduleitem", "billing.change_cardpayment",
                 "billing.change_sepamandate", "billing.change_banktransaction", "accounts.view_customer"):
        assert accountant.has_perm(perm), perm
    assert not accountant.has_perm("claims.view_claim") and not accountant.has_perm("accounts.change_customer")
    for other in (advisor, claims_handler):
        for perm in ("billing.change_collectionrun", "billing.change_scheduleitem", "billing.change_cardpayment",
                     "billing.change_sepamandate", "billing.view_collectionrun"):
            assert not other.has_perm(perm), (other.staff_role, perm)


def test_staff_create_accepts_the_accounting_role(db, monkeypatch):
    from django.core.management import call_command

    from abri.accounts.models import User

    monkeypatch.setenv("ABRI_STAFF_PASSWORD", "mot-de-passe-solide-42")
    call_command("staff_create", "--email", "compta@abri.test", "--role", "accounting",
                 "--first-name", "Paul", "--last-name", "Compta", "--password-env", "ABRI_STAFF_PASSWORD")
    user = User.objects.get(email="compta@abri.test")
    assert user.staff_role == "accounting" and user.groups.get().name == "Comptabilité"
    assert user.has_perm("billing.change_collectionrun")


def test_others_get_403_on_every_billing_action(advisor, claims_handler, alice, debits):
    run = direct_debit.collection_run_build(due_date=dt.date(2026, 7, 5)).run
    item, number = debits["overdue"], alice.customer_number
    for user in (advisor, claims_handler):
        client = staff_client(user)
        assert client.get(RUNS).status_code == 403
        assert client.post(RUNS, {"due_date": "2026-08-05"}).status_code == 403
        assert client.get(f"{RUNS}{run.pk}/pain008.xml").status_code == 403
        assert client.post(f"{RUNS}{run.pk}/transmise/").status_code == 403
        assert client.get("/backoffice/paiements/prelevements-rejetes/").status_code == 403
        base = f"/backoffice/paiements/clients/{number}/"
        assert client.post(f"{base}echeances/{item.pk}/paiement/", {"amount": "1"}).status_code == 403
        assert client.post(f"{base}echeances/{item.pk}/mode/", {"method": "card"}).status_code == 403
        assert client.post(f"{base}mandats/1/arreter/").status_code == 403
        assert client.post(f"{base}carte/1/remboursement/", {"amount": "1"}).status_code == 403
    run.refresh_from_db()
    assert run.sent_at is None
    assert not AuditLog.objects.filter(action__in=["billing.collection_run_sent", "billing.manual_payment_recorded",
                                                   "billing.item_method_changed"]).exists()


def test_build_download_and_mark_a_run_sent_once(compta, accountant, debits):
    response = compta.post(RUNS, {"due_date": "2026-07-05"}, follow=True)
    html = _text(response)
    assert "Remise du 5 juillet 2026 créée : 1 prélèvements, 45,00\u00a0€." in html
    run = CollectionRun.objects.get()
    assert "Préparée, non transmise" in html
    again = _text(compta.post(RUNS, {"due_date": "2026-07-05"}, follow=True))
    assert "La remise du 5 juillet 2026 existait déjà : rien n'a été prélevé deux fois." in again
    assert CollectionRun.objects.count() == 1
    xml = compta.get(f"{RUNS}{run.pk}/pain008.xml")
    assert xml["Content-Type"].startswith("application/xml") and b"pain.008.001.08" in xml.content
    assert 'filename="prelevements-2026-07-05.xml"' in xml["Content-Disposition"]
    html = _text(compta.post(f"{RUNS}{run.pk}/transmise/", follow=True))
    assert "Remise du 5 juillet 2026 marquée transmise à la banque." in html
    assert "Transmise à la banque le 15 juin 2026" in html
    assert "était déjà marquée transmise" in _text(compta.post(f"{RUNS}{run.pk}/transmise/", follow=True))
    actions = list(AuditLog.objects.filter(actor=accountant).values_list("action", flat=True))
    assert actions.count("billing.collection_run") == 1 and actions.count("billing.collection_run_sent") == 1
    assert "billing.collection_run_downloaded" in actions


def test_a_bad_or_past_due_date_is_explained_next_to_the_field(compta, debits):
    html = _text(compta.post(RUNS, {"due_date": "2026-13-01"}))
    assert 'id="id_due_date-error"' in html and "Saisissez une date valide" in html
    response = compta.post(RUNS, {"due_date": "2026-06-01"})
    assert response.status_code == 400
    assert "Cette date est passée : une banque n'accepte pas de prélèvement" in _text(response)
    assert 'value="2026-06-01"' in _text(response)
    assert not CollectionRun.objects.exists()


def test_the_rejected_debits_queue_says_the_reason_in_french(compta, alice, debits):
    run = direct_debit.collection_run_build(due_date=dt.date(2026, 7, 5)).run
    direct_debit.debit_return(collection_id=run.collections.get().pk, reason="AM04")
    html = _text(compta.get("/backoffice/paiements/prelevements-rejetes/"))
    assert "Provision insuffisante" in html and "45,00\u00a0€" in html
    assert alice.full_name in html and "Nouveau lien de paiement envoyé" in html
    assert "AM04" not in html


def test_a_cheque_is_recorded_partially_then_fully_once(compta, accountant, alice, debits):
    item = debits["overdue"]
    url = f"/backoffice/paiements/clients/{alice.customer_number}/echeances/{item.pk}/paiement/"
    form = {"amount": "500,00", "received_on": "2026-06-14", "method": "cheque", "reference": "CHQ 1234567",
            "received": "0.00"}
    html = _text(compta.post(url, form, follow=True))
    assert "Paiement de 500,00\u00a0€ enregistré sur l'échéance du 10 juin 2026." in html
    item.refresh_from_db()
    assert item.status == "upcoming" and item.amount_received == Decimal("500.00") and item.method == "cheque"
    # The same form submitted again (double click): refused, nothing recorded twice.
    again = compta.post(url, form)
    assert again.status_code == 400 and "Rien n'a été enregistré deux fois" in _text(again)
    item.refresh_from_db()
    assert item.amount_received == Decimal("500.00")
    done = compta.post(url, {**form, "amount": "29,35", "received": "500.00"}, follow=True)
    assert "Paiement de 29,35\u00a0€" in _text(done)
    item.refresh_from_db()
    assert item.status == "paid" and item.paid_at.date() == dt.date(2026, 6, 14)
    rows = AuditLog.objects.filter(action="billing.manual_payment_recorded", actor=accountant, customer=alice)
    assert rows.count() == 2 and rows.last().data["reference"] == "CHQ 1234567"


@pytest.mark.parametrize("amount, words", [("10,001", "Deux décimales au plus"),
                                           ("600", "Le montant dépasse le reste à payer (529,35\u00a0€)."),
                                           ("abc", "Saisissez un montant en euros"),
                                           ("-5", "Le montant doit être positif.")])
def test_a_bad_manual_amount_is_explained_next_to_the_field_and_kept(compta, alice, debits, amount, words):
    item = debits["overdue"]
    url = f"/backoffice/paiements/clients/{alice.customer_number}/echeances/{item.pk}/paiement/"
    response = compta.post(url, {"amount": amount, "received_on": "2026-06-14", "method": "transfer",
                                 "reference": "VIR 42", "received": "0.00"})
    html = _text(response)
    assert response.status_code == 400
    assert 'id="id_amount-error"' in html and words in html.split('id="id_amount-error"')[1][:200]
    assert f'value="{amount}"' in html and 'value="VIR 42"' in html
    item.refresh_from_db()
    assert item.amount_received == 0 and item.status == "upcoming"


def test_another_customers_item_is_404(compta, alice, bob, bob_contract, debits):
    bobs = add_item(bob_contract, dt.date(2026, 6, 10), "77.77")
    url = f"/backoffice/paiements/clients/{alice.customer_number}/echeances/{bobs.pk}/paiement/"
    assert compta.get(url).status_code == 404
    assert compta.post(f"/backoffice/paiements/clients/{alice.customer_number}/echeances/{bobs.pk}/mode/",
                       {"method": "card"}).status_code == 404


def _paid_by_card(alice, item) -> CardPayment:
    payment = psp.card_payment_start(customer=alice, item_id=item.pk, return_url=lambda p: "https://a.test/r")
    SandboxIntent.objects.filter(token=payment.provider_id).update(status="succeeded")
    psp.card_payment_transition(payment_id=payment.pk, to_status="succeeded", source="t")
    return payment


def test_a_card_refund_from_the_back_office_checks_the_amount_and_is_audited(compta, accountant, alice, debits):
    payment = _paid_by_card(alice, debits["overdue"])
    url = f"/backoffice/paiements/clients/{alice.customer_number}/carte/{payment.pk}/remboursement/"
    page = _text(compta.get(f"/backoffice/paiements/clients/{alice.customer_number}/"))
    assert url in page
    for amount, words in (("10,001", "Deux décimales au plus"),
                          ("529,36", "Le remboursement dépasse le montant restant à rembourser (529,35\u00a0€).")):
        response = compta.post(url, {"amount": amount, "reason": "geste commercial"})
        html = _text(response)
        assert response.status_code == 400 and words in html.split('id="id_amount-error"')[1][:200]
        assert 'value="geste commercial"' in html
    payment.refresh_from_db()
    assert payment.refunded_amount == 0
    html = _text(compta.post(url, {"amount": "29,35", "reason": "geste commercial"}, follow=True))
    assert "Remboursement de 29,35\u00a0€ effectué sur la carte." in html
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("29.35")
    assert SandboxIntent.objects.get(token=payment.provider_id).refunded_cents == 2935
    assert AuditLog.objects.filter(action="billing.card_refund_requested", actor=accountant, customer=alice).exists()


def test_payment_method_changes_and_stopping_direct_debit_on_the_customers_behalf(compta, accountant, alice,
                                                                                   debits):
    base = f"/backoffice/paiements/clients/{alice.customer_number}/"
    item = debits["july"]
    html = _text(compta.post(f"{base}echeances/{item.pk}/mode/", {"method": "transfer"}, follow=True))
    assert "L'échéance du 5 juillet 2026 sera réglée par virement." in html
    item.refresh_from_db()
    assert item.method == "transfer"
    bad = _text(compta.post(f"{base}echeances/{item.pk}/mode/", {"method": "bitcoin"}, follow=True))
    assert "Choisissez virement, carte bancaire ou chèque." in bad
    assert AuditLog.objects.filter(action="billing.item_method_changed", actor=accountant,
                                   data__to="transfer").count() == 1
    august = add_item(item.contract, dt.date(2026, 8, 5), "45.00")
    mandate = SepaMandate.objects.get(customer=alice)
    html = _text(compta.post(f"{base}mandats/{mandate.pk}/arreter/", follow=True))
    assert f"Prélèvement arrêté : le mandat {mandate.reference} est révoqué" in html
    mandate.refresh_from_db()
    august.refresh_from_db()
    assert mandate.status == "revoked" and august.method == "transfer"
    assert AuditLog.objects.filter(action="billing.mandate_revoked", actor=accountant).exists()


def test_an_instalment_already_in_a_run_keeps_its_direct_debit(compta, alice, debits):
    direct_debit.collection_run_build(due_date=dt.date(2026, 7, 5))
    item = debits["july"]
    ScheduleItem.objects.filter(pk=item.pk).update(status="upcoming")
    html = _text(compta.post(f"/backoffice/paiements/clients/{alice.customer_number}/echeances/{item.pk}/mode/",
                             {"method": "card"}, follow=True))
    assert "déjà dans une remise de prélèvements transmise" in html
    item.refresh_from_db()
    assert item.method == "direct_debit"


def test_the_customer_360_links_the_accountant_to_the_billing_page(compta, advisor, alice, debits):
    link = f"/backoffice/paiements/clients/{alice.customer_number}/"
    html = _text(compta.get(f"/backoffice/clients/{alice.customer_number}/"))
    assert link in html and "Gérer les paiements" in html
    assert link not in _text(staff_client(advisor).get(f"/backoffice/clients/{alice.customer_number}/"))
