"""API tokens are sessions: alerted on a new device, listed and endable on « Sécurité », idle out after
15 minutes, and die with every PIN or second-factor change (docs/security.md §10)."""

import json
import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from abri.accounts import services
from abri.accounts.mfa import _secret, totp_provision, totp_verify
from abri.accounts.models import ApiToken, TotpDevice
from abri.accounts.stepup import step_up_mark_fresh
from abri.accounts.tokens import token_issue
from abri.core.models import AuditLog
from abri.notifications.models import OutboxMessage
from tests.accounts.factories import StaffFactory
from tests.accounts.helpers import last_code, last_message, login_with_sms
from tests.conftest import PIN, logged_in_client

pytestmark = pytest.mark.django_db

MOBILE = "AbriMobile/3.1 (iPhone; iOS 17.4)"
NEW_DEVICE_SUBJECT = "Nouvelle connexion à votre espace client"


def _post(client, path, data=None, **extra):
    return client.post(f"/api/v1/auth/{path}", json.dumps(data or {}), content_type="application/json", **extra)


def _api_login(client, customer, *, trust=False, **extra) -> dict:
    """Customer number + PIN, then the SMS code, through the API: the JSON with the token."""
    challenge = _post(client, "login", {"customer_number": customer.customer_number, "pin": PIN},
                      **extra).json()["challenge"]
    response = _post(client, "second-factor", {"challenge": challenge, "code": last_code(to=customer.phone),
                                               "trust_device": trust}, **extra)
    assert response.status_code == 200, response.content
    return response.json()


def _me(raw: str):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def _end_url(token: ApiToken) -> str:
    return f"/securite/applications/{token.pk}/deconnecter/"


# --- « Nouvelle connexion » ------------------------------------------------------------------------
def test_new_device_api_login_sends_nouvelle_connexion_alert(client, alice):
    body = _api_login(client, alice, trust=True, HTTP_USER_AGENT=MOBILE)
    alerts = OutboxMessage.objects.filter(to=alice.email, channel="email", subject=NEW_DEVICE_SUBJECT)
    assert alerts.count() == 1
    assert "nouvel appareil (Application — iPhone)" in alerts.get().body
    # The same device, now trusted, logs in without a code and without a second alert (as on the web).
    again = _post(client, "login", {"customer_number": alice.customer_number, "pin": PIN},
                  HTTP_X_ABRI_DEVICE=body["device_token"], HTTP_USER_AGENT=MOBILE)
    assert again.status_code == 200 and again.json()["token"].startswith("abri_")
    assert alerts.count() == 1


# --- « Sécurité »: listed, endable, owner-scoped -----------------------------------------------------
def test_customer_can_end_an_api_token_from_securite_page(alice):
    raw = _api_login(Client(), alice, HTTP_USER_AGENT="AbriMobile/3.1 (Linux; Android 14)",
                     REMOTE_ADDR="203.0.113.7")["token"]
    web = logged_in_client(alice)
    html = web.get("/securite/").content.decode()
    assert "Applications et appareils connectés" in html
    assert "Application — Android" in html and "203.0.113.7" in html
    assert "Déconnecter" in html
    token = ApiToken.objects.get(user=alice.user)
    page = web.post(_end_url(token), follow=True).content.decode()
    assert "application a été déconnectée" in page
    assert "Aucune application connectée." in page
    assert _me(raw).status_code == 401  # the stolen token is dead on its next request
    assert ApiToken.objects.get(pk=token.pk).end_reason == "ended_by_customer"
    assert AuditLog.objects.filter(action="auth.api_token_ended", customer=alice).exists()


def test_bob_cannot_end_alices_token(alice, bob, bob_client):
    raw = token_issue(user=alice.user, label="Application — iPhone")
    token = ApiToken.objects.get(user=alice.user)
    assert bob_client.post(_end_url(token)).status_code == 404
    assert "Application — iPhone" not in bob_client.get("/securite/").content.decode()
    assert _me(raw).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_ending_an_api_token_needs_the_csrf_token(alice):
    raw = token_issue(user=alice.user)
    token = ApiToken.objects.get(user=alice.user)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(alice.user, backend="abri.accounts.backends.CustomerPinBackend")
    assert forged.post(_end_url(token)).status_code == 403
    assert forged.get(_end_url(token)).status_code == 405
    assert _me(raw).status_code == 200


# --- Idle timeout, like a web session ------------------------------------------------------------------
def test_idle_api_token_is_refused_after_idle_timeout(client, alice):
    with freeze_time("2025-03-03 09:00:00") as clock:
        raw = _api_login(client, alice)["token"]
        clock.tick(timedelta(minutes=14))
        assert _me(raw).status_code == 200  # used within 15 minutes: still alive
        clock.tick(timedelta(minutes=14))
        assert _me(raw).status_code == 200  # 28 minutes after login, 14 after the last use
        clock.tick(timedelta(minutes=15, seconds=1))
        response = _me(raw)
    assert response.status_code == 401
    assert ApiToken.objects.get(user=alice.user).end_reason == "idle"
    assert AuditLog.objects.filter(action="auth.api_token_expired_idle", customer=alice).count() == 1


def test_api_token_last_use_is_written_at_most_every_30_seconds(alice):
    with freeze_time("2025-03-03 09:00:00") as clock:
        issued = timezone.now()
        raw = token_issue(user=alice.user)
        clock.tick(timedelta(seconds=10))
        assert _me(raw).status_code == 200
        assert ApiToken.objects.get(user=alice.user).last_used_at == issued  # no write for this request
        clock.tick(timedelta(seconds=25))
        assert _me(raw).status_code == 200
        assert ApiToken.objects.get(user=alice.user).last_used_at == issued + timedelta(seconds=35)
        # Idle time counts from the recorded use: a token ends at most 30 s early, never late.
        clock.tick(timedelta(minutes=15, seconds=1))
        assert _me(raw).status_code == 401


def test_idle_api_token_is_no_longer_listed_on_securite(alice, alice_client):
    token_issue(user=alice.user, label="Application — iPhone")
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=16))
    html = alice_client.get("/securite/").content.decode()
    assert "Application — iPhone" not in html and "Aucune application connectée." in html


# --- Credential changes revoke every token --------------------------------------------------------------
def _recovery_link_new_pin(client, customer, new_pin="582017"):
    body = last_message(to=customer.email, channel="email").body
    link = re.search(r"https?://[^/]+(/identifiants-oublies/lien/[^/\s]+/)", body).group(1)
    client.post(link)  # the link is opened by POST (a GET only shows the « Continuer » button)
    response = client.post("/identifiants-oublies/nouveau-code-secret/", {"pin": new_pin, "pin_confirm": new_pin})
    assert response["Location"] == "/connexion/"


@pytest.mark.parametrize("path", ["change", "recovery", "advisor_reset"])
def test_stolen_api_token_dies_when_pin_changes(alice, path):
    raw = _api_login(Client(), alice)["token"]
    web = Client()
    if path == "change":
        login_with_sms(web, alice)
        step_up_mark_fresh(web)
        response = web.post("/securite/code-secret/", {"current_pin": PIN, "pin": "582017", "pin_confirm": "582017"})
        assert response["Location"] == "/securite/"
    elif path == "recovery":
        web.post("/identifiants-oublies/code-secret/", {"customer_number": alice.customer_number,
                                                         "birth_date": "15/06/1985", "channel": "email"})
        _recovery_link_new_pin(web, alice)
    else:
        services.pin_reset_start_by_advisor(staff=StaffFactory(), customer=alice)
        _recovery_link_new_pin(web, alice)
    assert _me(raw).status_code == 401
    assert not ApiToken.objects.active().filter(user=alice.user).exists()


def test_stolen_api_token_dies_when_an_authenticator_app_is_enrolled(alice):
    raw = _api_login(Client(), alice)["token"]
    web = Client()
    login_with_sms(web, alice)  # the login code makes the step-up fresh
    web.get("/securite/application/")
    code = pyotp.TOTP(_secret(TotpDevice.objects.get(user=alice.user))).now()
    assert "<li><code>" in web.post("/securite/application/", {"code": code}).content.decode()
    assert _me(raw).status_code == 401
    assert ApiToken.objects.get(user=alice.user).end_reason == "credential_change"
    assert web.get("/securite/").status_code == 200  # the session that made the change stays


def test_stolen_api_token_dies_when_the_authenticator_app_is_removed(alice, alice_client):
    _secret_raw, _uri = totp_provision(user=alice.user)
    assert totp_verify(user=alice.user, code=pyotp.TOTP(_secret_raw).now(), confirm=True)
    raw = token_issue(user=alice.user)
    step_up_mark_fresh(alice_client)
    assert alice_client.post("/securite/application/retirer/")["Location"] == "/securite/"
    assert not TotpDevice.objects.filter(user=alice.user).exists()
    assert _me(raw).status_code == 401


def test_stolen_api_token_dies_when_the_phone_changes(alice, alice_client):
    raw = _api_login(Client(), alice)["token"]
    step_up_mark_fresh(alice_client)
    response = alice_client.post("/mon-compte/coordonnees/", {"email": alice.email, "phone": "06 11 22 33 44"})
    assert response["Location"] == "/mon-compte/"
    assert _me(raw).status_code == 401
    assert alice_client.get("/mon-compte/").status_code == 200  # the session that made the change stays


def test_ending_the_other_sessions_also_cuts_off_a_stolen_api_token(alice):
    """« Terminer les autres sessions » is what a worried customer presses: an app signed in with their
    stolen PIN and code must stop working too, not only the other browsers."""
    raw = _api_login(Client(), alice, HTTP_USER_AGENT=MOBILE)["token"]
    web = logged_in_client(alice)
    page = web.post("/securite/sessions/terminer-les-autres/", follow=True).content.decode()
    assert "autre session a été terminée" in page or "autres sessions ont été terminées" in page
    assert _me(raw).status_code == 401
    assert ApiToken.objects.get(user=alice.user).end_reason == "ended_by_customer"
    assert "Aucune application connectée." in web.get("/securite/").content.decode()
