"""Forgotten PIN / customer number: never reveals an account, never bypasses an enrolled app."""

import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from abri.accounts import services
from abri.accounts.mfa import totp_provision, totp_verify
from abri.accounts.models import LoginThrottle, OneTimeCode
from abri.core.models import AuditLog
from abri.notifications.models import OutboxMessage
from tests.accounts.factories import StaffFactory
from tests.accounts.helpers import last_code, last_message

pytestmark = pytest.mark.django_db


def _ask(client, customer, channel="email", **over):
    data = {"customer_number": customer.customer_number, "birth_date": "15/06/1985", "channel": channel, **over}
    return client.post("/identifiants-oublies/code-secret/", data)


def _link(customer) -> str:
    body = last_message(to=customer.email, channel="email").body
    return re.search(r"https?://[^/]+(/identifiants-oublies/lien/[^/\s]+/)", body).group(1)


def test_email_link_sets_a_new_pin_and_unlocks(client, alice):
    LoginThrottle.objects.create(customer_number=alice.customer_number, user=alice.user, locked_at=timezone.now())
    html = _ask(client, alice).content.decode()
    assert "Si ces informations correspondent" in html
    link = _link(alice)
    assert "Choisir un nouveau code secret" in client.get(link).content.decode()
    assert client.post(link)["Location"] == "/identifiants-oublies/nouveau-code-secret/"
    response = client.post("/identifiants-oublies/nouveau-code-secret/", {"pin": "582017", "pin_confirm": "582017"})
    assert response["Location"] == "/connexion/"
    alice.user.refresh_from_db()
    assert alice.user.check_password("582017")
    assert not services.customer_is_locked(customer=alice)
    assert OutboxMessage.objects.filter(to=alice.phone, body__contains="code secret a été modifié").exists()
    # Single use: the same link again is refused with a clear next step.
    assert client.post(link).status_code == 410
    again = client.get(link)
    assert again.status_code == 410 and "déjà été utilisé" in again.content.decode()
    assert "Faire une nouvelle demande" in again.content.decode()


def test_expired_link_is_refused_with_next_step(client, alice):
    _ask(client, alice)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(_link(alice))
    assert response.status_code == 410 and "expiré" in response.content.decode()
    assert client.post(_link(alice)).status_code == 410


def test_sms_code_recovery(client, alice):
    assert _ask(client, alice, channel="sms")["Location"] == "/identifiants-oublies/code/"
    client.post("/identifiants-oublies/code/", {"code": last_code(to=alice.phone)})
    client.post("/identifiants-oublies/nouveau-code-secret/", {"pin": "582017", "pin_confirm": "582017"})
    alice.user.refresh_from_db()
    assert alice.user.check_password("582017")


def test_unknown_identity_gets_the_same_answer_and_nothing_is_sent(client, alice):
    known = _ask(client, alice).content.decode()
    sent = OutboxMessage.objects.count()
    unknown = _ask(client, alice, birth_date="01/01/1970").content.decode()
    strip = lambda html: re.sub(r'value="[^"]+"', "", html)  # noqa: E731
    assert strip(known) == strip(unknown)
    assert OutboxMessage.objects.count() == sent


def test_enrolled_authenticator_app_is_never_bypassed(client, alice):
    secret, _uri = totp_provision(user=alice.user)
    totp_verify(user=alice.user, code=pyotp.TOTP(secret).now(), confirm=True)
    _ask(client, alice)
    client.post(_link(alice))
    html = client.post("/identifiants-oublies/nouveau-code-secret/",
                       {"pin": "582017", "pin_confirm": "582017", "totp_code": "000000"}).content.decode()
    assert "Code incorrect" in html
    alice.user.refresh_from_db()
    assert not alice.user.check_password("582017")
    code = pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30))
    client.post("/identifiants-oublies/nouveau-code-secret/",
                {"pin": "582017", "pin_confirm": "582017", "totp_code": code})
    alice.user.refresh_from_db()
    assert alice.user.check_password("582017")


def test_forgotten_number_is_sent_to_the_contact_on_file(client, alice):
    html = client.post("/identifiants-oublies/numero-client/", {"contact": alice.email.upper()}).content.decode()
    assert "Si ces informations correspondent" in html
    assert alice.customer_number in last_message(to=alice.email, channel="email").body
    client.post("/identifiants-oublies/numero-client/", {"contact": "06 00 00 00 01"})
    assert alice.customer_number in last_message(to=alice.phone).body
    before = OutboxMessage.objects.count()
    html2 = client.post("/identifiants-oublies/numero-client/", {"contact": "nobody@example.org"}).content.decode()
    assert "Si ces informations correspondent" in html2 and OutboxMessage.objects.count() == before


def test_malformed_contact_gets_french_message(client):
    html = client.post("/identifiants-oublies/numero-client/", {"contact": "pas un contact"}).content.decode()
    assert "Saisissez une adresse e-mail ou un numéro de mobile" in html


def test_advisor_starts_a_reset_without_seeing_the_link(alice):
    advisor = StaffFactory()
    channel = services.pin_reset_start_by_advisor(staff=advisor, customer=alice)
    assert channel == "email"
    entry = AuditLog.objects.get(action="auth.pin_reset_started_by_advisor")
    assert entry.actor == advisor and entry.customer == alice
    assert "lien" not in str(entry.data) and "/identifiants-oublies/lien/" in last_message(
        to=alice.email, channel="email").body


def test_anonymous_requests_are_rate_limited_per_address(client, alice):
    for _ in range(10):
        _ask(client, alice, birth_date="01/01/1970")
    assert _ask(client, alice).status_code == 429


def test_a_mail_scanner_opening_the_link_neither_uses_it_nor_opens_a_session(client, alice):
    """Link previews (mail scanners, chat apps) fetch the page with GET: only the POST behind the button opens
    the request, in the browser that pressed it."""
    _ask(client, alice)
    link = _link(alice)
    scanner = Client()
    page = scanner.get(link)
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert "Choisir un nouveau code secret" in page.content.decode()
    assert OneTimeCode.objects.get(user=alice.user, purpose="recovery").verified_at is None
    assert scanner.get("/identifiants-oublies/nouveau-code-secret/")["Location"] == "/identifiants-oublies/code-secret/"
    assert client.post(link)["Location"] == "/identifiants-oublies/nouveau-code-secret/"
    assert client.get("/identifiants-oublies/nouveau-code-secret/").status_code == 200
