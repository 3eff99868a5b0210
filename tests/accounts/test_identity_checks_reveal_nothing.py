"""Activation is for accounts without a PIN; activation and recovery answer the same, in the same time,
whether the identity matched or not (a decoy challenge behaves exactly like a real one)."""

import re
import statistics
import time

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client

from abri.accounts.mfa import totp_provision, totp_verify
from abri.accounts.models import LoginFailure, LoginThrottle, OneTimeCode
from abri.accounts.numbers import with_check_character
from abri.core.models import AuditLog
from abri.notifications.models import OutboxMessage
from tests.accounts.helpers import last_code
from tests.conftest import PIN
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

UNKNOWN = with_check_character("ZZZZ4242")


def _strip(response) -> tuple[int, str, str]:
    """Status, page without the CSRF token, and redirect target: what a person (or a script) can compare."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, html, response.get("Location", "")


def _activation(client, number, contract_number, birth_date="15/06/1985"):
    return client.post("/activation/", {"customer_number": number, "contract_number": contract_number,
                                        "birth_date": birth_date, "channel": "sms"})


def _clear_rate_limits():
    """The shared rate-limit counters (database rows by default, the cache on Redis)."""
    from abri.core.models import RateCounter

    RateCounter.objects.all().delete()
    cache.clear()


def _reset_counters():
    LoginThrottle.objects.all().delete()
    LoginFailure.objects.all().delete()
    _clear_rate_limits()


def _wrong_code_for(customer) -> str:
    """A code that is surely not the one just sent to this customer (if any)."""
    sent = OutboxMessage.objects.filter(to=customer.phone, channel="sms").order_by("-id").first()
    return "111111" if sent is not None and "000000" in sent.body else "000000"


def _run_code_flow(start, code_url: str, wrong: str) -> list:
    """Start a flow in a fresh browser, then type 4 wrong codes; every answer, stripped, in order."""
    client = Client()
    answers = [_strip(start(client))]
    answers.append(_strip(client.get(code_url)))
    for _ in range(4):
        answers.append(_strip(client.post(code_url, {"code": wrong})))
    return answers


# --- Point 1: activation on an account that already has a PIN ----------------------------------------
def test_activation_on_an_active_account_is_sent_to_recovery(alice):
    contract = make_contract(customer=alice)
    sent = OutboxMessage.objects.count()
    active = _run_code_flow(lambda c: _activation(c, alice.customer_number, contract.number),
                            "/activation/code/", "000000")
    assert OutboxMessage.objects.count() == sent  # no code sent to an active account
    state_active = LoginThrottle.objects.get(customer_number=alice.customer_number).factor_failures
    _reset_counters()
    unknown = _run_code_flow(lambda c: _activation(c, UNKNOWN, contract.number), "/activation/code/", "000000")
    assert active == unknown  # the same answer, word for word, as an account that does not exist
    assert state_active == LoginThrottle.objects.get(customer_number=UNKNOWN).factor_failures == 3
    page = active[1][1]
    assert "Votre espace client est déjà activé ? Aucun code n'est envoyé" in page
    assert 'href="/identifiants-oublies/code-secret/"' in page
    # Nothing changed: same PIN, nobody logged in, no step-up, no « activé » message.
    alice.user.refresh_from_db()
    assert alice.user.check_password(PIN)
    assert not OutboxMessage.objects.filter(subject__contains="activé").exists()
    assert AuditLog.objects.filter(action="auth.activation_refused", customer=alice,
                                   data__reason="already_active").exists()
    assert not AuditLog.objects.filter(action__in=["auth.login", "auth.activated", "auth.pin_activation"]).exists()


def test_an_activation_code_cannot_set_the_pin_of_an_account_activated_meanwhile(client, alice):
    contract = make_contract(customer=alice)
    alice.user.set_unusable_password()
    alice.user.save()
    _activation(client, alice.customer_number, contract.number)
    assert client.post("/activation/code/", {"code": last_code(to=alice.phone)})["Location"] == (
        "/activation/code-secret/")
    alice.user.set_password(PIN)  # activated in another browser in the meantime
    alice.user.save()
    response = client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582017"}, follow=True)
    assert "Recommencez l&#x27;activation" in response.content.decode()
    alice.user.refresh_from_db()
    assert alice.user.check_password(PIN)
    assert client.get("/tableau-de-bord/").status_code == 302


@pytest.fixture
def newcomer(alice):
    alice.user.set_unusable_password()
    alice.user.save()
    return alice, make_contract(customer=alice)


def _activate_up_to_pin(client, customer, contract):
    _activation(client, customer.customer_number, contract.number)
    assert client.post("/activation/code/", {"code": last_code(to=customer.phone)})["Location"] == (
        "/activation/code-secret/")


def test_completing_activation_does_not_mark_a_step_up(client, newcomer):
    customer, contract = newcomer
    _activate_up_to_pin(client, customer, contract)
    assert client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582017"})["Location"] == (
        "/activation/terminee/")
    assert client.get("/tableau-de-bord/").status_code == 200  # logged in on this device
    # …but a sensitive action (removing or adding an app, contact details) asks for a code again.
    assert client.get("/securite/application/")["Location"].startswith("/securite/confirmation/")
    assert client.get("/mon-compte/coordonnees/")["Location"].startswith("/securite/confirmation/")


def test_activation_asks_for_the_enrolled_authenticator_app(client, newcomer):
    customer, contract = newcomer
    secret, _uri = totp_provision(user=customer.user)
    totp_verify(user=customer.user, code=pyotp.TOTP(secret).now(), confirm=True)
    _activate_up_to_pin(client, customer, contract)
    page = client.get("/activation/code-secret/").content.decode()
    assert "Code de votre application d&#x27;authentification" in page
    refused = client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582017",
                                                       "totp_code": "000000"})
    assert "Il vous reste 2 essais" in refused.content.decode()
    customer.user.refresh_from_db()
    assert not customer.user.has_usable_password()
    assert client.get("/tableau-de-bord/").status_code == 302
    from datetime import timedelta

    from django.utils import timezone

    code = pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30))
    done = client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582017", "totp_code": code})
    assert done["Location"] == "/activation/terminee/"
    customer.user.refresh_from_db()
    assert customer.user.check_password("582017")


# --- Point 4: no oracle in recovery and activation ---------------------------------------------------
def _recovery(client, number, birth_date="15/06/1985", channel="sms"):
    return client.post("/identifiants-oublies/code-secret/", {"customer_number": number, "birth_date": birth_date,
                                                              "channel": channel})


def test_recovery_code_page_answers_the_same_whether_the_identity_matched(alice):
    matched = _run_code_flow(lambda c: _recovery(c, alice.customer_number), "/identifiants-oublies/code/",
                             _wrong_code_for(alice))
    assert OneTimeCode.objects.filter(user=alice.user, purpose="recovery").exists()  # a real code was sent
    matched_failures = LoginFailure.objects.filter(customer_number=alice.customer_number).count()
    _reset_counters()
    wrong_birth_date = _run_code_flow(lambda c: _recovery(c, alice.customer_number, "01/01/1970"),
                                      "/identifiants-oublies/code/", _wrong_code_for(alice))
    decoy_failures = LoginFailure.objects.filter(customer_number=alice.customer_number).count()
    _reset_counters()
    unknown = _run_code_flow(lambda c: _recovery(c, UNKNOWN), "/identifiants-oublies/code/", "000000")
    assert matched == wrong_birth_date == unknown
    assert "Code incorrect. Il vous reste 2 essais." in matched[2][1]  # decoys too
    assert "Trois codes erronés : ce code n&#x27;est plus valable." in matched[4][1]
    assert matched_failures == decoy_failures == 3  # the 4th try hit a dead challenge: not counted


def test_recovery_email_answer_is_the_same_whether_the_identity_matched(alice):
    answers = [_strip(_recovery(Client(), number, birth_date, channel="email"))
               for number, birth_date in [(alice.customer_number, "15/06/1985"),
                                          (alice.customer_number, "01/01/1970"), (UNKNOWN, "15/06/1985")]]
    assert answers[0] == answers[1] == answers[2]


def test_activation_code_page_answers_the_same_whether_the_identity_matched(newcomer):
    customer, contract = newcomer
    wrong = _wrong_code_for(customer)
    matched = _run_code_flow(lambda c: _activation(c, customer.customer_number, contract.number),
                             "/activation/code/", wrong)
    assert OneTimeCode.objects.filter(user=customer.user, purpose="activation").exists()
    _reset_counters()
    wrong_birth_date = _run_code_flow(
        lambda c: _activation(c, customer.customer_number, contract.number, "01/01/1970"), "/activation/code/", wrong)
    _reset_counters()
    wrong_contract = _run_code_flow(lambda c: _activation(c, customer.customer_number, "ZZ-0000"),
                                    "/activation/code/", wrong)
    _reset_counters()
    unknown = _run_code_flow(lambda c: _activation(c, UNKNOWN, contract.number), "/activation/code/", wrong)
    assert matched == wrong_birth_date == wrong_contract == unknown
    assert "Code incorrect. Il vous reste 2 essais." in matched[2][1]


def _interleaved_medians(once_matched, once_unmatched, rounds: int = 9):
    """Interleaved samples (the machine is shared: a burst of load must hit both sides alike)."""
    for _attempt in range(3):
        matched, unmatched = [], []
        for _ in range(rounds):
            matched.append(once_matched())
            unmatched.append(once_unmatched())
        a, b = statistics.median(matched), statistics.median(unmatched)
        ratio = abs(a - b) / a
        if ratio < 0.20:
            break
    return ratio, a, b


def _timed(post):
    def once():
        _clear_rate_limits()  # the per-address limit on identity checks
        OneTimeCode.objects.all().delete()  # the per-customer send budget: every matched sample really sends
        start = time.perf_counter()
        response = post()
        elapsed = time.perf_counter() - start
        assert response.status_code == 302
        return elapsed
    return once


@pytest.fixture
def worker_delivers(settings):
    """As in production: the fixed answer time on, the SMS/e-mail delivered by the worker, not in the request."""
    settings.ABRI_IDENTITY_CHECK_SECONDS = 0.3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_recovery_takes_the_same_time_whether_the_identity_matched(alice, worker_delivers):
    client = Client()
    _recovery(client, UNKNOWN)  # warm-up
    sent = OutboxMessage.objects.count()
    ratio, matched, unmatched = _interleaved_medians(_timed(lambda: _recovery(client, alice.customer_number)),
                                                     _timed(lambda: _recovery(client, alice.customer_number,
                                                                              "01/01/1970")))
    assert OutboxMessage.objects.count() > sent  # the matched samples did send a code
    assert ratio < 0.20, (matched, unmatched)


def test_activation_takes_the_same_time_whether_the_identity_matched(newcomer, worker_delivers):
    customer, contract = newcomer
    client = Client()
    _activation(client, UNKNOWN, contract.number)  # warm-up
    sent = OutboxMessage.objects.count()
    ratio, matched, unmatched = _interleaved_medians(
        _timed(lambda: _activation(client, customer.customer_number, contract.number)),
        _timed(lambda: _activation(client, customer.customer_number, contract.number, "01/01/1970")))
    assert OutboxMessage.objects.count() > sent
    assert ratio < 0.20, (matched, unmatched)
