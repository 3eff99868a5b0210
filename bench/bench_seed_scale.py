"""Throughput of `seed_scale` (customers/s, rows/s) on a fresh SQLite database.

Migrates and loads the demo accounts first (not timed), then times `seed_scale --customers N`
in its own process; reports wall and CPU time, since other work on the machine shows up as the
gap between them. The fresh database becomes the cached one for the other benchmarks when that
cache is missing; otherwise it is deleted. Prints one JSON object.
Usage: .venv/bin/python bench/bench_seed_scale.py [--customers 100000] [--documents-per-customer 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, build_scale_db, data_digest  # noqa: E402

TABLES = {
    "users": "accounts_user", "customers": "accounts_customer", "properties": "contracts_property",
    "contracts": "contracts_contract", "guarantees": "contracts_contractguarantee",
    "schedule_items": "billing_scheduleitem", "documents": "documents_document", "claims": "claims_claim",
    "claim_steps": "claims_claimstep", "notifications": "notifications_notification",
}
TARGET_SECONDS_FOR_100K = 180


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--documents-per-customer", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database even when a cache exists")
    args = parser.parse_args()

    var_dir = BENCH_DIR / f"seed-run-{os.getpid()}"
    timings = build_scale_db(var_dir, args.customers, args.documents_per_customer)
    with sqlite3.connect(var_dir / "abri.sqlite3") as db:
        counts = {name: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for name, table in TABLES.items()}
    size_mb = (var_dir / "abri.sqlite3").stat().st_size / 2**20
    # The counts include seed_demo's two customers: a few hundred rows out of millions.
    scale_rows = sum(counts.values())
    seconds = timings["seed_scale_s"]
    result = {
        "benchmark": "seed_scale",
        "customers": args.customers,
        "documents_per_customer": args.documents_per_customer,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(timings["seed_scale_cpu_s"], 1),
        "customers_per_s": round(args.customers / seconds, 1),
        "rows": scale_rows,
        "rows_per_s": round(scale_rows / seconds),
        "averages_per_customer": {name: round(n / counts["customers"], 2) for name, n in counts.items()},
        "database_mb": round(size_mb),
        "target_s_for_100k": TARGET_SECONDS_FOR_100K,
        "projected_s_for_100k": round(seconds * 100_000 / max(args.customers, 1), 1),
    }
    cache = BENCH_DIR / f"scale-{args.customers}-{args.documents_per_customer}-{data_digest()}"
    if not args.keep and not (cache / "ready.json").exists():
        (var_dir / "ready.json").write_text(json.dumps(timings))
        for stale in BENCH_DIR.glob(f"scale-{args.customers}-{args.documents_per_customer}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        var_dir.rename(cache)
    elif not args.keep:
        shutil.rmtree(var_dir)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
