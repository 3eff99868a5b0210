"""Single-use codes and links (login OTP, step-up, activation, recovery), stored only as peppered digests.

A code is addressed by a random *challenge* (kept in the session, or given to the API client) so that
a 6-digit code is only ever checked against one row: 3 tries, then the challenge is dead.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abri.accounts.models import OneTimeCode
from abri.core import ratelimit

MAX_ATTEMPTS = 3
WARN_WHEN_REMAINING = 3  # same as the PIN policy (services.WARN_WHEN_REMAINING)
SMS_LIFETIME = timedelta(minutes=5)
EMAIL_CODE_LIFETIME = timedelta(minutes=15)
LINK_LIFETIME = timedelta(hours=1)
POSTAL_LIFETIME = timedelta(days=21)
POSTAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper


def digest(value: str) -> str:
    """HMAC-SHA256 keyed by the pepper: a database dump alone cannot test codes offline."""
    return hmac.new(settings.ABRI_PIN_PEPPER.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_challenge() -> str:
    """An opaque, unguessable handle for one code."""
    return secrets.token_urlsafe(24)


def new_numeric_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**6):06d}"


def new_postal_code() -> str:
    """Ten characters printed on an activation letter, shown as XXXXX-XXXXX."""
    raw = "".join(secrets.choice(POSTAL_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(code: str) -> str:
    """Forgive spaces, dashes and case."""
    return "".join(ch for ch in (code or "") if ch.isalnum()).upper()[:40]


class CheckStatus(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"  # tries left
    EXHAUSTED = "exhausted"  # third wrong try: start again
    EXPIRED = "expired"
    USED = "used"  # replayed
    UNKNOWN = "unknown"
    THROTTLED = "throttled"  # per-person delay running: not checked, not counted
    LOCKED = "locked"  # per-person lock (too many wrong second-factor codes)


@dataclass
class CheckResult:
    status: CheckStatus
    code: OneTimeCode | None = None
    tries_left: int = 0
    checked: bool = False  # a wrong code was actually compared (counts in the per-person policy)
    retry_after: int = 0  # per-person delay now running (seconds)
    remaining: int | None = None  # wrong codes left before the per-person lock

    @property
    def ok(self) -> bool:
        return self.status == CheckStatus.OK

    @property
    def warn(self) -> bool:
        """The person should be warned that the lock is near (same threshold as for PINs)."""
        return self.remaining is not None and self.remaining <= WARN_WHEN_REMAINING


def code_issue(*, user, purpose: str, channel: str, lifetime: timedelta | None = None,
               code: str | None = None, customer_number: str = "") -> tuple[str, str]:
    """Create one code; returns (challenge, code) in clear for the caller to send, never stored."""
    if lifetime is None:
        lifetime = {
            OneTimeCode.Channel.SMS: SMS_LIFETIME,
            OneTimeCode.Channel.EMAIL: EMAIL_CODE_LIFETIME,
            OneTimeCode.Channel.POST: POSTAL_LIFETIME,
        }.get(channel, SMS_LIFETIME)
    if code is None:
        code = new_postal_code() if channel == OneTimeCode.Channel.POST else new_numeric_code()
    challenge = _code_row_create(user=user, customer_number=customer_number, purpose=purpose, channel=channel,
                                 code_digest=digest(f"code:{normalize_code(code)}") if code else "",
                                 lifetime=lifetime)
    return challenge, code


def _code_row_create(*, user, customer_number: str, purpose: str, channel: str, code_digest: str,
                     lifetime: timedelta) -> str:
    """Store one code row (real or decoy: the same row, the same queries); returns its new challenge."""
    challenge = new_challenge()
    now = timezone.now()
    OneTimeCode.objects.create(
        user=user, customer_number=customer_number, purpose=purpose, channel=channel,
        challenge_digest=digest("challenge:" + challenge), code_digest=code_digest,
        created_at=now, expires_at=now + lifetime,
    )
    return challenge


def decoy_issue(*, purpose: str, channel: str, customer_number: str, lifetime: timedelta) -> str:
    """A challenge for an identity that matched nothing: a row like a real one (3 tries, expiry, same
    queries), whose digest no typed code can ever produce. Returns the challenge; nothing is sent."""
    # never "code:…": no typed code can produce this digest
    return _code_row_create(user=None, customer_number=customer_number, purpose=purpose, channel=channel,
                            code_digest=digest("decoy:" + secrets.token_hex(16)), lifetime=lifetime)


def code_find(*, challenge: str, purpose: str) -> OneTimeCode | None:
    """The code row behind a challenge (no check of the code itself)."""
    if not challenge or len(challenge) > 100:
        return None
    return (
        OneTimeCode.objects.select_related("user")
        .filter(challenge_digest=digest("challenge:" + challenge), purpose=purpose)
        .first()
    )


@transaction.atomic
def code_check(*, challenge: str, code: str, purpose: str, consume: bool = True) -> CheckResult:
    """Check a code against its challenge: 3 tries, single use, expiry; consumed on success."""
    if not challenge or len(challenge) > 100:
        return CheckResult(CheckStatus.UNKNOWN)
    row = (
        OneTimeCode.objects.select_for_update()
        .filter(challenge_digest=digest("challenge:" + challenge), purpose=purpose)
        .first()
    )
    if row is None:
        return CheckResult(CheckStatus.UNKNOWN)
    now = timezone.now()
    if row.used_at is not None:
        return CheckResult(CheckStatus.USED, row)
    if row.expires_at <= now:
        return CheckResult(CheckStatus.EXPIRED, row)
    if row.attempts >= MAX_ATTEMPTS:
        return CheckResult(CheckStatus.EXHAUSTED, row)
    if hmac.compare_digest(row.code_digest, digest(f"code:{normalize_code(code)}")):
        fields = ["verified_at"]
        row.verified_at = now
        if consume:
            row.used_at = now
            fields.append("used_at")
        row.save(update_fields=fields)
        return CheckResult(CheckStatus.OK, row)
    row.attempts += 1
    row.save(update_fields=["attempts"])
    left = MAX_ATTEMPTS - row.attempts
    return CheckResult(CheckStatus.WRONG if left > 0 else CheckStatus.EXHAUSTED, row, left, checked=True)


@transaction.atomic
def code_consume(*, challenge: str, purpose: str) -> OneTimeCode | None:
    """Mark a verified code (or a link) used; None when it was already used or expired."""
    row = code_find(challenge=challenge, purpose=purpose)
    if row is None:
        return None
    updated = OneTimeCode.objects.filter(
        pk=row.pk, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    return row if updated else None


@transaction.atomic
def postal_code_check(*, user, code: str) -> bool:
    """Check a postal activation code (21 days) of this user; single use, 3 wrong tries kill them."""
    rows = OneTimeCode.objects.select_for_update().filter(
        user=user, purpose=OneTimeCode.Purpose.ACTIVATION, channel=OneTimeCode.Channel.POST,
        used_at__isnull=True, expires_at__gt=timezone.now(), attempts__lt=MAX_ATTEMPTS,
    )
    wanted = digest(f"code:{normalize_code(code)}")
    for row in rows:
        if hmac.compare_digest(row.code_digest, wanted):
            row.used_at = row.verified_at = timezone.now()
            row.save(update_fields=["used_at", "verified_at"])
            return True
    rows.update(attempts=F("attempts") + 1)
    return False


def rate_limit_hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event under `key`; True when the limit is exceeded in the window (shared by every process)."""
    return not ratelimit.hit(key, limit=limit, window_seconds=window_seconds).allowed
