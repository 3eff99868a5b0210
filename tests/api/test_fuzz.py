"""Garbage to every endpoint (methods, bodies, parameters, headers), with and without a token: never a 500.

Every answer to garbage is also problem+json when it is an error, so a client always gets a parseable error.
"""

import json
import re

import pytest
from django.test import Client

from tests.api.conftest import PROBLEM, bearer_client
from tests.claims.factories import make_claim
from tests.documents.factories import make_document

pytestmark = pytest.mark.django_db

GARBAGE_PATH_VALUES = ["x", "%00", "A" * 3000, "-1", "0", "1e309", "..%2F..%2Fetc%2Fpasswd", "%C0%AF", "%F0%9F%92%A5", "null"]
GARBAGE_QUERIES = [
    "",
    "?page=abc&page_size=-1",
    "?page=1&page=2&page_size=99999999999999999999",
    "?kind=%00",
    "?kind=" + "é" * 2000,
    "?page=NaN&kind[]=1",
    "?%ff%fe=%ff",
]
GARBAGE_BODIES = [
    (b"not json at all {", "application/json"),
    (b"\xff\xfe\x00\x01", "application/json"),
    (b'{"customer_number": 1, "pin": [1, 2], "challenge": {"a": null}, "code": 1e400}', "application/json"),
    (json.dumps({"customer_number": "A" * 100_000, "pin": "1" * 100_000}).encode(), "application/json"),
    (b"[" * 5000 + b"]" * 5000, "application/json"),
    (b'"just a string"', "application/json"),
    (b"customer_number=DEMO0001G&pin=246810", "application/x-www-form-urlencoded"),
    (b"--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--x--", "multipart/form-data; boundary=x"),
    (b"<xml>nope</xml>", "text/xml"),
]
GARBAGE_HEADERS = [
    {},
    {"Authorization": "Bearer \x00\x01"},
    {"Authorization": "Bearer " + "é" * 300},
    {"Authorization": "Basic !!!"},
    {"Cookie": "sessionid=" + "x" * 4000 + "; csrftoken=%%%"},
    {"Accept-Language": "xx-INVALID;q=abc, *;q=2"},
    {"Accept": "application/xml"},
]


def _paths(client) -> list[str]:
    """Every operation path of the OpenAPI document, plus unknown ones."""
    document = json.loads(client.get("/api/v1/openapi.json").content)
    return sorted(document["paths"]) + ["/api/v1/unknown", "/api/v1/contracts/x/y"]


def _concrete(path: str) -> list[str]:
    if "{" not in path:
        return [path]
    return [re.sub(r"\{[^}]+\}", value, path) for value in GARBAGE_PATH_VALUES]


def _check(response, failures: list, label: str) -> None:
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {label}")
    elif response.status_code >= 400 and response["Content-Type"] != PROBLEM:
        failures.append(f"{response.status_code} not problem+json ({response['Content-Type']}) {label}")


@pytest.fixture
def clients(alice, alice_contract, settings):
    settings.ABRI_API_RATE_USER = "100000/min"
    settings.ABRI_API_RATE_ANON = "100000/min"
    make_claim(contract=alice_contract)
    make_document(customer=alice)
    return {"anonymous": Client(), "alice": bearer_client(alice)}


def test_garbage_bodies_and_methods_never_get_a_500(clients):
    failures: list[str] = []
    for who, client in clients.items():
        for template in _paths(client):
            for path in _concrete(template)[:2]:
                for method in ("post", "put", "patch", "delete"):
                    for body, content_type in GARBAGE_BODIES:
                        response = getattr(client, method)(path, data=body, content_type=content_type)
                        _check(response, failures, f"{who} {method.upper()} {path[:80]} {body[:30]!r}")
                for method in ("options", "head"):
                    _check(getattr(client, method)(path), failures, f"{who} {method.upper()} {path[:80]}")
    assert not failures, "\n".join(failures[:30])


def test_garbage_parameters_and_headers_never_get_a_500(clients):
    failures: list[str] = []
    for who, client in clients.items():
        for template in _paths(client):
            for path in _concrete(template):
                for query in GARBAGE_QUERIES:
                    response = client.get(path + query)
                    _check(response, failures, f"{who} GET {path[:80]}{query[:40]}")
            for headers in GARBAGE_HEADERS:
                response = client.get(_concrete(template)[0], headers=headers)
                _check(response, failures, f"{who} GET {template} {str(headers)[:60]}")
    assert not failures, "\n".join(failures[:30])
