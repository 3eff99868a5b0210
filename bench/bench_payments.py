"""Server time of GET /paiements/ for a customer with 10 years of monthly premiums (120 lines) and indemnities.

On a database of its own under bench/results/payments (migrate + seed_demo, built once; or the scale database
with --customers N), DEMO0001G gets 10 years of monthly history on its first contract (added once). Django's
test Client runs the whole stack in this process. Prints one JSON object with median and p95 in milliseconds,
for the page, the page filtered by year, and the CSV export.
Usage: .venv/bin/python bench/bench_payments.py [--requests 200] [--customers 0]
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
from common import BENCH_DIR, manage, percentile, scale_db, setup_django  # noqa: E402

TARGET_P95_MS = 50.0
YEARS = 10


def small_db() -> Path:
    var_dir = BENCH_DIR / "payments"
    ready = var_dir / "ready.json"
    if not ready.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        manage(var_dir, "migrate", "--noinput", "-v", "0")
        manage(var_dir, "seed_demo", "-v", "0")
        ready.write_text("{}")
    else:
        manage(var_dir, "migrate", "--noinput", "-v", "0")
    return var_dir


def ten_years_of_history(customer) -> int:
    """120 monthly premiums (a few rejected), amendment pro-rata lines and indemnities, added once."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from abri.billing.models import ScheduleItem
    from abri.claims.models import ClaimPayment

    contract = customer.contracts.order_by("id").first()
    if not ScheduleItem.objects.filter(customer=customer, reference__startswith="BENCH-").exists():
        today = timezone.localdate()
        rows = []
        for month in range(YEARS * 12):
            year, index = divmod(today.month - 1 - month, 12)
            day = dt.date(today.year + year, index + 1, 5)
            paid = day < today
            rows.append(ScheduleItem(
                customer=customer, contract=contract, due_date=day, amount=Decimal("44.11"),
                status=("failed" if month % 37 == 5 else "paid") if paid else "upcoming",
                paid_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))) if paid else None,
                reference=f"BENCH-{day:%Y%m}"))
            if month % 24 == 7:
                rows.append(ScheduleItem(customer=customer, contract=contract, due_date=day, amount=Decimal("-12.40"),
                                         status="paid", method="transfer", reference=f"PRO-BENCH-{month}",
                                         paid_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))))
        ScheduleItem.objects.bulk_create(rows)
        claim = customer.claims.order_by("id").first()
        if claim is not None:
            for year in range(3):
                ClaimPayment.objects.create(claim=claim, customer=customer, amount=Decimal("812.50"),
                                            reference=f"BENCH-IND-{year}",
                                            paid_at=timezone.now() - dt.timedelta(days=365 * year + 40))
    return ScheduleItem.objects.filter(customer=customer).count() + ClaimPayment.objects.filter(
        customer=customer).count()


def measure(client, path: str, requests: int, warmup: int) -> dict:
    for _ in range(warmup):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}, not 200")
    timings, cpu_timings = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.thread_time() - cpu_started) * 1000)
        assert response.status_code == 200
    timings.sort()
    cpu_timings.sort()
    # CPU time of the serving thread: what the request costs, whatever else the machine runs.
    return {"median_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2),
            "max_ms": round(timings[-1], 2), "cpu_median_ms": round(statistics.median(cpu_timings), 2),
            "cpu_p95_ms": round(percentile(cpu_timings, 0.95), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--customers", type=int, default=0, help="0: a small database of its own")
    args = parser.parse_args()

    setup_django(scale_db(args.customers) if args.customers else small_db())
    from django.db import connection
    from django.test import Client

    from abri.accounts.models import Customer, User

    user = User.objects.get(username="DEMO0001G")
    lines = ten_years_of_history(user.customer)
    client = Client()
    client.force_login(user, backend="abri.accounts.backends.CustomerPinBackend")
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        client.get("/paiements/")
    load_before = os.getloadavg()[0]
    page = measure(client, "/paiements/", args.requests, args.warmup)
    year = measure(client, "/paiements/?year=2022&kind=premium", args.requests // 2, 5)
    csv = measure(client, "/paiements/export.csv", args.requests // 2, 5)
    print(json.dumps({
        "benchmark": "payments",
        "customers_in_db": Customer.objects.count(),
        "history_lines": lines,
        "requests": args.requests,
        "page": page,
        "page_filtered_by_year_and_type": year,
        "csv_export": csv,
        "queries": len(queries),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": page["p95_ms"] <= TARGET_P95_MS,
        "database": connection.vendor,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
