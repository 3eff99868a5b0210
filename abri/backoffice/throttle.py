"""Staff login throttling: failure counters in the shared cache (Redis in production).

django-axes already blocks an IP address after AXES_FAILURE_LIMIT failures across the whole portal;
this adds the staff policy: an e-mail address is blocked for WINDOW_SECONDS after MAX_PER_ACCOUNT
consecutive failures (password or code), an address after MAX_PER_IP failures on the staff login.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

KEY_PREFIX = "bo-login-fail"
WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 5
MAX_PER_IP = 20


def _key(kind: str, value: str) -> str:
    # Hashed so that an e-mail address never appears in the cache keys.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{kind}:{digest}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _increment(key: str) -> int:
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def login_is_throttled(*, email: str, ip: str) -> bool:
    """True when this account or this address has failed too often recently."""
    return (bool(email) and _count(_key("email", email)) >= MAX_PER_ACCOUNT) or (
        bool(ip) and _count(_key("ip", ip)) >= MAX_PER_IP
    )


def login_failure_count(*, email: str, ip: str) -> None:
    """Count one failed password or code."""
    if email:
        _increment(_key("email", email))
    if ip:
        _increment(_key("ip", ip))


def login_failures_reset(*, email: str) -> None:
    """A full login (password and code) clears the account's counter, not the address's."""
    cache.delete(_key("email", email))
