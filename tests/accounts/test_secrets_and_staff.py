"""PIN storage (Argon2id over a peppered HMAC), no secret in clear anywhere, staff password policy."""

import logging

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.exceptions import ValidationError

from abri.accounts import services
from abri.accounts.models import OneTimeCode
from abri.core.models import AuditLog
from tests.accounts.factories import StaffFactory
from tests.accounts.helpers import last_code
from tests.conftest import PIN


def test_pin_hash_is_argon2id_over_peppered_hmac_with_chosen_parameters():
    encoded = make_password("246810")
    assert encoded.startswith("argon2p$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).algorithm == "argon2p"
    assert check_password("246810", encoded) and not check_password("246811", encoded)


def test_database_dump_without_pepper_cannot_test_pins(settings):
    """With the hash but not the pepper, even the right PIN does not verify: brute force needs the pepper."""
    import argon2

    encoded = make_password("246810")
    raw_argon = encoded.split("$", 1)[1]
    with pytest.raises(argon2.exceptions.VerifyMismatchError):
        argon2.PasswordHasher().verify("$" + raw_argon, "246810")  # plain Argon2 of the PIN: no match
    settings.ABRI_PIN_PEPPER = "another-pepper"
    assert not check_password("246810", encoded)


@pytest.mark.parametrize("pin", ["000000", "999999", "123456", "234567", "654321", "890123", "121212", "123123",
                                 "150685", "850615"])
def test_trivial_pins_are_refused(pin):
    from datetime import date

    assert services.pin_problem(pin, birth_date=date(1985, 6, 15)) is not None


@pytest.mark.parametrize("pin", ["582017", "246810", "135790", "907316"])
def test_ordinary_pins_are_accepted(pin):
    from datetime import date

    assert services.pin_problem(pin, birth_date=date(1985, 6, 15)) is None


@pytest.mark.django_db
def test_pin_otp_and_token_never_appear_in_audit_log_or_logs(client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/connexion/", {"customer_number": alice.customer_number, "pin": "975318"})
    client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    code = last_code(to=alice.phone)
    client.post("/connexion/verification/", {"code": code, "trust_device": "on"})
    device = client.cookies["abri_device"].value
    dump = " ".join(str(e.data) + e.action + e.actor_label for e in AuditLog.objects.all())
    for secret in (PIN, "975318", code):
        assert secret not in dump
        assert secret not in caplog.text
        assert not OneTimeCode.objects.filter(code_digest__contains=secret).exists()
    assert device.split(":")[0] not in dump
    assert AuditLog.objects.filter(action="auth.login_failed").exists()
    assert AuditLog.objects.filter(action="auth.second_factor_passed").exists()


@pytest.mark.django_db
def test_staff_password_needs_12_characters_and_is_audited():
    staff = StaffFactory()
    with pytest.raises(ValidationError):
        services.staff_password_set(staff=staff, password="court-2024")
    with pytest.raises(ValidationError):
        services.staff_password_set(staff=staff, password="123456789012")  # numeric
    services.staff_password_set(staff=staff, password="une-phrase-de-passe-solide")
    staff.refresh_from_db()
    assert staff.check_password("une-phrase-de-passe-solide")
    assert AuditLog.objects.filter(action="auth.staff_password_changed").exists()


@pytest.mark.django_db
def test_staff_cannot_log_in_through_the_customer_form(client):
    staff = StaffFactory()
    response = client.post("/connexion/", {"customer_number": staff.username, "pin": "246813"})
    assert response.status_code == 200 and not client.session.get("_auth_user_id")
