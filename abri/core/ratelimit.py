"""The one rate limiter: fixed windows counted where every process of the portal sees them.

A window opens at the first hit on a key and lasts `window_seconds`; at most `limit` hits are allowed in
it. The counters are never in a process's memory (gunicorn runs several workers, each with its own
LocMemCache): they live

- in Redis when REDIS_URL is set (ABRI_RATELIMIT_STORE="cache"): one Lua script does INCR and, on the
  first hit, PEXPIRE, so the count and its expiry are set atomically;
- otherwise in the database (ABRI_RATELIMIT_STORE="database"), table core_ratecounter: one
  INSERT … ON CONFLICT DO UPDATE … RETURNING statement increments the row (or starts a new window when the
  old one has ended) and returns the new count. SQLite (≥ 3.35) and PostgreSQL both run it atomically, so
  concurrent requests from any number of processes are all counted. Ended windows are deleted by the
  worker's heartbeat and, now and then, by a hit.

On the database store a hit is written in the caller's transaction: call the limiter outside an atomic
block that may roll back (every caller does), or the hit is rolled back with it.
Keys are hashed (sha256): neither an address nor an e-mail is stored.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

CACHE_KEY_PREFIX = "abri:rl:"
PRUNE_PROBABILITY = 0.01  # a hit deletes the ended windows about once in a hundred


@dataclass(frozen=True)
class Decision:
    """The answer for one hit: allowed or not, the count in the window, and the seconds until it ends."""

    allowed: bool
    count: int
    retry_after: float

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds for a Retry-After header (at least 1)."""
        return max(1, math.ceil(self.retry_after))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _store() -> str:
    return getattr(settings, "ABRI_RATELIMIT_STORE", "database")


def hit(key: str, *, limit: int, window_seconds: float) -> Decision:
    """Count one event under `key`; allowed while the window holds at most `limit` events."""
    digest = _digest(key)
    if _store() == "cache":
        count, retry_after = _cache_hit(digest, window_seconds)
    else:
        count, retry_after = _database_hit(digest, window_seconds)
    return Decision(allowed=count <= limit, count=count, retry_after=retry_after)


def peek(key: str) -> int:
    """The number of events counted under `key` in its current window (0 when none), without counting one."""
    digest = _digest(key)
    if _store() == "cache":
        return int(cache.get(CACHE_KEY_PREFIX + digest) or 0)
    from abri.core.models import RateCounter

    row = RateCounter.objects.filter(key=digest, expires_at__gt=time.time()).values_list("count", flat=True).first()
    return row or 0


def reset(key: str) -> None:
    """Forget the window of `key` (e.g. a full login clears the failures of that account)."""
    digest = _digest(key)
    if _store() == "cache":
        cache.delete(CACHE_KEY_PREFIX + digest)
        return
    from abri.core.models import RateCounter

    RateCounter.objects.filter(key=digest).delete()


def prune() -> int:
    """Delete the ended windows of the database store; returns how many (the worker calls it)."""
    if _store() == "cache":
        return 0  # Redis expires its keys itself
    from abri.core.models import RateCounter

    deleted, _ = RateCounter.objects.filter(expires_at__lte=time.time()).delete()
    return deleted


# --- Database store ---------------------------------------------------------------------------
def _database_hit(digest: str, window_seconds: float) -> tuple[int, float]:
    from abri.core.models import RateCounter

    qn = connection.ops.quote_name
    table = qn(RateCounter._meta.db_table)
    key, count, expires = qn("key"), qn("count"), qn("expires_at")
    now = time.time()
    # In the DO UPDATE clause every column reads the row as it was: both CASEs see the old expiry.
    # Only quoted model names are interpolated; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{expires} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{expires} = CASE WHEN {table}.{expires} <= %s THEN excluded.{expires} ELSE {table}.{expires} END "
        f"RETURNING {count}, {expires}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest, now + window_seconds, now, now])
        # fetchall: SQLite ends the statement (and its write) only once every returned row is read.
        [(new_count, window_end)] = cursor.fetchall()
    if random.random() < PRUNE_PROBABILITY:  # noqa: S311 - not security-relevant, only spreads the cleanup
        prune()
    return int(new_count), max(0.0, float(window_end) - now)


# --- Cache (Redis) store ----------------------------------------------------------------------
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
_scripts: dict[int, object] = {}


def _cache_hit(digest: str, window_seconds: float) -> tuple[int, float]:
    cache_key = CACHE_KEY_PREFIX + digest
    window_ms = max(1, int(window_seconds * 1000))
    if hasattr(cache, "client") and hasattr(cache.client, "get_client"):  # django-redis
        client = cache.client.get_client(write=True)
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(_HIT_SCRIPT)
        count, ttl_ms = script(keys=[cache.make_key(cache_key)], args=[window_ms])
        return int(count), int(ttl_ms) / 1000
    # Any other cache (shared only if the backend is: memcached, or LocMemCache within one process).
    if cache.add(cache_key, 1, timeout=math.ceil(window_seconds)):
        return 1, float(window_seconds)
    try:
        return cache.incr(cache_key), float(window_seconds)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=math.ceil(window_seconds))
        return 1, float(window_seconds)
