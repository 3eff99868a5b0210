"""The OpenAPI document lists every endpoint; the docs page works offline under the strict CSP."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/contracts"),
    ("get", "/api/v1/contracts/{number}"),
    ("get", "/api/v1/claims"),
    ("get", "/api/v1/claims/{number}"),
    ("get", "/api/v1/documents"),
    ("get", "/api/v1/documents/{document_id}/download"),
    ("get", "/api/v1/invoices"),
    ("get", "/api/v1/invoices/{invoice_id}/pdf"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/payments"),
    ("post", "/api/v1/payments/{payment_id}/card"),
    ("post", "/api/v1/webhooks/{provider}"),
}


@pytest.fixture
def openapi(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_openapi_document_lists_the_endpoints(openapi):
    assert openapi["openapi"].startswith("3.")
    listed = {(method, path) for path, operations in openapi["paths"].items() for method in operations}
    assert ENDPOINTS <= listed


def test_openapi_declares_both_authentications(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert any(s["type"] == "apiKey" and s["in"] == "cookie" for s in schemes.values())
    assert openapi["paths"]["/api/v1/contracts"]["get"]["security"]


def test_openapi_webhooks_are_outside_customer_auth_and_card_start_is_not(openapi):
    assert not openapi["paths"]["/api/v1/webhooks/{provider}"]["post"].get("security")
    assert openapi["paths"]["/api/v1/payments/{payment_id}/card"]["post"]["security"]


def test_openapi_declares_problem_answers(openapi):
    detail = openapi["paths"]["/api/v1/contracts/{number}"]["get"]["responses"]
    for status in ("401", "403", "404", "422", "429", "500"):
        assert "application/problem+json" in detail[status]["content"], status


def test_openapi_gives_money_as_string_and_dates_as_iso(openapi):
    contract = openapi["components"]["schemas"]["ContractOut"]["properties"]
    assert contract["annual_premium"]["type"] == "string"
    assert contract["start_date"]["format"] == "date"


def test_openapi_document_validates_against_the_openapi_3_1_schema(openapi):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(openapi)


@pytest.fixture
def plain_static_storage(settings):
    # Hashed names need `collectstatic`; the page must not depend on it having run.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def test_docs_page_loads_swagger_from_own_static_files_under_strict_csp(db, plain_static_storage):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    # No CDN host anywhere (a random CSRF token may contain the letters "cdn": look for hosts, not letters).
    assert not re.search(r"cdn[.-]|jsdelivr|unpkg|cdnjs", html.lower()) and "http://" not in html \
        and "https://" not in html
    # No executable inline script: only the JSON settings block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline), inline
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for asset in assets:
        static = Client().get(asset)
        assert static.status_code == 200, asset
        b"".join(static.streaming_content) if static.streaming else static.content
        static.close()


def test_docs_settings_do_not_call_the_online_validator(db, plain_static_storage):
    html = Client().get("/api/v1/docs").content.decode()
    settings_json = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert settings_json["validatorUrl"] is None
    assert settings_json["url"] == "/api/v1/openapi.json"
