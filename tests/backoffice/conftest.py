"""Staff fixtures: one user per role, with an enrolled authenticator, and logged-in clients."""

import uuid

import pyotp
import pytest
from django.test import Client

from abri.accounts.mfa import _secret, totp_provision
from abri.accounts.models import TotpDevice
from abri.accounts.roles import ensure_staff_groups
from abri.backoffice import throttle
from abri.backoffice.services import SESSION_MFA_KEY
from tests.accounts.factories import StaffFactory

STAFF_PASSWORD = "mot-de-passe-solide-42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests are about the back-office flow, not about Argon2 (tested in tests/accounts):
    # a fast hasher keeps the many factory-made users cheap on a shared 2-core machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_throttle_keys(monkeypatch):
    # Counters live in the shared cache (Redis in CI): each test gets its own keys.
    monkeypatch.setattr(throttle, "KEY_PREFIX", f"bo-test-{uuid.uuid4().hex}")


@pytest.fixture
def staff_groups(db):
    return ensure_staff_groups()


def enrol(user) -> pyotp.TOTP:
    """Give a staff user a confirmed authenticator; returns it to compute codes."""
    totp_provision(user=user)
    device = TotpDevice.objects.get(user=user)
    device.confirmed_at = device.created_at
    device.save(update_fields=["confirmed_at"])
    return pyotp.TOTP(_secret(device))


def make_staff(groups, role: str, **kwargs):
    user = StaffFactory(staff_role=role, **kwargs)
    user.groups.add(groups[role])
    return user


@pytest.fixture
def advisor(staff_groups):
    return make_staff(staff_groups, "advisor", first_name="Inès", last_name="Moreau")


@pytest.fixture
def claims_handler(staff_groups):
    return make_staff(staff_groups, "claims_handler")


def staff_client(user) -> Client:
    """A client whose session passed both staff factors."""
    client = Client()
    client.force_login(user, backend="abri.accounts.backends.StaffEmailBackend")
    session = client.session
    session[SESSION_MFA_KEY] = 1
    session.save()
    return client


@pytest.fixture
def advisor_client(advisor):
    return staff_client(advisor)
