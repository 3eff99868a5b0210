"""Shared fixtures: Alice and Bob, two customers who must never see each other's data."""

import pytest
from django.test import Client
from freezegun import api as freezegun_api

from tests.accounts.factories import CustomerFactory
from tests.contracts.factories import make_contract

PIN = "246813"


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ABRI_SMS_BACKEND = "abri.notifications.sms.MemorySmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False
    # Rate-limit counters live in the cache (Redis in CI): every test starts from an empty one.
    from django.core.cache import cache

    cache.clear()
    from abri.notifications import sms

    sms.sent_messages.clear()


@pytest.fixture
def alice(db):
    return CustomerFactory(first_name="Alice", last_name="Durand")


@pytest.fixture
def bob(db):
    return CustomerFactory(first_name="Bob", last_name="Lefèvre")


@pytest.fixture
def alice_contract(alice):
    return make_contract(customer=alice)


@pytest.fixture
def bob_contract(bob):
    return make_contract(customer=bob)


def logged_in_client(customer) -> Client:
    """A test client logged in as this customer (session already past login)."""
    client = Client()
    client.force_login(customer.user, backend="abri.accounts.backends.CustomerPinBackend")
    return client


@pytest.fixture
def alice_client(alice):
    return logged_in_client(alice)


@pytest.fixture
def bob_client(bob):
    return logged_in_client(bob)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """ABRI_TEST_DB_SUFFIX=x gives the PostgreSQL test database its own name (test_test_x), so two
    runs on one server (CI beside a developer's run) never drop each other's database."""
    import os

    from django.conf import settings

    suffix = os.environ.get("ABRI_TEST_DB_SUFFIX", "")
    if not suffix:
        return
    for db in settings.DATABASES.values():
        if "sqlite" in db["ENGINE"]:
            continue  # in-memory test database, private to the process already
        test = db.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{suffix}"


@pytest.fixture(autouse=True)
def _clock_is_never_left_frozen(request):
    """A test that leaves freezegun running (a freezer started and never stopped) fakes the clock of every test
    after it: cryptography then refuses real datetimes far from the culprit. Fail the culprit instead."""
    before = len(freezegun_api.freeze_factories)
    yield
    leaked = len(freezegun_api.freeze_factories) - before
    assert leaked <= 0, f"{request.node.nodeid} left the clock frozen ({leaked} freezer(s) never stopped)"


def _cryptography_sees_the_real_clock_first() -> None:
    """cryptography's Rust core remembers the datetime class at its first use. If that first use happens under a
    frozen test clock it remembers freezegun's class and refuses real datetimes for the rest of the session (the
    demo PKI generated inside a frozen billing test broke the certificate tests run after it): use it once here."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "warm-up")])
    now = dt.datetime.now(dt.UTC)
    (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
     .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))


_cryptography_sees_the_real_clock_first()
