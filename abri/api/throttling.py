"""API rate limits: fixed-window counters shared by every process (abri.core.ratelimit: Redis or the database).

Rates are read from settings at each request, so they can be tuned per deployment:
ABRI_API_RATE_USER (per authenticated login) and ABRI_API_RATE_ANON (per client address, for
the endpoints open without authentication). Format: "<requests>/<period>", period in s, min,
h or d. Each request is one atomic increment in the shared store (never a per-process memory),
so concurrent requests on any worker or app server are all counted. The client address is the
one the portal trusts (abri.core.middleware.client_ip), never a spoofable X-Forwarded-For.
"""

from __future__ import annotations

import threading

from django.conf import settings
from ninja.throttling import BaseThrottle

from abri.core import ratelimit
from abri.core.middleware import client_ip

DEFAULT_USER_RATE = "300/min"
DEFAULT_ANON_RATE = "60/min"
_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'300/min' → (300, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()]


class _SettingsRateThrottle(BaseThrottle):
    key_prefix = "throttle"  # tests give each test its own prefix instead of clearing a shared cache
    scope = ""
    setting_name = ""
    default_rate = ""

    def __init__(self):
        # One instance serves every thread: the wait of the current request is thread-local.
        self._local = threading.local()

    def get_cache_key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        self._local.wait = None
        key = self.get_cache_key(request)
        if key is None:
            return True
        limit, period = parse_rate(getattr(settings, self.setting_name, self.default_rate))
        decision = ratelimit.hit(f"{self.key_prefix}:{self.scope}:{key}", limit=limit, window_seconds=period)
        if not decision.allowed:
            self._local.wait = decision.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


class UserRateThrottle(_SettingsRateThrottle):
    """Requests per authenticated login."""

    scope = "api_user"
    setting_name = "ABRI_API_RATE_USER"
    default_rate = DEFAULT_USER_RATE

    def get_cache_key(self, request):
        user = getattr(request, "auth", None)
        return None if user is None else f"u{user.pk}"


class AnonRateThrottle(_SettingsRateThrottle):
    """Requests per client address on endpoints that need no authentication."""

    scope = "api_anon"
    setting_name = "ABRI_API_RATE_ANON"
    default_rate = DEFAULT_ANON_RATE

    def get_cache_key(self, request):
        if getattr(request, "auth", None) is not None:
            return None
        return client_ip(request) or "unknown"


api_throttles = [UserRateThrottle(), AnonRateThrottle()]
