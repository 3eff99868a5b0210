"""API bearer tokens: random secrets given once to the client, stored only as SHA-256 digests.

A token is an API session and follows the web session rules (docs/security.md §7 and §10): 12 hours
absolute (`SESSION_COOKIE_AGE`), ended after `ABRI_SESSION_IDLE_SECONDS` (15 minutes) without a request,
listed on « Sécurité » where the customer can end it, revoked by every credential change.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from abri.accounts.models import ApiToken
from abri.core.services import audit_record

TOKEN_LIFETIME = timedelta(seconds=settings.SESSION_COOKIE_AGE)  # 12 hours, like a web session
# last_used_at is written at most this often (not once per request); idle expiry is exact to within it.
TOUCH_EVERY = timedelta(seconds=30)


def token_idle_timeout() -> timedelta:
    """How long a token may go unused before it ends: the web session's idle timeout."""
    return timedelta(seconds=settings.ABRI_SESSION_IDLE_SECONDS)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user, label: str = "api", lifetime: timedelta = TOKEN_LIFETIME, step_up: bool = False,
                ip: str | None = None) -> str:
    """Create a token for this user and return its secret (shown once, never stored).

    label: the device, as shown on « Sécurité »; ip: the address it logged in from.
    step_up: the second factor was passed just now (the token starts fresh for sensitive actions).
    """
    raw = "abri_" + secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(user=user, key_digest=_digest(raw), label=label[:100], ip_address=ip or None,
                            expires_at=now + lifetime, last_used_at=now, step_up_at=now if step_up else None)
    return raw


def token_lookup(raw: str) -> ApiToken | None:
    """The active token row behind a bearer secret, or None (unknown, expired, idle, revoked, inactive user)."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (ApiToken.objects.select_related("user")
             .filter(key_digest=_digest(raw), revoked_at__isnull=True, expires_at__gt=now).first())
    if token is None or not token.user.is_active:
        return None
    last = token.last_used_at or token.created_at
    if now - last > token_idle_timeout():
        _token_expire_idle(token=token, now=now)
        return None
    if now - last >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _token_expire_idle(*, token: ApiToken, now) -> None:
    """End a token found idle (once: the conditional update is the guard), audited like a web session."""
    ended = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, end_reason="idle")
    if ended:
        user = token.user
        customer = getattr(user, "customer", None) if getattr(user, "is_customer", False) else None
        audit_record(actor=user, action="auth.api_token_expired_idle", customer=customer,
                     target=customer or user, data={"token": token.pk})


def token_step_up_mark(*, token: ApiToken) -> None:
    """Record that the second factor was just passed with this token (step-up, fresh 5 minutes)."""
    token.step_up_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(step_up_at=token.step_up_at)


def token_revoke(*, raw: str, reason: str = "logout") -> int:
    """Revoke one token."""
    return ApiToken.objects.filter(key_digest=_digest(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now(), end_reason=reason)


def token_end(*, user, token_id: int, reason: str = "ended_by_customer") -> bool:
    """End one of the user's tokens by its id (« Sécurité »); another user's token is never touched."""
    return bool(ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), end_reason=reason))


def tokens_revoke_all(*, user, reason: str = "credential_change") -> int:
    """Revoke every token of a user (credential change, lock)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now(),
                                                                             end_reason=reason)


def tokens_active_for(*, user):
    """The user's tokens that still open the API, newest use first (« Sécurité »)."""
    return ApiToken.objects.active().filter(user=user).order_by("-last_used_at", "-created_at")
