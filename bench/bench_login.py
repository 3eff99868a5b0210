"""Login benchmark: median request time and throughput with 2 gunicorn workers, as JSON.

    .venv/bin/python bench/bench_login.py [--customers 20] [--seconds 10] [--concurrency 4]

A throw-away SQLite database is created in a temporary ABRI_VAR_DIR; each customer has a trusted device,
so that one request is the whole login (policy checks + Argon2id verify + token issue), the path a
returning customer takes. Never run by `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

SETUP = r"""
import json
from abri.accounts import services
from abri.accounts.models import Customer
from abri.accounts.numbers import with_check_character
out = []
for i in range({n}):
    number = with_check_character(f"BNCH{{i:04d}}")
    customer = Customer.objects.filter(customer_number=number).first() or services.customer_create(
        first_name="Bench", last_name=str(i), customer_number=number, pin="582017", phone="+33600000000")
    out.append({{"number": number, "device": services.device_trust(user=customer.user, label="bench")}})
print("JSON" + json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login(base: str, account: dict) -> tuple[int, float]:
    body = json.dumps({"customer_number": account["number"], "pin": "582017"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/login", data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Abri-Device": account["device"]})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
            payload = json.load(response)
            assert "token" in payload, payload
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - start


def _argon2_ms() -> float:
    code = ("import os,time,statistics,django;os.environ['DJANGO_SETTINGS_MODULE']='abri.settings';django.setup();"
            "from django.contrib.auth.hashers import make_password,check_password;h=make_password('582017');"
            "d=[];[d.append((lambda s:(check_password('582017',h),time.perf_counter()-s)[1])(time.perf_counter()))"
            " for _ in range(15)];print(statistics.median(d)*1000)")
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--sequential", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="abri-bench-") as tmp:
        env = dict(os.environ, ABRI_VAR_DIR=tmp, ABRI_DEMO="0", ABRI_LOG_LEVEL="WARNING", AXES_ENABLED="1")
        env.pop("DATABASE_URL", None)  # always a throw-away SQLite database
        Path(tmp, "static").mkdir()
        subprocess.run([PYTHON, "-m", "abri", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup = subprocess.run([PYTHON, "-m", "abri", "shell", "-c", SETUP.format(n=args.customers)], cwd=ROOT,
                               env=env, check=True, capture_output=True, text=True)
        accounts = json.loads(setup.stdout.split("JSON", 1)[1])
        os.environ.update({"ABRI_VAR_DIR": tmp})
        argon_ms = _argon2_ms()

        port = _free_port()
        server = subprocess.Popen([PYTHON, "-m", "gunicorn", "abri.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/api/v1/ping", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            for account in accounts[:4]:  # warm both workers
                _login(base, account)

            sequential = [_login(base, accounts[i % len(accounts)]) for i in range(args.sequential)]
            latencies = sorted(t for status, t in sequential if status == 200)

            done: list[tuple[int, float]] = []
            lock = threading.Lock()
            stop_at = time.perf_counter() + args.seconds

            def worker(offset: int) -> None:
                i = offset
                while time.perf_counter() < stop_at:
                    result = _login(base, accounts[i % len(accounts)])
                    with lock:
                        done.append(result)
                    i += args.concurrency

            started = time.perf_counter()
            threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)

    ok = [t for status, t in done if status == 200]
    report = {
        "benchmark": "login (POST /api/v1/auth/login, trusted device: policy + Argon2id + token)",
        "workers": 2,
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "argon2id_params": {"memory_kib": 19456, "time_cost": 2, "parallelism": 1},
        "argon2id_verify_ms_median": argon_ms,
        "sequential_requests": len(sequential),
        "login_median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "login_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
        "concurrency": args.concurrency,
        "throughput_logins_per_s": round(len(ok) / elapsed, 1),
        "concurrent_median_ms": round(statistics.median(ok) * 1000, 1) if ok else None,
        "errors": len(done) - len(ok) + len(sequential) - len(latencies),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
