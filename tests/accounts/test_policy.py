"""Throttling and lock: delay from the 5th failure, lock at 10 consecutive or 25 in 24 h, per-IP limits."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from abri.accounts import services
from abri.accounts.models import LoginFailure, LoginThrottle
from abri.accounts.numbers import with_check_character
from abri.core.models import AuditLog
from abri.notifications.models import OutboxMessage
from tests.accounts.factories import StaffFactory
from tests.conftest import PIN

pytestmark = pytest.mark.django_db


def _post(client, number, pin):
    return client.post("/connexion/", {"customer_number": number, "pin": pin})


def _skip_delay():
    LoginThrottle.objects.update(retry_not_before=None)


def test_delay_of_at_least_60_seconds_from_fifth_failure_then_growing(client, alice):
    for _ in range(4):
        response = _post(client, alice.customer_number, "975318")
        assert "attendez" not in response.content.decode()
    fifth = _post(client, alice.customer_number, "975318")
    assert "attendez 1 minute" in fifth.content.decode()
    throttle = LoginThrottle.objects.get(customer_number=alice.customer_number)
    assert (throttle.retry_not_before - timezone.now()).total_seconds() >= 59
    during = _post(client, alice.customer_number, PIN)  # even the right PIN waits
    assert during.status_code == 429 and int(during["Retry-After"]) >= 59
    assert LoginFailure.objects.count() == 5  # refused during the delay: not counted
    _skip_delay()
    _post(client, alice.customer_number, "975318")
    throttle.refresh_from_db()
    assert (throttle.retry_not_before - timezone.now()).total_seconds() >= 119


def test_ten_wrong_pins_lock_the_account_and_the_right_pin_is_then_refused(client, alice):
    for _ in range(9):
        _post(client, alice.customer_number, "975318")
        _skip_delay()
    tenth = _post(client, alice.customer_number, "975318")
    assert tenth.status_code == 423
    assert "Votre accès est bloqué" in tenth.content.decode()
    _skip_delay()
    right = _post(client, alice.customer_number, PIN)
    assert right.status_code == 423
    assert client.get("/tableau-de-bord/").status_code == 302
    assert AuditLog.objects.filter(action="auth.locked", customer=alice).exists()
    sms = OutboxMessage.objects.filter(to=alice.phone, channel="sms", body__contains="bloqué")
    mail = OutboxMessage.objects.filter(to=alice.email, channel="email", subject__contains="bloqué")
    assert sms.exists() and mail.exists()


def test_customer_is_warned_before_the_lock(client, alice):
    for _ in range(6):
        _post(client, alice.customer_number, "975318")
        _skip_delay()
    html = _post(client, alice.customer_number, "975318").content.decode()
    assert "après 3 nouvelles erreurs, votre accès sera bloqué" in html


def test_twenty_five_failures_in_24_hours_lock_even_with_successes_between(client, alice):
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(customer_number=alice.customer_number, created_at=now - timedelta(hours=h % 20))
        for h in range(24))
    response = _post(client, alice.customer_number, "975318")
    assert response.status_code == 423
    assert LoginThrottle.objects.get(customer_number=alice.customer_number).lock_reason == "daily"


def test_failures_older_than_24_hours_do_not_count(client, alice):
    LoginFailure.objects.bulk_create(
        LoginFailure(customer_number=alice.customer_number, created_at=timezone.now() - timedelta(hours=25))
        for _ in range(30))
    assert _post(client, alice.customer_number, "975318").status_code == 200


def test_success_resets_the_consecutive_count(client, alice):
    for _ in range(4):
        _post(client, alice.customer_number, "975318")
    _post(client, alice.customer_number, PIN)
    assert LoginThrottle.objects.get(customer_number=alice.customer_number).consecutive_failures == 0


def test_unknown_number_locks_the_same_way_revealing_nothing(client):
    unknown = with_check_character("QQQQ0000")
    for _ in range(9):
        _post(client, unknown, "975318")
        _skip_delay()
    assert _post(client, unknown, "975318").status_code == 423


def test_one_address_cannot_try_many_customer_numbers(alice):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(10):
        _post(client, with_check_character(f"SCAN{i:04d}"), "975318")
    response = _post(client, alice.customer_number, PIN)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="203.0.113.10")  # another address is not affected
    assert _post(other, alice.customer_number, PIN).status_code == 302


def test_axes_counts_failures_per_address_when_enabled(settings, alice):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        _post(client, alice.customer_number, "975318")
    response = _post(client, alice.customer_number, PIN)
    assert response.status_code == 429
    assert response["Retry-After"]
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get()
    assert "975318" not in attempt.post_data and PIN not in attempt.post_data  # PIN masked by axes


def test_advisor_unlock_is_audited_and_notified(client, alice):
    for _ in range(10):
        _post(client, alice.customer_number, "975318")
        _skip_delay()
    assert services.customer_is_locked(customer=alice)
    advisor = StaffFactory()
    assert services.customer_unlock(staff=advisor, customer=alice)
    assert not services.customer_is_locked(customer=alice)
    entry = AuditLog.objects.get(action="auth.unlocked_by_advisor")
    assert entry.actor == advisor and entry.customer == alice
    assert _post(client, alice.customer_number, PIN)["Location"] == "/connexion/verification/"


def test_behind_a_trusted_proxy_the_forwarded_address_is_limited_not_the_proxy(settings, alice):
    settings.ABRI_TRUST_X_FORWARDED_FOR = True
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50")
    for _ in range(3):
        _post(attacker, alice.customer_number, "975318")
    assert _post(attacker, alice.customer_number, PIN).status_code == 429
    LoginThrottle.objects.all().delete()
    customer = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")  # same proxy
    assert _post(customer, alice.customer_number, PIN).status_code == 302


def test_purge_keeps_locks_and_recent_failures(alice):
    old = timezone.now() - timedelta(hours=30)
    LoginFailure.objects.create(customer_number=alice.customer_number, created_at=old)
    LoginFailure.objects.create(customer_number=alice.customer_number)
    LoginThrottle.objects.create(customer_number=with_check_character("OLDN0001"), last_failure_at=old)
    LoginThrottle.objects.create(customer_number=alice.customer_number, locked_at=old, last_failure_at=old)
    result = services.login_records_purge()
    assert result["failures"] == 1 and result["throttles"] == 1
    assert services.customer_is_locked(customer=alice)
