"""TOTP (RFC 6238) for customers and staff: provisioning, single-use verification, recovery codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from abri.accounts.models import RecoveryCode, TotpDevice

ISSUER = "Abri"
VALID_WINDOW = 1  # one 30-second step either side, for clock drift


def _fernet() -> Fernet:
    key = hashlib.sha256(("totp:" + settings.ABRI_PIN_PEPPER).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _secret(device: TotpDevice) -> str:
    try:
        return _fernet().decrypt(device.encrypted_secret.encode()).decode()
    except InvalidToken as exc:  # pepper rotated without re-encryption
        raise RuntimeError("TOTP secret cannot be decrypted with the current pepper") from exc


@transaction.atomic
def totp_provision(*, user) -> tuple[str, str]:
    """Create (or replace an unconfirmed) device; returns (secret, otpauth URI) to show as a QR code."""
    secret = pyotp.random_base32()
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={"encrypted_secret": _fernet().encrypt(secret.encode()).decode(), "confirmed_at": None,
                  "last_used_step": 0},
    )
    label = getattr(user, "email", "") or user.username
    uri = pyotp.TOTP(secret).provisioning_uri(name=label, issuer_name=ISSUER)
    return secret, uri


def totp_is_enrolled(user) -> bool:
    """True when the user has a confirmed authenticator app."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def totp_verify(*, user, code: str, confirm: bool = False) -> bool:
    """Check a 6-digit code; each time step is accepted once (replay refused)."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return False
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or (device.confirmed_at is None and not confirm):
        return False
    totp = pyotp.TOTP(_secret(device))
    now_step = int(timezone.now().timestamp()) // 30
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = now_step + offset
        if step <= device.last_used_step:
            continue
        if hmac.compare_digest(totp.at(step * 30), code):
            device.last_used_step = step
            fields = ["last_used_step"]
            if confirm and device.confirmed_at is None:
                device.confirmed_at = timezone.now()
                fields.append("confirmed_at")
            device.save(update_fields=fields)
            return True
    return False


def _code_digest(code: str) -> str:
    return hmac.new(settings.ABRI_PIN_PEPPER.encode(), code.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def recovery_codes_generate(*, user, count: int = 10) -> list[str]:
    """Replace the user's recovery codes; returns them once, in clear, to show to the user."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(count)]
    codes = [f"{c[:5]}-{c[5:]}" for c in codes]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_digest=_code_digest(c)) for c in codes)
    return codes


@transaction.atomic
def recovery_code_use(*, user, code: str) -> bool:
    """Consume one recovery code (single use)."""
    code = (code or "").strip()
    if len(code) == 10 and code.isdigit():
        code = f"{code[:5]}-{code[5:]}"
    return bool(
        RecoveryCode.objects.filter(user=user, code_digest=_code_digest(code), used_at__isnull=True)
        .update(used_at=timezone.now())
    )
