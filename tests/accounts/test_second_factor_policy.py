"""Wrong second-factor codes count per person, across challenges and doors, with the PIN's delay, lock
and alert (DESIGN.md « Login policy »); the recovery's authenticator step gives 3 tries, then is consumed."""

import json
import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from abri.accounts import services
from abri.accounts.mfa import totp_provision, totp_verify
from abri.accounts.models import ApiToken, LoginFailure, LoginThrottle, OneTimeCode
from abri.accounts.tokens import token_issue
from abri.notifications.models import OutboxMessage
from tests.accounts.helpers import last_code, last_message
from tests.conftest import PIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_app(alice):
    """Alice with a confirmed authenticator app; returns its secret."""
    secret, _uri = totp_provision(user=alice.user)
    assert totp_verify(user=alice.user, code=pyotp.TOTP(secret).now(), confirm=True)
    return secret


def _wrong_totp(secret: str) -> str:
    """A 6-digit code that no accepted time step produces now."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(timezone.now() + timedelta(seconds=30 * k)) for k in range(-2, 3)}
    return next(f"{n:06d}" for n in range(100000, 200000) if f"{n:06d}" not in valid)


def _right_totp(secret: str) -> str:
    return pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30))


def _skip_delay():
    LoginThrottle.objects.update(factor_retry_not_before=None)


def _factor_failures(customer) -> int:
    return LoginFailure.objects.filter(customer_number=customer.customer_number,
                                       kind=LoginFailure.Kind.SECOND_FACTOR).count()


def _assert_lock_alert(customer):
    sms = OutboxMessage.objects.filter(to=customer.phone, channel="sms", body__contains="bloqué")
    mail = OutboxMessage.objects.filter(to=customer.email, channel="email", subject__contains="bloqué")
    assert sms.exists() and mail.exists()
    assert "codes de vérification erronés" in mail.get().body


def _web_login(client, customer):
    response = client.post("/connexion/", {"customer_number": customer.customer_number, "pin": PIN})
    assert response["Location"] == "/connexion/verification/", response.status_code
    return response


def test_new_login_challenges_do_not_reset_wrong_totp_codes_delay_then_lock_with_alert(alice, alice_app):
    """The attack: PIN known, a new login challenge before each guess of the app code."""
    client = Client()
    wrong = _wrong_totp(alice_app)
    for n in range(1, 5):
        _web_login(client, alice)
        page = client.post("/connexion/verification/", {"code": wrong}).content.decode()
        assert "Code incorrect. Il vous reste 2 essais." in page and "attendez" not in page, n
    _web_login(client, alice)
    fifth = client.post("/connexion/verification/", {"code": wrong}).content.decode()
    assert "Par sécurité, attendez 1 minute avant de réessayer." in fifth
    throttle = LoginThrottle.objects.get(customer_number=alice.customer_number)
    assert (throttle.factor_retry_not_before - timezone.now()).total_seconds() >= 59
    # During the delay a new challenge does not help, and even the right code is not checked.
    _web_login(client, alice)
    during = client.post("/connexion/verification/", {"code": _right_totp(alice_app)})
    assert during.status_code == 429 and int(during["Retry-After"]) >= 59
    assert "Trop de codes erronés. Par sécurité, réessayez dans 1 minute." in during.content.decode()
    assert client.get("/tableau-de-bord/").status_code == 302
    assert _factor_failures(alice) == 5  # refused unchecked: not counted
    for n in range(6, 10):
        _skip_delay()
        _web_login(client, alice)
        page = client.post("/connexion/verification/", {"code": wrong}).content.decode()
        left = 10 - n
        if left <= 3:
            assert f"Attention : après {left} nouvelle" in page, n
    _skip_delay()
    _web_login(client, alice)
    tenth = client.post("/connexion/verification/", {"code": wrong})
    assert tenth.status_code == 423
    assert "Votre accès est bloqué après trop de codes de vérification erronés." in tenth.content.decode()
    _assert_lock_alert(alice)
    # Locked: the right PIN is refused at once, no new challenge is opened.
    right_pin = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    assert right_pin.status_code == 423
    assert _factor_failures(alice) == 10


def _api(client, path, data=None, **headers):
    return client.post(f"/api/v1/auth/{path}", json.dumps(data or {}), content_type="application/json", **headers)


def test_new_api_login_challenges_do_not_reset_wrong_totp_codes(alice, alice_app):
    client = Client()
    wrong = _wrong_totp(alice_app)
    statuses = []
    for _ in range(12):
        _skip_delay()
        challenge = _api(client, "login", {"customer_number": alice.customer_number, "pin": PIN}).json().get(
            "challenge")
        if challenge is None:
            statuses.append("login refused")
            continue
        response = _api(client, "second-factor", {"challenge": challenge, "code": wrong})
        statuses.append(response.status_code)
        if len(statuses) == 5:
            assert int(response["Retry-After"]) >= 59 and response.json()["retry_after"] >= 59
        if len(statuses) == 8:
            assert response.json()["remaining_attempts"] == 2
    assert statuses == [401] * 9 + [423, "login refused", "login refused"]
    _assert_lock_alert(alice)
    assert _factor_failures(alice) == 10


def test_step_up_with_a_stolen_token_cannot_guess_the_app_code(alice, alice_app):
    """The attack: a stolen bearer token, a new step-up challenge before each guess."""
    token = token_issue(user=alice.user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    wrong = _wrong_totp(alice_app)
    statuses = []
    for n in range(1, 13):
        started = _api(client, "step-up", {}, **auth)
        if started.status_code != 200:
            statuses.append(f"start {started.status_code}")
            continue
        response = _api(client, "step-up", {"challenge": started.json()["challenge"], "code": wrong}, **auth)
        statuses.append(response.status_code)
        if n == 6:  # the delay from the 5th wrong code: not checked, not counted
            assert response.status_code == 429 and int(response["Retry-After"]) >= 59
            assert response.json()["reason"] == "throttled"
        if n >= 6:
            _skip_delay()
    assert statuses == [401] * 5 + [429] + [401] * 4 + [423, "start 401"]
    assert ApiToken.objects.get(user=alice.user).revoked_at is not None  # the stolen token is dead
    _assert_lock_alert(alice)
    assert _factor_failures(alice) == 10


def test_browser_step_up_cannot_guess_sms_codes_with_new_challenges(alice):
    """Same policy for SMS codes, through the step-up page of a stolen session."""
    from tests.conftest import logged_in_client

    client = logged_in_client(alice)
    url = "/securite/confirmation/?next=/securite/application/"
    pages = []
    for _ in range(6):
        session = client.session
        session.pop("abri_step_up_challenge", None)  # the attacker opens a new challenge each time
        session.save()
        OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))  # resend budget
        client.get(url)
        code = last_code(to=alice.phone)
        wrong = "000000" if code != "000000" else "111111"
        response = client.post(url, {"code": wrong})
        pages.append((response.status_code, response.content.decode()))
    assert all("Il vous reste 2 essais" in html for _status, html in pages[:5])
    assert "Par sécurité, attendez 1 minute avant de réessayer." in pages[4][1]
    assert pages[5][0] == 429 and "Trop de codes erronés" in pages[5][1]
    assert _factor_failures(alice) == 5


def test_wrong_codes_add_up_across_doors(alice, alice_app):
    """Web login, API login and step-up share one counter per person."""
    wrong = _wrong_totp(alice_app)
    web = Client()
    for _ in range(3):
        _web_login(web, alice)
        web.post("/connexion/verification/", {"code": wrong})
    api = Client()
    challenge = _api(api, "login", {"customer_number": alice.customer_number, "pin": PIN}).json()["challenge"]
    _api(api, "second-factor", {"challenge": challenge, "code": wrong})
    token = token_issue(user=alice.user)
    started = _api(api, "step-up", {}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    fifth = _api(api, "step-up", {"challenge": started["challenge"], "code": wrong},
                 HTTP_AUTHORIZATION=f"Bearer {token}")
    assert fifth.status_code == 401 and int(fifth["Retry-After"]) >= 59
    assert LoginThrottle.objects.get(customer_number=alice.customer_number).factor_failures == 5


def test_a_right_code_resets_the_consecutive_count_but_a_right_pin_does_not(alice, alice_app):
    client = Client()
    wrong = _wrong_totp(alice_app)
    for _ in range(4):
        _web_login(client, alice)  # a right PIN each time
        client.post("/connexion/verification/", {"code": wrong})
    assert LoginThrottle.objects.get(customer_number=alice.customer_number).factor_failures == 4
    _web_login(client, alice)
    assert client.post("/connexion/verification/", {"code": _right_totp(alice_app)})["Location"] == (
        "/tableau-de-bord/")
    assert LoginThrottle.objects.get(customer_number=alice.customer_number).factor_failures == 0


# --- Recovery: the authenticator step ------------------------------------------------------------
def _recovery_link(client, customer):
    OneTimeCode.objects.filter(purpose="recovery").update(created_at=timezone.now() - timedelta(minutes=5))
    client.post("/identifiants-oublies/code-secret/", {"customer_number": customer.customer_number,
                                                       "birth_date": "15/06/1985", "channel": "email"})
    body = last_message(to=customer.email, channel="email").body
    link = re.search(r"https?://[^/]+(/identifiants-oublies/lien/[^/\s]+/)", body).group(1)
    assert client.post(link)["Location"] == "/identifiants-oublies/nouveau-code-secret/"


def _new_pin(client, totp_code):
    return client.post("/identifiants-oublies/nouveau-code-secret/",
                       {"pin": "582017", "pin_confirm": "582017", "totp_code": totp_code})


def test_recovery_gives_three_authenticator_tries_then_is_consumed(client, alice, alice_app):
    """The attack: 200 wrong app codes on one recovery, then the right one."""
    _recovery_link(client, alice)
    wrong = _wrong_totp(alice_app)
    first = _new_pin(client, wrong).content.decode()
    assert "Code incorrect : saisissez le code affiché par votre application ou un code de secours. " \
           "Il vous reste 2 essais." in first
    _new_pin(client, wrong)
    third = _new_pin(client, wrong)
    assert third.status_code == 410
    assert "Trois codes erronés : cette demande n&#x27;est plus valable." in third.content.decode()
    fourth = _new_pin(client, _right_totp(alice_app))
    assert fourth.status_code == 302 and fourth["Location"] == "/identifiants-oublies/code-secret/"
    alice.user.refresh_from_db()
    assert alice.user.check_password(PIN) and not alice.user.check_password("582017")
    assert OneTimeCode.objects.get(purpose="recovery").used_at is not None
    assert _factor_failures(alice) == 3


def test_repeated_recoveries_cannot_guess_the_app_code(client, alice, alice_app):
    """New recoveries do not reset the count: delay from the 5th wrong code, lock at the 10th, alert."""
    wrong = _wrong_totp(alice_app)
    seen = []
    for _ in range(4):
        _recovery_link(client, alice)
        for _attempt in range(10):  # bounded: the old code let this go on for ever
            response = _new_pin(client, wrong)
            seen.append(response.status_code)
            if response.status_code in (410, 423):
                break
            if response.status_code == 429:
                assert "Trop de codes erronés. Par sécurité, réessayez dans" in response.content.decode()
                _skip_delay()
        from django.core.cache import cache

        cache.clear()  # the per-address limit on recovery requests is not what is tested here
    # 3 + 3 + 3 wrong codes (each recovery consumed), a delay from the 5th, the 10th locks.
    assert seen == [200, 200, 410, 200, 200, 429, 410, 429, 200, 429, 200, 429, 410, 429, 423], seen
    assert _factor_failures(alice) == 10
    _assert_lock_alert(alice)
    # Locked: a new recovery with the right app code is refused, the PIN is unchanged.
    _recovery_link(client, alice)
    locked = _new_pin(client, _right_totp(alice_app))
    assert locked.status_code == 423
    assert "Votre accès est bloqué après trop de codes de vérification erronés." in locked.content.decode()
    alice.user.refresh_from_db()
    assert alice.user.check_password(PIN)


def test_wrong_recovery_sms_codes_count_per_person(client, alice):
    for _ in range(2):
        OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=5))
        client.post("/identifiants-oublies/code-secret/", {"customer_number": alice.customer_number,
                                                           "birth_date": "15/06/1985", "channel": "sms"})
        code = last_code(to=alice.phone)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(3):
            page = client.post("/identifiants-oublies/code/", {"code": wrong}).content.decode()
    assert "Trop de codes erronés" in page  # the 6th guess falls in the delay started by the 5th
    assert _factor_failures(alice) == 5


def test_advisor_unlock_clears_a_second_factor_lock(alice, alice_app):
    from tests.accounts.factories import StaffFactory

    client = Client()
    wrong = _wrong_totp(alice_app)
    for _ in range(10):
        _skip_delay()
        _web_login(client, alice)
        client.post("/connexion/verification/", {"code": wrong})
    assert services.customer_is_locked(customer=alice)
    services.customer_unlock(staff=StaffFactory(), customer=alice)
    _web_login(client, alice)
    assert client.post("/connexion/verification/", {"code": _right_totp(alice_app)})["Location"] == (
        "/tableau-de-bord/")


# --- API rate limits on /api/v1/auth/* -------------------------------------------------------------
def test_auth_api_is_rate_limited_per_address(settings, alice):
    settings.ABRI_API_RATE_AUTH_ANON = "5/min"
    client = Client()
    statuses = [_api(client, "second-factor", {"challenge": "x" * 20, "code": "123456"}).status_code
                for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = _api(client, "login", {"customer_number": alice.customer_number, "pin": PIN})
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert LoginFailure.objects.count() == 0


def test_auth_api_is_rate_limited_per_token(settings, alice):
    settings.ABRI_API_RATE_AUTH_USER = "3/min"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=alice.user)}"}
    client = Client()
    statuses = [_api(client, "step-up", {"challenge": "x" * 20, "code": "123456"}, **auth).status_code
                for _ in range(4)]
    assert statuses == [401] * 3 + [429]
