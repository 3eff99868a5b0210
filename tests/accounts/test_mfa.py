import pyotp
import pytest

from abri.accounts.mfa import (
    _secret,
    recovery_code_use,
    recovery_codes_generate,
    totp_is_enrolled,
    totp_provision,
    totp_verify,
)
from abri.accounts.models import TotpDevice


@pytest.mark.django_db
def test_totp_enrolment_and_single_use(alice):
    secret, uri = totp_provision(user=alice.user)
    assert uri.startswith("otpauth://totp/")
    assert secret not in TotpDevice.objects.get(user=alice.user).encrypted_secret
    code = pyotp.TOTP(secret).now()
    assert not totp_verify(user=alice.user, code=code)  # not confirmed yet
    assert totp_verify(user=alice.user, code=code, confirm=True)
    assert totp_is_enrolled(alice.user)
    assert not totp_verify(user=alice.user, code=code)  # replay refused
    assert _secret(TotpDevice.objects.get(user=alice.user)) == secret


@pytest.mark.django_db
def test_recovery_codes_are_single_use(alice):
    codes = recovery_codes_generate(user=alice.user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert recovery_code_use(user=alice.user, code=codes[0])
    assert not recovery_code_use(user=alice.user, code=codes[0])
    assert recovery_code_use(user=alice.user, code=codes[1].replace("-", ""))
