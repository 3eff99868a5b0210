"""SMS codes: 6 digits, 5 minutes, single use, 3 tries, resend throttled; TOTP at login."""

from datetime import timedelta

import pyotp
import pytest
from django.utils import timezone

from abri.accounts.mfa import totp_provision, totp_verify
from abri.accounts.models import OneTimeCode
from tests.accounts.helpers import last_code, last_message
from tests.conftest import PIN

pytestmark = pytest.mark.django_db


def _start(client, customer):
    client.post("/connexion/", {"customer_number": customer.customer_number, "pin": PIN})


def test_sms_code_is_six_digits_and_never_stored_in_clear(client, alice):
    _start(client, alice)
    code = last_code(to=alice.phone)
    assert len(code) == 6
    row = OneTimeCode.objects.get(user=alice.user)
    assert code not in row.code_digest and row.expires_at - row.created_at == timedelta(minutes=5)


def test_three_wrong_codes_kill_the_challenge(client, alice):
    _start(client, alice)
    code = last_code(to=alice.phone)
    wrong = "000000" if code != "000000" else "111111"
    r1 = client.post("/connexion/verification/", {"code": wrong})
    assert "Il vous reste 2 essais" in r1.content.decode()
    client.post("/connexion/verification/", {"code": wrong})
    r3 = client.post("/connexion/verification/", {"code": wrong}, follow=True)
    assert "Reconnectez-vous pour recevoir un nouveau code" in r3.content.decode()
    r4 = client.post("/connexion/verification/", {"code": code})
    assert r4["Location"] == "/connexion/"  # the right code no longer helps
    assert client.get("/tableau-de-bord/").status_code == 302


def test_expired_code_is_refused_with_next_step(client, alice):
    _start(client, alice)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    html = client.post("/connexion/verification/", {"code": last_code(to=alice.phone)}).content.decode()
    assert "Ce code a expiré. Demandez un nouveau code." in html
    assert "Recevoir un nouveau code" in html


def test_replayed_code_is_refused(alice):
    from abri.accounts import services

    _method, challenge = services.second_factor_start(user=alice.user)
    code = last_code(to=alice.phone)
    assert services.second_factor_verify(challenge=challenge, code=code).ok
    replay = services.second_factor_verify(challenge=challenge, code=code)
    assert not replay.ok and replay.status == "used"


def test_resend_is_throttled(client, alice):
    _start(client, alice)
    response = client.post("/connexion/verification/renvoyer/", follow=True)
    assert "Vous pourrez en demander un autre dans" in response.content.decode()
    assert OneTimeCode.objects.filter(user=alice.user).count() == 1
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    client.post("/connexion/verification/renvoyer/")
    assert OneTimeCode.objects.filter(user=alice.user).count() == 2


def test_malformed_code_gets_message_and_costs_no_try(client, alice):
    _start(client, alice)
    for bad in ["", "abc", "١٢٣٤٥٦", "9" * 300]:
        html = client.post("/connexion/verification/", {"code": bad}).content.decode()
        assert 'aria-invalid="true"' in html
    assert OneTimeCode.objects.get(user=alice.user).attempts == 0


def test_customer_with_authenticator_app_is_asked_for_totp(client, alice):
    secret, _uri = totp_provision(user=alice.user)
    assert totp_verify(user=alice.user, code=pyotp.TOTP(secret).now(), confirm=True)
    _start(client, alice)
    assert last_message(to=alice.phone) is None  # no SMS
    page = client.get("/connexion/verification/").content.decode()
    assert "affiché par votre application" in page
    totp = pyotp.TOTP(secret)
    code = totp.at(timezone.now() + timedelta(seconds=30))  # next step: the current one was used
    response = client.post("/connexion/verification/", {"code": code})
    assert response["Location"] == "/tableau-de-bord/"


def test_recovery_code_works_once_instead_of_totp(client, alice):
    from abri.accounts.mfa import recovery_codes_generate

    secret, _uri = totp_provision(user=alice.user)
    totp_verify(user=alice.user, code=pyotp.TOTP(secret).now(), confirm=True)
    codes = recovery_codes_generate(user=alice.user)
    _start(client, alice)
    assert client.post("/connexion/verification/", {"code": codes[0]})["Location"] == "/tableau-de-bord/"
    client.post("/deconnexion/")
    _start(client, alice)
    html = client.post("/connexion/verification/", {"code": codes[0]}).content.decode()
    assert "Code incorrect" in html


def test_customer_without_phone_gets_the_code_by_email(client, alice):
    alice.phone = ""
    alice.save()
    _start(client, alice)
    assert last_code(to=alice.email, channel="email")
