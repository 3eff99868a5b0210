"""GET /api/v1/payments and /api/v1/payments/export: the page's history and exports, for the owner only."""

import csv
import io

import pytest
from icalendar import Calendar

from tests.api.conftest import bearer_client


@pytest.mark.django_db
def test_api_lists_the_history_paginated_with_filters_and_balance(alice, history):
    api = bearer_client(alice)
    body = api.get("/api/v1/payments?page_size=3").json()
    assert body["count"] == 10 and body["pages"] == 4 and len(body["items"]) == 3
    assert body["items"][0]["date"] == "2026-09-15" and body["items"][0]["status"] == "cancelled"
    body = api.get("/api/v1/payments?kind=indemnity").json()
    assert [(i["amount"], i["status_label"], i["balance"]) for i in body["items"]] == [("300.00", "Versé", "300.00")]
    body = api.get("/api/v1/payments?year=2026&status=paid").json()
    assert [i["amount"] for i in body["items"]] == ["-12.30", "-529.35"]
    assert api.get("/api/v1/payments?status=nope").status_code == 422


@pytest.mark.django_db
def test_api_never_lists_or_exports_another_customers_payments(bob, history):
    api = bearer_client(bob)
    number = history["next"].contract.number
    body = api.get(f"/api/v1/payments?contract={number}").json()
    assert body["count"] == 0
    assert {i["reference"] for i in api.get("/api/v1/payments").json()["items"]} == {"BOB-SECRET-REF", "BOB-NEXT-REF"}
    content = api.get(f"/api/v1/payments/export?format=csv&contract={number}").content.decode("utf-8-sig")
    assert "529" not in content and number not in content


@pytest.mark.django_db
def test_api_exports_csv_and_ics(alice, history):
    api = bearer_client(alice)
    response = api.get("/api/v1/payments/export?format=csv")
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert "-1 234,56" in [row[5] for row in rows]
    events = list(Calendar.from_ical(api.get("/api/v1/payments/export?format=ics").content).walk("VEVENT"))
    assert len(events) == 2
    assert api.get("/api/v1/payments/export?format=xls").status_code == 422


@pytest.mark.django_db
def test_api_payments_need_authentication(client, history):
    assert client.get("/api/v1/payments").status_code == 401
    assert client.get("/api/v1/payments/export?format=csv").status_code == 401
