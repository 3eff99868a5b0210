from datetime import UTC, datetime

import pyotp
import pytest
from django.utils import timezone
from freezegun import freeze_time

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


# An authenticator app's clock drifts and a person takes a few seconds to copy a code: the code of the
# step before and after the server's are accepted too (pyotp's valid_window=1), never one two steps away.
STEP = 30
BASE = 1_790_000_010 // STEP * STEP  # a step boundary (Unix time), in 2026


def _enrolled(user):
    secret, _uri = totp_provision(user=user)
    TotpDevice.objects.filter(user=user).update(confirmed_at=timezone.now())
    return pyotp.TOTP(secret)


@pytest.mark.django_db
@pytest.mark.parametrize(("seconds_after_issue", "accepted"), [
    (-STEP, True),  # the phone is up to 30 s ahead: the next step's code, at the first second of this step
    (0, True),
    (STEP - 1, True),  # the last second of its own step
    (2 * STEP - 1, True),  # the last second of the adjacent window: copied slowly, still accepted
    (2 * STEP, False),  # two steps later: refused
    (-STEP - 1, False),  # two steps early: refused
])
def test_totp_accepts_the_adjacent_windows_only(alice, seconds_after_issue, accepted):
    totp = _enrolled(alice.user)
    code = totp.at(BASE)
    assert pyotp.TOTP(totp.secret).verify(code, for_time=BASE + seconds_after_issue, valid_window=1) is accepted
    with freeze_time(datetime.fromtimestamp(BASE + seconds_after_issue, tz=UTC)):
        assert totp_verify(user=alice.user, code=code) is accepted


@pytest.mark.django_db
def test_totp_code_accepted_late_cannot_be_replayed_nor_an_older_one_used(alice):
    totp = _enrolled(alice.user)
    with freeze_time(datetime.fromtimestamp(BASE + 2 * STEP - 1, tz=UTC)):
        assert totp_verify(user=alice.user, code=totp.at(BASE))
        assert not totp_verify(user=alice.user, code=totp.at(BASE))  # the same code again
        assert not totp_verify(user=alice.user, code=totp.at(BASE - 1))  # an older code: refused too
        assert totp_verify(user=alice.user, code=totp.at(BASE + STEP))  # the current step's code still works
    with freeze_time(datetime.fromtimestamp(BASE + 2 * STEP + 5, tz=UTC)):
        assert not totp_verify(user=alice.user, code=totp.at(BASE + STEP))  # used, even in the next step
