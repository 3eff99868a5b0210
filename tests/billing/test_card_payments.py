"""Paying an amount due by card through the sandbox PSP: hosted page, 3-D Secure, return, state machine,
two tabs on one instalment, refunds; Abri's pages never receive a card number."""

import html as htmllib
import re
from decimal import Decimal

import pytest

from abri.billing.models import ScheduleItem
from abri.billing.psp import services
from abri.billing.psp.choices import CardPaymentStatus
from abri.billing.psp.models import CardPayment, CardPaymentStep, CardRefund, SandboxIntent
from abri.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return htmllib.unescape(response.content.decode())


def _start(client, item):
    response = client.post(f"/paiements/payer/{item.pk}/carte/")
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def _card(client, hosted_url, number, **extra):
    return client.post(hosted_url, {"number": number, "expiry": "12/30", "cvc": "123", "holder": "Alice Durand",
                                    **extra})


def test_pay_page_offers_card_next_to_the_transfer_details(alice_client, history):
    html = _text(alice_client.get(f"/paiements/payer/{history['overdue'].pk}/"))
    assert "Payer par carte 45,00\u00a0€" in html
    assert f'action="/paiements/payer/{history["overdue"].pk}/carte/"' in html
    assert "FR76 3000 6000 0112 3456 7890 189" in html
    assert "n'est pas encore disponible" not in html


def test_success_card_marks_the_instalment_paid_once_and_says_so(alice_client, history):
    item = history["overdue"]
    hosted = _start(alice_client, item)
    assert hosted.startswith("/paiements/sandbox/sbx_")
    page = _text(alice_client.get(hosted))
    assert "Environnement de test" in page and "45,00\u00a0€" in page
    back = _card(alice_client, hosted, "4242 4242 4242 4242")
    assert back.status_code == 302 and re.search(r"/paiements/carte/\d+/retour/$", back["Location"])
    # the sandbox delivered its signed webhook already: the instalment is paid before the return page
    item.refresh_from_db()
    assert item.status == "paid" and item.method == "card"
    payment = CardPayment.objects.get(item=item)
    assert (payment.status, payment.card_last4, payment.card_brand) == ("succeeded", "4242", "Visa")
    listing = _text(alice_client.get(back["Location"], follow=True))
    assert "Paiement de 45,00\u00a0€ accepté (carte Visa •••• 4242)" in listing
    assert [(s.from_status, s.to_status) for s in CardPaymentStep.objects.filter(payment=payment)] == [
        ("created", "succeeded")]
    assert AuditLog.objects.filter(action="billing.item_paid_by_card").count() == 1


def test_three_d_secure_challenge_approved_then_paid(alice_client, history):
    item = history["rejected"]
    hosted = _start(alice_client, item)
    challenge = _card(alice_client, hosted, "4000002760003184")
    assert challenge["Location"].endswith("/3ds/")
    payment = CardPayment.objects.get(item=item)
    assert payment.status == "requires_action"
    page = _text(alice_client.get(challenge["Location"]))
    assert "Authentification 3-D Secure" in page and "se terminant par 3184" in page
    back = alice_client.post(challenge["Location"], {"decision": "approve"})
    payment.refresh_from_db()
    item.refresh_from_db()
    assert payment.status == "succeeded" and item.status == "paid"
    assert [s.to_status for s in payment.steps.all()] == ["requires_action", "succeeded"]
    assert "accepté" in _text(alice_client.get(back["Location"], follow=True))


def test_three_d_secure_refused_and_declined_card_say_why_and_charge_nothing(alice_client, history):
    item = history["overdue"]
    hosted = _start(alice_client, item)
    challenge = _card(alice_client, hosted, "4000002760003184")
    back = alice_client.post(challenge["Location"], {"decision": "refuse"})
    html = _text(alice_client.get(back["Location"], follow=True))
    assert "refusé : l'authentification 3-D Secure n'a pas abouti. Rien n'a été débité." in html
    item.refresh_from_db()
    assert item.status == "upcoming"
    # a new attempt is a new payment at the PSP; this card is declined by the bank
    hosted = _start(alice_client, item)
    back = _card(alice_client, hosted, "4000 0000 0000 0002")
    html = _text(alice_client.get(back["Location"], follow=True))
    assert "Paiement de 45,00\u00a0€ refusé : votre banque a refusé le paiement. Rien n'a été débité." in html
    assert list(CardPayment.objects.filter(item=item).values_list("status", flat=True).order_by("pk")) == [
        "failed", "failed"]


def test_bad_card_input_is_explained_next_to_the_field_and_kept_except_the_cvc(alice_client, history):
    hosted = _start(alice_client, history["overdue"])
    response = _card(alice_client, hosted, "4242 4242 4242 4241", expiry="13/30", cvc="12")
    html = _text(response)
    assert response.status_code == 422
    assert "Ce numéro de carte n'est pas valide : vérifiez les chiffres." in html
    assert "Indiquez la date d'expiration au format MM/AA" in html
    assert "Le cryptogramme compte 3 chiffres." in html
    assert 'value="4242 4242 4242 4241"' in html and 'value="12"' not in html
    assert "Environnement de test : utilisez une des cartes de test indiquées." in _text(
        _card(alice_client, hosted, "5555555555554444"))
    assert SandboxIntent.objects.get().status == "requires_payment_method"


def test_abri_never_stores_the_card_number(alice_client, history):
    hosted = _start(alice_client, history["overdue"])
    _card(alice_client, hosted, "4242424242424242")
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (CardPayment, SandboxIntent, AuditLog):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 - table names from the models
            assert "4242424242424242" not in repr(cursor.fetchall())


def test_two_tabs_share_one_psp_payment_and_the_second_is_refused(alice_client, history):
    item = history["overdue"]
    first_tab = _start(alice_client, item)
    second_tab = _start(alice_client, item)
    assert first_tab == second_tab and CardPayment.objects.filter(item=item).count() == 1
    _card(alice_client, first_tab, "4242424242424242")
    refused = _card(alice_client, second_tab, "4242424242424242")
    assert refused.status_code == 409
    assert "Ce paiement a déjà été traité (statut : Payé). Rien n'a été débité une seconde fois." \
        in _text(refused)
    again = _text(alice_client.post(f"/paiements/payer/{item.pk}/carte/", follow=True))
    assert "Cette échéance est déjà payée (le 15 juin 2026). Rien n'a été débité une seconde fois." in again
    assert CardPayment.objects.filter(item=item, status="succeeded").count() == 1


def test_a_charge_for_an_instalment_paid_otherwise_meanwhile_is_refunded_in_full(alice, history,
                                                                                   django_capture_on_commit_callbacks):
    item = history["overdue"]
    payment = services.card_payment_start(customer=alice, item_id=item.pk, return_url=lambda p: "https://a.test/r")
    ScheduleItem.objects.filter(pk=item.pk).update(status="paid")  # a transfer arrived while the card was typed
    SandboxIntent.objects.filter(token=payment.provider_id).update(status="succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        services.card_payment_transition(payment_id=payment.pk, to_status="succeeded", source="test")
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.refunded_amount == Decimal("45.00")
    assert CardRefund.objects.get(payment=payment).reason == "duplicate"
    assert SandboxIntent.objects.get(token=payment.provider_id).refunded_cents == 4500
    item.refresh_from_db()
    assert item.status == "paid"  # paid by the transfer, not refunded


def test_state_machine_ignores_impossible_and_repeated_transitions(alice, history):
    payment = services.card_payment_start(customer=alice, item_id=history["overdue"].pk,
                                          return_url=lambda p: "https://a.test/r")
    _p, changed = services.card_payment_transition(payment_id=payment.pk, to_status="succeeded", source="t")
    assert changed
    for late in ("failed", "requires_action", "cancelled", "created"):
        _p, changed = services.card_payment_transition(payment_id=payment.pk, to_status=late, source="late")
        assert not changed
    _p, changed = services.card_payment_transition(payment_id=payment.pk, to_status="succeeded", source="again")
    assert not changed
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.steps.count() == 1
    assert AuditLog.objects.filter(action="billing.card_payment_transition_ignored").count() == 4
    assert services.TRANSITIONS[CardPaymentStatus.FAILED] == set()


def test_partial_then_total_refund_and_bad_amounts(alice, history):
    payment = services.card_payment_start(customer=alice, item_id=history["overdue"].pk,
                                          return_url=lambda p: "https://a.test/r")
    SandboxIntent.objects.filter(token=payment.provider_id).update(status="succeeded")
    services.card_payment_transition(payment_id=payment.pk, to_status="succeeded", source="t")
    with pytest.raises(services.CardPaymentError, match="deux décimales au plus"):
        services.card_payment_refund(payment_id=payment.pk, amount="10.001")
    services.card_payment_refund(payment_id=payment.pk, amount="15.00", reason="geste commercial")
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.refunded_amount == Decimal("15.00")
    with pytest.raises(services.CardPaymentError, match="dépasse le montant restant à rembourser \\(30,00"):
        services.card_payment_refund(payment_id=payment.pk, amount="30.01")
    services.card_payment_refund(payment_id=payment.pk, amount="30.00")
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.refunded_amount == Decimal("45.00")
    assert ScheduleItem.objects.get(pk=payment.item_id).status == "refunded"
    assert SandboxIntent.objects.get(token=payment.provider_id).refunded_cents == 4500


def test_bob_cannot_pay_or_see_alices_card_payment(alice_client, bob_client, history):
    item = history["overdue"]
    assert bob_client.post(f"/paiements/payer/{item.pk}/carte/").status_code == 404
    _start(alice_client, item)
    payment = CardPayment.objects.get(item=item)
    assert bob_client.get(f"/paiements/carte/{payment.pk}/retour/").status_code == 404
    assert alice_client.post(f"/paiements/payer/{history['bob_next'].pk}/carte/").status_code == 404


def test_an_upcoming_direct_debit_cannot_be_paid_by_card(alice_client, history):
    response = alice_client.post(f"/paiements/payer/{history['later'].pk}/carte/", follow=True)
    assert "Cette échéance ne peut pas être payée par carte." in _text(response)
    assert not CardPayment.objects.exists()


def test_sandbox_pages_need_the_sandbox_and_a_known_intent(client, settings, alice_client, history):
    hosted = _start(alice_client, history["overdue"])
    assert client.get("/paiements/sandbox/INCONNU/").status_code == 404
    settings.ABRI_PSP = "stripe"
    assert client.get(hosted).status_code == 404


def test_a_misconfigured_provider_is_said_in_french_not_a_500(alice_client, settings, history):
    settings.ABRI_PSP, settings.STRIPE_SECRET_KEY = "stripe", ""
    response = alice_client.post(f"/paiements/payer/{history['overdue'].pk}/carte/", follow=True)
    assert "Le paiement par carte n'est pas disponible pour le moment." in _text(response)
    assert not CardPayment.objects.exists()


def test_cancel_on_the_psp_page_and_an_abandoned_payment_charge_nothing(alice_client, history):
    item = history["overdue"]
    hosted = _start(alice_client, item)
    back = alice_client.get(f"/paiements/carte/{CardPayment.objects.get().pk}/retour/", follow=True)
    assert "Paiement par carte non terminé : rien n'a été débité." in _text(back)
    back = alice_client.post(hosted, {"cancel": "1"})
    assert "Paiement par carte annulé. Rien n'a été débité." in _text(alice_client.get(back["Location"], follow=True))
    assert CardPayment.objects.get().status == "cancelled"
    item.refresh_from_db()
    assert item.status == "upcoming"
    assert _start(alice_client, item) != hosted  # a new attempt, a new payment at the PSP
