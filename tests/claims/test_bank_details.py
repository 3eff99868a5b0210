"""Bank details follow the bank-details rule: the IBAN given in a claim declaration asks for a fresh second
factor (web and API) like any bank-details change, and the customer is told, with only the last 4 characters."""

import json
from datetime import timedelta

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from abri.accounts.models import ApiToken
from abri.accounts.stepup import step_up_mark_fresh
from abri.accounts.tokens import token_issue
from abri.claims import services
from abri.claims.models import ClaimDraft
from abri.core.crypto import decrypt_text
from abri.core.models import AuditLog
from abri.notifications.models import Notification, OutboxMessage
from tests.accounts.helpers import last_code

pytestmark = pytest.mark.django_db

IBAN = "FR14 2004 1010 0505 0001 3M02 606"
COMPACT = IBAN.replace(" ", "")
OTHER_IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def draft(alice, alice_contract):
    draft = services.draft_start(customer=alice)
    return services.draft_save_step(customer=alice, draft=draft, step="home",
                                    values={"contract": alice_contract.number}, next_step="event")


def _bank_url(draft) -> str:
    return f"/sinistres/declarer/{draft.key}/bank/"


def _alerts(alice):
    return OutboxMessage.objects.filter(Q(subject__contains="coordonnées bancaires")
                                        | Q(body__contains="coordonnées bancaires"), customer=alice)


def _nothing_in_clear(alice, draft):
    draft.refresh_from_db()
    stored = json.dumps(draft.data)
    assert COMPACT not in stored and "FR14" not in stored
    for message in OutboxMessage.objects.filter(customer=alice):
        assert COMPACT not in message.body.replace(" ", "") and "FR14" not in message.body


def test_an_iban_in_the_wizard_asks_for_the_second_factor_without_losing_what_was_typed(alice, alice_client, draft):
    response = alice_client.post(_bank_url(draft), {"iban": IBAN, "holder": "Alice Durand"})
    # 1. Not fresh: the typed IBAN is kept (encrypted) in the draft, then the step-up.
    assert response.status_code == 302
    assert response["Location"] == f"/securite/confirmation/?next=%2Fsinistres%2Fdeclarer%2F{draft.key}%2Fbank%2F"
    draft.refresh_from_db()
    assert "bank" not in draft.data and draft.data["bank_pending"]["iban_last4"] == "2606"
    assert not _alerts(alice).exists()
    _nothing_in_clear(alice, draft)
    # 2. The second factor (SMS code), then back to the same step.
    page = alice_client.get(response["Location"]).content.decode()
    assert "Code de vérification" in page
    back = alice_client.post(response["Location"], {"code": last_code(to=alice.phone)})
    assert back["Location"] == _bank_url(draft)
    step = alice_client.get(_bank_url(draft)).content.decode()
    assert "Enregistrer l'IBAN se terminant par 2606" in step
    # 3. Confirmed: recorded for the indemnity, and the customer is told by e-mail and SMS (last 4 only).
    saved = alice_client.post(_bank_url(draft), {"confirm_pending": "1"})
    assert saved["Location"] == f"/sinistres/declarer/{draft.key}/evidence/"
    draft.refresh_from_db()
    assert draft.data["bank"]["iban_last4"] == "2606" and "bank_pending" not in draft.data
    assert decrypt_text(draft.data["bank"]["iban_encrypted"], purpose=services.IBAN_PURPOSE) == COMPACT
    assert {m.channel for m in _alerts(alice)} == {"email", "sms"}
    assert all("2606" in m.body for m in _alerts(alice))
    assert Notification.objects.filter(customer=alice, title="Vos coordonnées bancaires ont été enregistrées").exists()
    assert AuditLog.objects.filter(action="claim.bank_details_set").exists()
    _nothing_in_clear(alice, draft)


def test_an_iban_given_with_a_fresh_second_factor_is_recorded_at_once_and_notified(alice, alice_client, draft):
    step_up_mark_fresh(alice_client)
    response = alice_client.post(_bank_url(draft), {"iban": IBAN, "holder": "Alice Durand"})
    assert response["Location"] == f"/sinistres/declarer/{draft.key}/evidence/"
    draft.refresh_from_db()
    assert draft.data["bank"]["iban_last4"] == "2606"
    assert _alerts(alice).count() == 2


def test_changing_the_iban_asks_again_once_the_second_factor_is_stale(alice, alice_client, draft):
    step_up_mark_fresh(alice_client)
    alice_client.post(_bank_url(draft), {"iban": IBAN, "holder": "Alice Durand"})
    session = alice_client.session
    session["abri_step_up_at"] = (timezone.now() - timedelta(minutes=20)).timestamp()
    session.save()
    response = alice_client.post(_bank_url(draft), {"iban": OTHER_IBAN, "holder": "Mallory"})
    assert response["Location"].startswith("/securite/confirmation/")
    # Confirming the kept IBAN without the second factor goes back to the step-up, changing nothing.
    assert alice_client.post(_bank_url(draft), {"confirm_pending": "1"})["Location"].startswith(
        "/securite/confirmation/")
    draft.refresh_from_db()
    assert draft.data["bank"]["iban_last4"] == "2606" and draft.data["bank_pending"]["iban_last4"] == "3000"
    assert _alerts(alice).count() == 2  # only the first one


def test_giving_the_iban_later_needs_no_second_factor(alice, alice_client, draft):
    alice_client.post(_bank_url(draft), {"iban": IBAN, "holder": "Alice Durand"})  # kept, step-up not passed
    response = alice_client.post(_bank_url(draft), {"later": "on"})
    assert response["Location"] == f"/sinistres/declarer/{draft.key}/evidence/"
    draft.refresh_from_db()
    assert draft.data["bank"] == {"later": True, "holder": ""} and "bank_pending" not in draft.data
    assert not _alerts(alice).exists()


def test_the_save_step_service_refuses_an_iban_that_skipped_the_step_up(alice, draft):
    with pytest.raises(ValueError, match="step-up"):
        services.draft_save_step(customer=alice, draft=draft, step="bank",
                                 values={**services.iban_protect(COMPACT), "holder": "A"}, next_step="evidence")


def test_an_iban_posted_after_the_session_expired_is_not_kept_in_clear(alice, draft):
    client = Client()
    client.post(_bank_url(draft), {"iban": IBAN, "holder": "Alice Durand"})
    assert "3M02" not in json.dumps(dict(client.session.items()))
    assert "Alice Durand" in json.dumps(dict(client.session.items()), ensure_ascii=False)


def test_api_bank_step_answers_step_up_required_then_notifies(alice, draft):
    raw = token_issue(user=alice.user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/declarations/{draft.key}/steps/bank"
    refused = client.put(url, {"iban": COMPACT, "holder": "Alice"}, content_type="application/json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "https://abri.example/problems/step-up-required"
    assert "bank" not in ClaimDraft.objects.get(pk=draft.pk).data
    later = client.put(url, {"later": True}, content_type="application/json")
    assert later.status_code == 200 and later.json()["data"]["bank"]["later"] is True
    ApiToken.objects.filter(user=alice.user).update(step_up_at=timezone.now())
    saved = client.put(url, {"iban": COMPACT, "holder": "Alice"}, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["data"]["bank"]["iban_last4"] == "2606" and "iban_encrypted" not in saved.content.decode()
    assert {m.channel for m in _alerts(alice)} == {"email", "sms"}
    _nothing_in_clear(alice, draft)
