"""Staff login throttling: failure counters shared by every process (abri.core.ratelimit: Redis or the database).

django-axes already blocks an IP address after AXES_FAILURE_LIMIT failures across the whole portal;
this adds the staff policy: an e-mail address is blocked for WINDOW_SECONDS after MAX_PER_ACCOUNT
consecutive failures (password or code), an address after MAX_PER_IP failures on the staff login.
"""

from __future__ import annotations

from abri.core import ratelimit

KEY_PREFIX = "bo-login-fail"
WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 5
MAX_PER_IP = 20


def _key(kind: str, value: str) -> str:
    # The limiter hashes keys: an e-mail address is never stored.
    return f"{KEY_PREFIX}:{kind}:{value.strip().lower()}"


def login_is_throttled(*, email: str, ip: str) -> bool:
    """True when this account or this address has failed too often recently."""
    return (bool(email) and ratelimit.peek(_key("email", email)) >= MAX_PER_ACCOUNT) or (
        bool(ip) and ratelimit.peek(_key("ip", ip)) >= MAX_PER_IP
    )


def login_failure_count(*, email: str, ip: str) -> None:
    """Count one failed password or code."""
    if email:
        ratelimit.hit(_key("email", email), limit=MAX_PER_ACCOUNT, window_seconds=WINDOW_SECONDS)
    if ip:
        ratelimit.hit(_key("ip", ip), limit=MAX_PER_IP, window_seconds=WINDOW_SECONDS)


def login_failures_reset(*, email: str) -> None:
    """A full login (password and code) clears the account's counter, not the address's."""
    ratelimit.reset(_key("email", email))
