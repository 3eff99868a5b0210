"""Sessions: idle 15 min, absolute 12 h, listed and endable on « Sécurité », ended by credential changes."""

import time

import pytest
from django.test import Client

from abri.accounts.auth_flow import SESSION_AUTH_AT, SESSION_SEEN_AT
from abri.accounts.models import ApiToken, UserSession
from abri.accounts.stepup import step_up_mark_fresh
from abri.accounts.tokens import token_issue
from abri.notifications.models import OutboxMessage
from tests.accounts.helpers import login_with_sms
from tests.conftest import PIN

pytestmark = pytest.mark.django_db


def _age(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_idle_session_expires_after_15_minutes_with_a_message(client, alice):
    login_with_sms(client, alice)
    _age(client, SESSION_SEEN_AT, 15 * 60 + 5)
    response = client.get("/contrats/", follow=True)
    assert response.redirect_chain[0][0].startswith("/connexion/?next=%2Fcontrats%2F")
    assert "inactivité" in response.content.decode()
    assert UserSession.objects.get(user=alice.user).end_reason == "idle"


def test_activity_within_15_minutes_keeps_the_session(client, alice):
    login_with_sms(client, alice)
    _age(client, SESSION_SEEN_AT, 14 * 60)
    assert client.get("/tableau-de-bord/").status_code == 200
    assert client.get("/tableau-de-bord/").status_code == 200


def test_absolute_lifetime_is_12_hours(client, alice):
    login_with_sms(client, alice)
    _age(client, SESSION_AUTH_AT, 12 * 3600 + 1)
    assert client.get("/tableau-de-bord/")["Location"].startswith("/connexion/")


def test_keep_alive_answers_204_for_the_script(client, alice):
    login_with_sms(client, alice)
    response = client.post("/session/prolonger/", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 204
    assert Client().post("/session/prolonger/").status_code in (401, 403)


def test_security_page_lists_sessions_and_ends_the_others(alice):
    first, second = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/130.0"), Client(
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/605")
    login_with_sms(first, alice, trust=True)
    from django.utils import timezone

    from abri.accounts.models import OneTimeCode

    OneTimeCode.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=2))
    login_with_sms(second, alice)
    html = first.get("/securite/").content.decode()
    assert "Firefox — Windows" in html and "iPhone" in html and "cette session" in html
    first.post("/securite/sessions/terminer-les-autres/")
    assert second.get("/tableau-de-bord/")["Location"].startswith("/connexion/")
    assert first.get("/tableau-de-bord/").status_code == 200


def test_ending_one_session_by_id_is_scoped_to_the_owner(alice, bob):
    alice_client, bob_client = Client(), Client()
    login_with_sms(alice_client, alice)
    login_with_sms(bob_client, bob)
    bob_session = UserSession.objects.get(user=bob.user)
    alice_client.post(f"/securite/sessions/{bob_session.pk}/terminer/")
    assert bob_client.get("/tableau-de-bord/").status_code == 200


def test_pin_change_ends_other_sessions_revokes_tokens_and_alerts(alice):
    first, second = Client(), Client()
    login_with_sms(first, alice)
    from django.utils import timezone

    from abri.accounts.models import OneTimeCode

    OneTimeCode.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=2))
    login_with_sms(second, alice)
    token_issue(user=alice.user)
    step_up_mark_fresh(first)
    response = first.post("/securite/code-secret/", {"current_pin": PIN, "pin": "582017",
                                                       "pin_confirm": "582017"})
    assert response["Location"] == "/securite/"
    assert first.get("/tableau-de-bord/").status_code == 200  # this session stays
    assert second.get("/tableau-de-bord/")["Location"].startswith("/connexion/")
    assert not ApiToken.objects.active().filter(user=alice.user).exists()
    assert OutboxMessage.objects.filter(to=alice.phone, body__contains="code secret a été modifié").exists()


def test_wrong_current_pin_is_refused(alice_client):
    step_up_mark_fresh(alice_client)
    html = alice_client.post("/securite/code-secret/", {"current_pin": "999999", "pin": "582017",
                                                         "pin_confirm": "582017"}).content.decode()
    assert "Code secret actuel incorrect" in html


def test_logout_ends_the_session_row(client, alice):
    login_with_sms(client, alice)
    client.post("/deconnexion/")
    assert UserSession.objects.get(user=alice.user).end_reason == "logout"
    assert client.get("/tableau-de-bord/").status_code == 302
