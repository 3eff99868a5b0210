"""Instant repricing budget: server time of one edit on the change page (partial and full page) — target
under 100 ms — measured through Django's test Client on a small database (migrate + seed_demo).
Prints one JSON object. Usage: .venv/bin/python bench/bench_contracts.py [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, manage, percentile, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--customers", type=int, default=0, help="ignored (run_all passes it)")
    args = parser.parse_args()
    var_dir = BENCH_DIR / "contracts"
    var_dir.mkdir(parents=True, exist_ok=True)
    manage(var_dir, "migrate", "--noinput")
    manage(var_dir, "seed_demo")
    manage(var_dir, "collectstatic", "--noinput")
    setup_django(var_dir)
    from django.test import Client

    from abri.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="DEMO0001G"), backend="abri.accounts.backends.CustomerPinBackend")
    url = "/contrats/MRH-2024-000101/modifier/"
    variants = [
        {"formula": f, "deductible": d, "payment_frequency": p, "contents_capital": "14000",
         "valuables_capital": "1500", "options": ["valuables"]}
        for f in ("essentielle", "confort", "integrale") for d in ("0", "150", "300", "500")
        for p in ("annual", "monthly")
    ]
    results = {}
    for label, headers in (("partial", {"HTTP_HX_REQUEST": "true"}), ("page", {})):
        timings = []
        for index in range(args.requests + 10):
            params = variants[index % len(variants)]
            started = time.perf_counter()
            response = client.get(url, params, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or b"par an" not in response.content:
                raise SystemExit(f"repricing failed: {response.status_code}")
            if index >= 10:
                timings.append(elapsed)
        timings.sort()
        results[label] = {"median_ms": round(statistics.median(timings), 2),
                          "p95_ms": round(percentile(timings, 0.95), 2), "n": len(timings)}
    print(json.dumps({"benchmark": "contract_repricing", **results, "target_ms": 100.0,
                      "ok": results["partial"]["p95_ms"] <= 100.0}))


if __name__ == "__main__":
    main()
