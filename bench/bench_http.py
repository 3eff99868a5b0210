"""Requests per second of the dashboard and of /healthz under gunicorn (2 workers), on loopback.

The script starts gunicorn itself on a free 127.0.0.1 port over the benchmark database, logs
DEMO0001G in (a session row, as force_login does), drives a bounded load — `wrk` when installed,
else a small threaded http.client loop — and stops the server. Only 127.0.0.1 is ever targeted;
each run is bounded in time (--seconds) and, for the Python client, in count (--max-requests).
Prints one JSON object.
Usage: .venv/bin/python bench/bench_http.py [--customers 100000] [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, REPO, bench_env, refresh, scale_db, setup_django  # noqa: E402

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


def load_with_wrk(port: int, path: str, cookie: str, seconds: int, connections: int) -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", *headers,
         f"http://{HOST}:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    total = int(re.search(r"(\d+) requests in", result.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    return {"rps": round(rps, 1), "requests": total, "non_2xx": int(bad.group(1)) if bad else 0}


def load_with_python(port: int, path: str, cookie: str, seconds: int, connections: int, max_requests: int) -> dict:
    deadline = time.monotonic() + seconds
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()
    budget = [max_requests]

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                key = "ok" if response.status == 200 else "bad"
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                key = "bad"
            with lock:
                counts[key] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    elapsed = time.monotonic() - started
    total = counts["ok"] + counts["bad"]
    return {"rps": round(total / elapsed, 1), "requests": total, "non_2xx": counts["bad"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap of the Python client")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--var-dir", type=Path, help="an existing ABRI_VAR_DIR to use instead of the cached one")
    args = parser.parse_args()

    var_dir = args.var_dir or scale_db(args.customers)
    if args.var_dir:
        refresh(var_dir)
    setup_django(var_dir)
    from django.conf import settings
    from django.test import Client

    from abri.accounts.models import User

    login = Client()
    login.force_login(User.objects.get(username="DEMO0001G"), backend="abri.accounts.backends.CustomerPinBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={login.cookies[settings.SESSION_COOKIE_NAME].value}"
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "abri.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", "2",
         "--threads", "4", "--timeout", "60", "--log-level", "warning"],
        cwd=REPO, env=bench_env(var_dir), stdout=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, server)
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        conn.request("GET", "/tableau-de-bord/", headers={"Cookie": cookie})
        response = conn.getresponse()
        if response.status != 200 or b"Bonjour" not in response.read():
            raise SystemExit(f"the dashboard answered {response.status} instead of the logged-in page")
        results = {}
        # The probe comes without a session, as a load balancer's does.
        for name, path, session in (("dashboard", "/tableau-de-bord/", cookie), ("healthz", "/healthz", "")):
            if use_wrk:
                results[name] = load_with_wrk(port, path, session, args.seconds, args.connections)
            else:
                results[name] = load_with_python(port, path, session, args.seconds, args.connections,
                                                 args.max_requests)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print(json.dumps({
        "benchmark": "http",
        "server": "gunicorn 2 workers × 4 threads, 127.0.0.1",
        "client": "wrk" if use_wrk else "python http.client threads",
        "connections": args.connections,
        "seconds_each": args.seconds,
        "dashboard_rps": results["dashboard"]["rps"],
        "healthz_rps": results["healthz"]["rps"],
        "dashboard_to_healthz_ratio": round(results["dashboard"]["rps"] / results["healthz"]["rps"], 3),
        "details": results,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
