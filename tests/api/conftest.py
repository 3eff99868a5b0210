"""API fixtures: bearer tokens for Alice and Bob, JSON helpers, and fresh rate-limit counters."""

import json
import uuid

import pytest
from django.test import Client

from abri.accounts.tokens import token_issue
from abri.api.throttling import _SettingsRateThrottle

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    # Rate-limit counters live in the cache, which outlives a test (and ids are reused after rollbacks);
    # a fresh key prefix per test isolates them without flushing a cache other test runs may share.
    monkeypatch.setattr(_SettingsRateThrottle, "key_prefix", f"throttle-test-{uuid.uuid4().hex}")


def bearer_client(customer) -> Client:
    """A client that sends `Authorization: Bearer <token>` on every request (no session)."""
    return Client(headers={"Authorization": f"Bearer {token_issue(user=customer.user)}"})


@pytest.fixture
def alice_api(alice):
    return bearer_client(alice)


@pytest.fixture
def bob_api(bob):
    return bearer_client(bob)


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM, response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status
    for field in ("type", "title", "detail"):
        assert isinstance(body[field], str), field
    assert body["title"]
    return body
