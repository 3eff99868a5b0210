"""Full certificate generation: render (ReportLab) + 2D-Doc + barcodes + PAdES signature + storing.

Calls the same service as the page (`certificate_issue`: rows and sweep, in the request) then the vault
task's work (`certificate_render_now`: render, 2D-Doc, sign, store) for DEMO0001G's first active contract, on a
database of its own under bench/results/ (migrate + seed_demo, built once; or the scale database
with --customers N). Prints one JSON object with the median and p95 in milliseconds.
Usage: .venv/bin/python bench/bench_certificate.py [--runs 100] [--kind tenant] [--customers 0]
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

TARGET_MEDIAN_MS = 150.0


def small_db() -> Path:
    var_dir = BENCH_DIR / "certificate"
    ready = var_dir / "ready.json"
    if not ready.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        manage(var_dir, "migrate", "--noinput", "-v", "0")
        manage(var_dir, "seed_demo", "-v", "0")
        ready.write_text("{}")
    else:
        manage(var_dir, "migrate", "--noinput", "-v", "0")  # new migrations since the last run
    return var_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--kind", default="tenant", choices=["tenant", "lender", "school"])
    parser.add_argument("--customers", type=int, default=0, help="0: a small database of its own")
    args = parser.parse_args()

    setup_django(scale_db(args.customers) if args.customers else small_db())
    from django.utils import timezone

    from abri.accounts.models import Customer
    from abri.certificates.models import Certificate
    from abri.certificates.rules import school_years_offered
    from abri.certificates.selectors import contracts_certifiable
    from abri.certificates.services import certificate_issue, certificate_render_now

    customer = Customer.objects.get(customer_number="DEMO0001G")
    contract = contracts_certifiable(customer=customer).first()
    if contract is None:
        raise SystemExit("DEMO0001G has no active contract")
    extra = {}
    if args.kind == "school":
        extra = {"child_first_name": "Léa", "child_last_name": "Martin",
                 "school_year": school_years_offered(timezone.localdate())[0]}

    def issue():
        certificate = certificate_issue(customer=customer, contract=contract, kind=args.kind, **extra)
        certificate_render_now(certificate=certificate)  # the task's work (the bench has no worker)
        return certificate

    for _ in range(args.warmup):  # first call loads the keys and fonts
        issue()
    timings, cpu_timings, sizes = [], [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        certificate = issue()
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
        sizes.append(certificate.document.size_bytes)
    timings.sort()
    cpu_timings.sort()
    created = Certificate.objects.filter(customer=customer).count()
    median = statistics.median(timings)
    print(json.dumps({
        "benchmark": "certificate_issue",
        "kind": args.kind,
        "runs": args.runs,
        "median_ms": round(median, 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(timings[-1], 2),
        # CPU time of this process: what the work costs when the machine is not shared.
        "cpu_median_ms": round(statistics.median(cpu_timings), 2),
        "cpu_p95_ms": round(percentile(cpu_timings, 0.95), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "pdf_bytes_median": int(statistics.median(sizes)),
        "certificates_in_db": created,
        "target_median_ms": TARGET_MEDIAN_MS,
        "meets_target": median <= TARGET_MEDIAN_MS,
    }))


if __name__ == "__main__":
    main()
