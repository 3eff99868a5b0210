"""Errors are RFC 9457 problems: 404, 405, 422 for malformed input, 429 with Retry-After, 500 with a reference."""

import json

import pytest
from django.test import Client

from abri.api import problems
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/contracts/a/b/c", "/api/v1/", "/api/v1/me/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_route_is_404_problem(alice_api, path, method):
    assert_problem(getattr(alice_api, method)(path), 404)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_is_405_problem_with_allow(alice_api, alice_contract, method):
    response = getattr(alice_api, method)(f"/api/v1/contracts/{alice_contract.number}", data="{}",
                                          content_type="application/json")
    assert_problem(response, 405)
    assert response["Allow"] == "GET"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/documents?page=abc",
        "/api/v1/documents?page=0",
        "/api/v1/documents?page=-3",
        "/api/v1/documents?page=99999999999999999999999999",
        "/api/v1/documents?page_size=1000",
        "/api/v1/documents?page_size=1.5",
        "/api/v1/documents?kind=not-a-kind",
        "/api/v1/documents?kind=" + "x" * 10000,
        "/api/v1/contracts/" + "A" * 5000,
        "/api/v1/contracts/%00",
        "/api/v1/contracts/%27%20OR%201=1--",
        "/api/v1/claims/%C3%A9%F0%9F%92%A5",
        "/api/v1/documents/abc/download",
        "/api/v1/documents/0/download",
        "/api/v1/documents/99999999999999999999999999/download",
    ],
)
def test_malformed_input_is_422_problem_naming_the_field(alice_api, url):
    body = assert_problem(alice_api.get(url), 422)
    assert body["errors"] and all(error["loc"] for error in body["errors"])
    assert "x" * 100 not in json.dumps(body), "the input is never echoed back"


def test_non_json_body_is_422_problem(db):
    response = Client().post("/api/v1/auth/login", data=b"\xff\xfe not json {", content_type="application/json")
    assert_problem(response, 422)


def test_login_with_wrong_types_is_422_problem(db):
    response = Client().post(
        "/api/v1/auth/login", data=json.dumps({"customer_number": ["A"], "pin": {"x": 1}}),
        content_type="application/json",
    )
    assert_problem(response, 422)


def test_rate_limit_answers_429_with_retry_after(settings, alice_api):
    settings.ABRI_API_RATE_USER = "3/min"
    for _ in range(3):
        assert alice_api.get("/api/v1/me").status_code == 200
    response = alice_api.get("/api/v1/contracts")
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_rate_limit_counts_each_login_separately(settings, alice_api, bob_api):
    settings.ABRI_API_RATE_USER = "2/min"
    for _ in range(2):
        alice_api.get("/api/v1/me")
    assert alice_api.get("/api/v1/me").status_code == 429
    assert bob_api.get("/api/v1/me").status_code == 200


def test_rate_limit_without_login_counts_per_address(settings, db):
    settings.ABRI_API_RATE_ANON = "2/min"
    client = Client(REMOTE_ADDR="192.0.2.10")
    assert [client.get("/api/v1/ping").status_code for _ in range(3)] == [200, 200, 429]
    # A forged X-Forwarded-For does not buy a fresh counter.
    assert client.get("/api/v1/ping", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.11").get("/api/v1/ping").status_code == 200


def test_unexpected_error_is_500_problem_with_reference_and_nothing_leaked(alice_api, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("secret database password hunter2 in /srv/abri/settings.py")

    monkeypatch.setattr("abri.api.routers.contracts.contracts_for_customer", broken)
    response = alice_api.get("/api/v1/contracts")
    body = assert_problem(response, 500)
    assert body["reference"] and body["reference"] == response["X-Request-ID"]
    assert body["reference"] in body["detail"]
    assert "hunter2" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert any(body["reference"] in record.getMessage() for record in caplog.records), "logged with its reference"


def test_problem_helper_keeps_its_signature():
    response = problems.problem(423, "Compte verrouillé", "Réessayez plus tard.", retry=True)
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "about:blank", "title": "Compte verrouillé", "status": 423, "detail": "Réessayez plus tard.", "retry": True,
    }


@pytest.mark.parametrize(
    ("method", "url", "body", "content_type", "loc"),
    [
        ("get", "/api/v1/certificates/%00/pdf", None, None, ["path"]),
        ("get", "/api/v1/documents/search?q=fuite%00", None, None, ["query", "q"]),
        ("post", "/api/v1/auth/login", '{"customer_number": "DEMO0001G\\u0000", "pin": "1"}', "application/json",
         ["body"]),
        ("post", "/api/v1/auth/login", b'{"customer_number": "\x00"}', "application/json", ["body"]),
        ("post", "/api/v1/declarations", "kind=water%00", "application/x-www-form-urlencoded", ["form", "kind"]),
    ],
)
def test_nul_character_anywhere_in_the_input_is_422_for_every_router(alice_api, method, url, body, content_type, loc):
    # PostgreSQL refuses NUL in text: without this guard these were 500s there (found by test_fuzz).
    kwargs = {"data": body, "content_type": content_type} if body is not None else {}
    body = assert_problem(getattr(alice_api, method)(url, **kwargs), 422)
    assert body["errors"][0]["loc"] == loc


def test_an_escaped_backslash_before_u0000_is_not_a_nul(db):
    response = Client().post("/api/v1/auth/login", data='{"customer_number": "\\\\u0000", "pin": "x"}',
                             content_type="application/json")
    # Reaches the login's own validation (422 from its form fields), not the NUL guard.
    assert response.status_code == 422
    assert json.loads(response.content)["errors"] != [{"loc": ["body"], "msg": "NUL character not allowed",
                                                      "type": "nul_character"}]
