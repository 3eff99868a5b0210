"""The one rate limiter: counters shared by every process, in the database (default) or Redis (REDIS_URL)."""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from abri.core import ratelimit
from abri.core.models import RateCounter

ROOT = Path(__file__).resolve().parents[2]
STORES = ["database"] + (["cache"] if os.environ.get("REDIS_URL") else [])


@pytest.fixture(params=STORES)
def store(request, settings, db):
    settings.ABRI_RATELIMIT_STORE = request.param
    return request.param


def fresh_key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_allows_exactly_the_limit_in_a_window(store):
    key = fresh_key()
    decisions = [ratelimit.hit(key, limit=3, window_seconds=60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.count for d in decisions] == [1, 2, 3, 4, 5]
    assert 0 < decisions[-1].retry_after <= 60
    assert 1 <= decisions[-1].retry_after_seconds <= 60
    assert ratelimit.peek(key) == 5
    assert ratelimit.hit(fresh_key(), limit=3, window_seconds=60).allowed  # another key, its own window


def test_a_new_window_starts_when_the_old_one_has_ended(store, monkeypatch):
    key = fresh_key()
    for _ in range(3):
        ratelimit.hit(key, limit=2, window_seconds=1)
    assert not ratelimit.hit(key, limit=2, window_seconds=1).allowed
    time.sleep(1.1)
    assert ratelimit.peek(key) == 0
    decision = ratelimit.hit(key, limit=2, window_seconds=1)
    assert decision.allowed and decision.count == 1


def test_reset_forgets_the_window(store):
    key = fresh_key()
    for _ in range(4):
        ratelimit.hit(key, limit=2, window_seconds=60)
    ratelimit.reset(key)
    assert ratelimit.peek(key) == 0
    assert ratelimit.hit(key, limit=2, window_seconds=60).allowed


def test_database_store_keeps_no_address_and_prunes_ended_windows(settings, db, monkeypatch):
    settings.ABRI_RATELIMIT_STORE = "database"
    ratelimit.hit("verify-rate:203.0.113.9", limit=5, window_seconds=60)
    ratelimit.hit("old", limit=5, window_seconds=60)
    RateCounter.objects.exclude(key=ratelimit._digest("verify-rate:203.0.113.9")).update(expires_at=time.time() - 1)
    assert not RateCounter.objects.filter(key__contains="203.0.113").exists()
    assert ratelimit.prune() == 1
    assert ratelimit.peek("verify-rate:203.0.113.9") == 1


# --- Two processes ------------------------------------------------------------------------------
HITS_PER_PROCESS = 25
LIMIT = 10

# Uses the public wrapper that existed before the shared limiter (abri.accounts.codes.rate_limit_hit).
_WORKER = textwrap.dedent("""
    import json, os, sys, time
    import django
    django.setup()
    from abri.accounts.codes import rate_limit_hit
    key, start_at, hits, limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    while time.time() < start_at:  # both processes start hitting at the same moment
        time.sleep(0.001)
    allowed = sum(not rate_limit_hit(key, limit=limit, window_seconds=600) for _ in range(hits))
    print(json.dumps({"pid": os.getpid(), "allowed": allowed}))
""")


def _clean_env(var_dir, **extra) -> dict:
    # The default setup: SQLite under ABRI_VAR_DIR, no Redis (unless given in extra).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="abri.settings", ABRI_VAR_DIR=str(var_dir), **extra)
    return env


@pytest.fixture(scope="module")
def migrated_var_dir(tmp_path_factory):
    """A var/ directory with a migrated SQLite database, as `make run` leaves it."""
    var_dir = tmp_path_factory.mktemp("var")
    result = subprocess.run([sys.executable, "-m", "abri", "migrate", "--noinput", "-v", "0"],  # noqa: S603
                            cwd=ROOT, env=_clean_env(var_dir), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return var_dir


def _run_two_processes(env: dict, key: str) -> list[dict]:
    start_at = time.time() + 3  # time for both interpreters to import Django
    procs = [subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", _WORKER, key, str(start_at), str(HITS_PER_PROCESS), str(LIMIT)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_two_processes_share_the_limit_on_the_default_database(migrated_var_dir):
    results = _run_two_processes(_clean_env(migrated_var_dir), f"two-processes-{uuid.uuid4().hex}")

    assert results[0]["pid"] != results[1]["pid"]
    assert sum(r["allowed"] for r in results) == LIMIT  # not LIMIT in each process


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Redis store: only when REDIS_URL is set (CI)")
def test_two_processes_share_the_limit_on_redis(tmp_path):
    env = _clean_env(tmp_path, REDIS_URL=os.environ["REDIS_URL"], ABRI_CACHE_PREFIX=f"t{uuid.uuid4().hex[:8]}")
    results = _run_two_processes(env, f"two-processes-{uuid.uuid4().hex}")

    assert sum(r["allowed"] for r in results) == LIMIT


# --- The portal as `make run` serves it: gunicorn with 2 workers ---------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def portal(migrated_var_dir):
    """gunicorn with two worker processes on the migrated SQLite database; the access log names the pid."""
    port = _free_port()
    log = migrated_var_dir / "access.log"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "abri.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(U)s"],
        cwd=ROOT, env=_clean_env(migrated_var_dir, ABRI_DEMO="0"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                _status(base + "/healthz")  # any answer (503 without a worker) means it listens
                break
            except OSError:  # not listening yet
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.1)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _status(url: str, data: bytes | None = None, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _workers_that_served(log: Path, path: str) -> set[str]:
    time.sleep(0.5)  # the access log is written after the response
    return {line.split()[0] for line in log.read_text().splitlines() if line.split()[2:3] == [path]}


def test_verifications_are_limited_once_across_both_workers(portal):
    # Before: each gunicorn worker counted in its own memory, 60 of 80 verifications passed (limit 30).
    base, log = portal
    url = base + "/verifier/?numero=ATT-2026-ABCDEFGH"
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _status(url), range(80)))

    assert len(_workers_that_served(log, "/verifier/")) == 2  # both processes answered
    assert statuses.count(200) == 30
    assert statuses.count(429) == 50


def test_identity_checks_are_limited_once_across_both_workers(portal):
    # Before: 17 of 30 forgotten-number requests passed from one address (limit 10 per hour).
    base, log = portal
    path = "/identifiants-oublies/numero-client/"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + path, timeout=30).read().decode()  # noqa: S310 - local test server
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "contact": "personne@example.org"}).encode()
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _status(base + path, body, headers), range(30)))

    assert len(_workers_that_served(log, path)) == 2
    assert statuses.count(200) == 10
    assert statuses.count(429) == 20
