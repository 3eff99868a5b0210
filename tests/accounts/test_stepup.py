"""Step-up: sensitive actions ask for the second factor again, fresh for 5 minutes."""

from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from abri.accounts.models import RecoveryCode, TotpDevice
from abri.accounts.stepup import SESSION_KEY, step_up_mark_fresh
from abri.core.models import AuditLog
from abri.notifications.models import OutboxMessage
from tests.accounts.helpers import last_code, login_with_sms

pytestmark = pytest.mark.django_db


def test_contact_change_asks_for_sms_code_even_on_a_trusted_session(alice_client, alice):
    response = alice_client.get("/mon-compte/coordonnees/")
    assert response["Location"] == "/securite/confirmation/?next=%2Fmon-compte%2Fcoordonnees%2F"
    page = alice_client.get(response["Location"]).content.decode()
    assert "Code de vérification" in page
    response = alice_client.post(response["Location"], {"code": last_code(to=alice.phone),
                                                        "next": "/mon-compte/coordonnees/"})
    assert response["Location"] == "/mon-compte/coordonnees/"
    old_email = alice.email
    response = alice_client.post("/mon-compte/coordonnees/", {"email": "alice.new@exemple.fr",
                                                              "phone": "06 11 22 33 44"})
    assert response["Location"] == "/mon-compte/"
    alice.refresh_from_db()
    assert alice.email == "alice.new@exemple.fr" and alice.phone == "+33611223344"
    assert OutboxMessage.objects.filter(to=old_email, subject__contains="coordonnées").exists()
    assert OutboxMessage.objects.filter(to="+33600000001", body__contains="coordonnées").exists()
    assert AuditLog.objects.filter(action="account.contact_changed", customer=alice).exists()


def test_step_up_is_fresh_for_5_minutes_only(alice_client):
    step_up_mark_fresh(alice_client)
    assert alice_client.get("/mon-compte/coordonnees/").status_code == 200
    session = alice_client.session
    session[SESSION_KEY] = (timezone.now() - timedelta(minutes=6)).timestamp()
    session.save()
    assert alice_client.get("/mon-compte/coordonnees/").status_code == 302


def test_wrong_step_up_code_is_refused(alice_client, alice):
    url = "/securite/confirmation/?next=/securite/application/"
    alice_client.get(url)
    code = last_code(to=alice.phone)
    html = alice_client.post(url, {"code": "000000" if code != "000000" else "111111"}).content.decode()
    assert "Il vous reste 2 essais" in html
    assert alice_client.get("/securite/application/").status_code == 302


def test_step_up_next_cannot_leave_the_site(alice_client, alice):
    url = "/securite/confirmation/?next=https://evil.example/"
    alice_client.get(url)
    response = alice_client.post(url, {"code": last_code(to=alice.phone)})
    assert response["Location"] == "/tableau-de-bord/"


def test_totp_enrolment_with_qr_code_and_ten_recovery_codes(client, alice):
    login_with_sms(client, alice)  # passing the login code makes the step-up fresh
    page = client.get("/securite/application/").content.decode()
    assert 'src="data:image/svg+xml' in page
    secret = TotpDevice.objects.get(user=alice.user)
    from abri.accounts.mfa import _secret

    raw = _secret(secret)
    html = client.post("/securite/application/", {"code": pyotp.TOTP(raw).now()}).content.decode()
    assert html.count("<li><code>") == 10
    assert RecoveryCode.objects.filter(user=alice.user).count() == 10
    assert AuditLog.objects.filter(action="auth.mfa_enrolled").exists()
    assert OutboxMessage.objects.filter(to=alice.phone, body__contains="double authentification").exists()
    # Next login from a new device asks for the app, not an SMS.
    from django.test import Client

    other = Client()
    other.post("/connexion/", {"customer_number": alice.customer_number, "pin": "246813"})
    assert "affiché par votre application" in other.get("/connexion/verification/").content.decode()


def test_mfa_settings_require_step_up(alice_client):
    response = alice_client.post("/securite/application/retirer/", HTTP_REFERER="http://testserver/securite/")
    assert response["Location"].startswith("/securite/confirmation/?next=%2Fsecurite%2F")
