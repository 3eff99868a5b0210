"""API login: same policy as the pages; problem+json; tokens hashed at rest, expiring, revocable; step-up."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from abri.accounts.models import ApiToken, LoginFailure, LoginThrottle
from abri.accounts.numbers import with_check_character
from abri.accounts.stepup import api_step_up_required
from tests.accounts.helpers import last_code
from tests.conftest import PIN

pytestmark = pytest.mark.django_db


def _post(client, path, data=None, **headers):
    return client.post(f"/api/v1/auth/{path}", json.dumps(data or {}), content_type="application/json", **headers)


def _login(client, customer, pin=PIN, **headers):
    return _post(client, "login", {"customer_number": customer.customer_number, "pin": pin}, **headers)


def _token(client, customer, trust=False):
    challenge = _login(client, customer).json()["challenge"]
    return _post(client, "second-factor", {"challenge": challenge, "code": last_code(to=customer.phone),
                                           "trust_device": trust}).json()


def test_login_then_sms_second_factor_gives_a_bearer_token(client, alice):
    body = _login(client, alice).json()
    assert body["second_factor"] == "sms" and body["challenge"]
    response = _post(client, "second-factor", {"challenge": body["challenge"], "code": last_code(to=alice.phone)})
    assert response.status_code == 200
    token = response.json()["token"]
    row = ApiToken.objects.get(user=alice.user)
    assert token not in row.key_digest and len(row.key_digest) == 64  # hashed at rest
    assert row.expires_at - timezone.now() <= timedelta(hours=12)
    logout = _post(client, "logout", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert logout.status_code == 200
    assert _post(client, "logout", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401  # revoked


def test_trusted_device_token_skips_the_second_factor(client, alice):
    device = _token(client, alice, trust=True)["device_token"]
    response = _login(client, alice, HTTP_X_ABRI_DEVICE=device)
    assert response.status_code == 200 and response.json()["token"].startswith("abri_")


def test_wrong_credentials_401_problem_json_same_for_unknown_number(client, alice):
    wrong = _login(client, alice, pin="975318")
    unknown = _post(client, "login", {"customer_number": with_check_character("ZZZZ7777"), "pin": "975318"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong["Content-Type"] == "application/problem+json"
    assert wrong.json() == unknown.json()


def test_malformed_input_is_422_and_not_counted(client):
    for data in [{"customer_number": "X" * 10000, "pin": "1"}, {"customer_number": "DÉMO0001G", "pin": "١٢٣٤٥٦"},
                 {}, {"customer_number": "DEMO0001H", "pin": "246810"}]:
        response = _post(client, "login", data)
        assert response.status_code == 422, data
        assert response["Content-Type"] == "application/problem+json"
        assert "errors" in response.json()
    assert LoginFailure.objects.count() == 0


def test_throttled_429_with_retry_after_then_locked_423(client, alice):
    for _ in range(5):
        _login(client, alice, pin="975318")
    throttled = _login(client, alice)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) >= 59
    assert throttled["Content-Type"] == "application/problem+json"
    for _ in range(5):
        LoginThrottle.objects.update(retry_not_before=None)
        _login(client, alice, pin="975318")
    LoginThrottle.objects.update(retry_not_before=None)
    locked = _login(client, alice)
    assert locked.status_code == 423 and locked["Content-Type"] == "application/problem+json"


def test_second_factor_replay_expiry_and_bad_input(client, alice):
    challenge = _login(client, alice).json()["challenge"]
    code = last_code(to=alice.phone)
    assert _post(client, "second-factor", {"challenge": challenge, "code": code}).status_code == 200
    replay = _post(client, "second-factor", {"challenge": challenge, "code": code})
    assert replay.status_code == 401 and replay.json()["reason"] == "used"
    assert _post(client, "second-factor", {"challenge": "", "code": "12"}).status_code == 422


def test_step_up_through_the_api(client, alice, rf):
    token = _token(client, alice)["token"]
    row = ApiToken.objects.get(user=alice.user)
    ApiToken.objects.filter(pk=row.pk).update(step_up_at=timezone.now() - timedelta(minutes=6))
    row.refresh_from_db()
    request = rf.post("/api/v1/whatever")
    request.api_token = row
    refused = api_step_up_required(request)
    assert refused.status_code == 403 and json.loads(refused.content)["step_up_url"] == "/api/v1/auth/step-up"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post("/api/v1/auth/step-up", **auth)  # no body at all
    started = response.json()
    assert started.get("second_factor") == "sms", (response.status_code, started)
    from django.utils import timezone as tz

    from abri.accounts.models import OneTimeCode

    OneTimeCode.objects.filter(purpose="step_up").update(created_at=tz.now())
    done = _post(client, "step-up", {"challenge": started["challenge"], "code": last_code(to=alice.phone)}, **auth)
    assert done.status_code == 200 and "step_up_until" in done.json()
    row.refresh_from_db()
    assert api_step_up_required(request) is None


def test_step_up_challenge_of_another_customer_is_refused(client, alice, bob):
    alice_token = _token(client, alice)["token"]
    bob_token = _token(client, bob)["token"]
    bob_challenge = _post(client, "step-up", {}, HTTP_AUTHORIZATION=f"Bearer {bob_token}").json()["challenge"]
    response = _post(client, "step-up", {"challenge": bob_challenge, "code": last_code(to=bob.phone)},
                     HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 401


def test_expired_token_is_refused(client, alice):
    token = _token(client, alice)["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _post(client, "logout", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
