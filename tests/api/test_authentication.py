"""Bearer token and session authentication; customers only; 401/403 as problem+json."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from abri.accounts.tokens import token_issue, token_revoke
from abri.api.security import CustomerSessionAuth
from tests.accounts.factories import StaffFactory
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_bearer_token_authenticates_the_customer(alice, alice_api):
    response = alice_api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["customer_number"] == alice.customer_number


def test_session_cookie_authenticates_the_customer(alice, alice_client):
    response = alice_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["customer_number"] == alice.customer_number


def test_without_credentials_answers_401_problem_with_challenge(db):
    response = Client().get("/api/v1/contracts")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer ", "Bearer abri_not-a-real-token", "Basic YWxpY2U6c2VjcmV0", "Token abc", "Bearer " + "x" * 5000],
)
def test_unknown_or_malformed_authorization_answers_401(db, header):
    assert_problem(Client(headers={"Authorization": header}).get("/api/v1/me"), 401)


def test_revoked_token_answers_401(alice):
    raw = token_issue(user=alice.user)
    token_revoke(raw=raw)
    assert_problem(Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me"), 401)


def test_expired_token_answers_401(alice):
    raw = token_issue(user=alice.user, lifetime=timedelta(seconds=-1))
    assert_problem(Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me"), 401)


def test_token_of_a_deactivated_login_answers_401(alice, alice_api):
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    assert_problem(alice_api.get("/api/v1/me"), 401)


def test_staff_token_is_refused_with_403(db):
    staff = StaffFactory()
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=staff)}"})
    assert_problem(client.get("/api/v1/contracts"), 403)


def test_staff_session_is_refused_with_403(db):
    client = Client()
    client.force_login(StaffFactory(), backend="abri.accounts.backends.StaffEmailBackend")
    assert_problem(client.get("/api/v1/me"), 403)


def test_session_logout_ends_api_access(alice_client):
    assert alice_client.get("/api/v1/me").status_code == 200
    alice_client.logout()
    assert_problem(alice_client.get("/api/v1/me"), 401)


def _session_request(method: str, alice, csrf_token: str | None = None):
    """A request carrying Alice's session cookie, with or without the CSRF header."""
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    factory = RequestFactory(enforce_csrf_checks=True)
    secret = _get_new_csrf_string()
    headers = {"X-CSRFToken": _mask_cipher_secret(secret)} if csrf_token == "valid" else {}
    request = getattr(factory, method)("/api/v1/me", headers=headers)
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session-key"
    request.COOKIES["csrftoken"] = secret
    request.user = alice.user
    return request


def test_session_unsafe_method_without_csrf_token_is_refused(alice):
    from ninja.errors import HttpError

    with pytest.raises(HttpError) as error:
        CustomerSessionAuth()(_session_request("post", alice))
    assert error.value.status_code == 403


def test_session_unsafe_method_with_csrf_token_is_accepted(alice):
    assert CustomerSessionAuth()(_session_request("post", alice, csrf_token="valid")) == alice.user


def test_session_safe_method_needs_no_csrf_token(alice):
    assert CustomerSessionAuth()(_session_request("get", alice)) == alice.user


def test_unsafe_method_without_session_cookie_falls_through_to_401_not_csrf_403(alice):
    request = _session_request("post", alice)
    del request.COOKIES[settings.SESSION_COOKIE_NAME]
    assert CustomerSessionAuth()(request) is None


def test_one_bearer_authenticator_serves_the_customer_api_and_the_auth_endpoints():
    from abri.accounts.api_auth import BearerToken, bearer
    from abri.api.security import CustomerBearerAuth, customer_auth

    assert isinstance(bearer, BearerToken) and isinstance(customer_auth[0], BearerToken)
    # The customer scheme only sets a flag: no second copy of the header parsing or of the token lookup.
    assert {"__call__", "authenticate"}.isdisjoint(vars(CustomerBearerAuth))
    assert CustomerBearerAuth.customers_only and not bearer.customers_only


@pytest.mark.parametrize("header", ["Token abri_never_logged_secret", "abri_never_logged_secret"])
def test_token_sent_with_another_scheme_to_logout_is_never_logged(db, settings, caplog, header):
    settings.DEBUG = True  # Ninja's own HttpBearer logs the whole header in DEBUG
    response = Client().post("/api/v1/auth/logout", headers={"Authorization": header})
    assert response.status_code == 401
    assert "abri_never_logged_secret" not in caplog.text


def test_staff_token_still_logs_out_through_the_shared_authenticator(db):
    staff = StaffFactory()
    raw = token_issue(user=staff)
    assert Client().post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {raw}"}).status_code in (200, 204)
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
