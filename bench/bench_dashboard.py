"""Server time of GET /tableau-de-bord/ for DEMO0001G with N customers in the database.

Django's test Client runs the whole stack (middleware, view, template) in this process, without
a network: the time measured is the server's. Prints one JSON object.
Usage: .venv/bin/python bench/bench_dashboard.py [--customers 100000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, refresh, scale_db, setup_django  # noqa: E402

TARGET_MEDIAN_MS = 25.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--var-dir", type=Path, help="an existing ABRI_VAR_DIR to use instead of the cached one")
    args = parser.parse_args()

    var_dir = args.var_dir or scale_db(args.customers)
    if args.var_dir:
        refresh(var_dir)
    setup_django(var_dir)
    from django.db import connection
    from django.test import Client

    from abri.accounts.models import Customer, User

    user = User.objects.get(username="DEMO0001G")
    client = Client()
    client.force_login(user, backend="abri.accounts.backends.CustomerPinBackend")
    for _ in range(args.warmup):
        response = client.get("/tableau-de-bord/")
        if response.status_code != 200:
            raise SystemExit(f"/tableau-de-bord/ answered {response.status_code}, not 200")
    # Counted with a wrapper: the connection is closed and reopened at each request (CONN_MAX_AGE=0),
    # which a CaptureQueriesContext does not follow.
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        client.get("/tableau-de-bord/")
    load_before = os.getloadavg()[0]
    timings, cpu_timings = [], []
    for _ in range(args.requests):
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = client.get("/tableau-de-bord/")
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.thread_time() - cpu_started) * 1000)
        assert response.status_code == 200
    timings.sort()
    cpu_timings.sort()
    median = statistics.median(timings)
    print(json.dumps({
        "benchmark": "dashboard",
        "customers_in_db": Customer.objects.count(),
        "requests": args.requests,
        "median_ms": round(median, 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "min_ms": round(timings[0], 2),
        "max_ms": round(timings[-1], 2),
        # CPU time of the serving thread: what the request costs, whatever else the machine runs.
        "cpu_median_ms": round(statistics.median(cpu_timings), 2),
        "cpu_p95_ms": round(percentile(cpu_timings, 0.95), 2),
        "queries": len(queries),
        "target_median_ms": TARGET_MEDIAN_MS,
        "target_met": median <= TARGET_MEDIAN_MS,
        "database": connection.vendor,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
