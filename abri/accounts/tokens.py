"""API bearer tokens: random secrets given once to the client, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from abri.accounts.models import ApiToken

TOKEN_LIFETIME = timedelta(hours=12)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user, label: str = "api", lifetime: timedelta = TOKEN_LIFETIME, step_up: bool = False) -> str:
    """Create a token for this user and return its secret (shown once, never stored).

    step_up: the second factor was passed just now (the token starts fresh for sensitive actions).
    """
    raw = "abri_" + secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(user=user, key_digest=_digest(raw), label=label, expires_at=now + lifetime,
                            step_up_at=now if step_up else None)
    return raw


def token_lookup(raw: str) -> ApiToken | None:
    """The active token row behind a bearer secret, or None (unknown, expired, revoked, inactive user)."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user").filter(key_digest=_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_authenticate(raw: str):
    """The active user behind a bearer token, or None (unknown, expired or revoked)."""
    token = token_lookup(raw)
    return token.user if token is not None else None


def token_step_up_mark(*, token: ApiToken) -> None:
    """Record that the second factor was just passed with this token (step-up, fresh 5 minutes)."""
    token.step_up_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(step_up_at=token.step_up_at)


def token_revoke(*, raw: str) -> int:
    """Revoke one token."""
    return ApiToken.objects.filter(key_digest=_digest(raw), revoked_at__isnull=True).update(revoked_at=timezone.now())


def tokens_revoke_all(*, user) -> int:
    """Revoke every token of a user (credential change, lock)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
