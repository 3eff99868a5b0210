"""An invoice PDF: the letter (ReportLab) + Factur-X XML checked against the XSD + PDF/A-3 + PAdES signature.

Issues the receipt (« quittance ») of DEMO0001G's latest paid premium once (`invoice_issue`, as the page does),
then times the vault task's work for it, run after run: `invoice_render` (letter, Factur-X XML, XSD check,
PDF/A-3 with the XML attached) and `pdf_sign` (PAdES). On a database of its own under bench/results/
(migrate + seed_demo, built once). Prints one JSON object with the median and p95 in milliseconds.
Target (issue 11): median ≤ 100 ms. Usage: .venv/bin/python bench/bench_invoice.py [--runs 100]
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
from common import BENCH_DIR, manage, percentile, setup_django  # noqa: E402

TARGET_MEDIAN_MS = 100.0


def small_db() -> Path:
    var_dir = BENCH_DIR / "invoice"
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
    args = parser.parse_args()

    setup_django(small_db())
    from abri.accounts.models import Customer
    from abri.billing.invoices import invoice_issue, invoice_kind_for, invoice_render
    from abri.billing.models import Invoice, ScheduleItem
    from abri.documents.signing import pdf_sign

    customer = Customer.objects.get(customer_number="DEMO0001G")
    item = (ScheduleItem.objects.for_customer(customer).filter(status="paid", amount__gt=0)
            .select_related("customer", "contract").order_by("-due_date").first())
    if item is None or invoice_kind_for(item) != Invoice.Kind.RECEIPT:
        raise SystemExit("DEMO0001G has no paid premium")
    invoice = invoice_issue(item=item, kind=Invoice.Kind.RECEIPT)

    def work() -> bytes:
        return pdf_sign(invoice_render(invoice_id=invoice.pk), reason=f"Quittance n° {invoice.number}")

    for _ in range(args.warmup):  # the first call loads the keys, the fonts and the XSD
        work()
    timings, cpu_timings, sizes = [], [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        data = work()
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
        sizes.append(len(data))
    timings.sort()
    cpu_timings.sort()
    median = statistics.median(timings)
    print(json.dumps({
        "benchmark": "invoice_pdf",
        "runs": args.runs,
        "median_ms": round(median, 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(timings[-1], 2),
        # CPU time of this process: what the work costs when the machine is not shared.
        "cpu_median_ms": round(statistics.median(cpu_timings), 2),
        "cpu_p95_ms": round(percentile(cpu_timings, 0.95), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "pdf_bytes_median": int(statistics.median(sizes)),
        "target_median_ms": TARGET_MEDIAN_MS,
        "meets_target": median <= TARGET_MEDIAN_MS,
    }))


if __name__ == "__main__":
    main()
