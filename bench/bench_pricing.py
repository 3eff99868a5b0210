"""Throughput of the tariff engine: quotes per second in one process over ~50 000 varied requests.

    .venv/bin/python bench/bench_pricing.py [--quotes 50000] [--rounds 3]

Prints one JSON object. quotes_per_second is the best full round measured on the wall clock;
cpu_quotes_per_second divides by the process CPU time, and best_burst_quotes_per_second is the best
run of 5 000 consecutive quotes (both steadier when other processes share the machine).
The requests are built beforehand (a form's job), so the figure is validation + pricing.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from abri.pricing import Quote, QuoteRequest, quote, tariff_in_force  # noqa: E402

BURST = 5_000


def varied_requests(count: int, seed: int = 2026) -> list[QuoteRequest]:
    """Valid, varied requests: every kind, status, formula, zone, frequency, deductible and option mix."""
    rng = random.Random(seed)
    tariff = tariff_in_force(date(2026, 1, 1))
    requests = []
    for _ in range(count):
        kind = rng.choice(("apartment", "house"))
        formula = rng.choice(tuple(tariff.formulas))
        rooms = rng.randint(1, 8)
        offered = [code for code, option in tariff.options.items() if formula in option.available_in]
        options = {code for code in offered if rng.random() < 0.25}
        ceiling = int(tariff.formulas[formula].valuables_ceiling)
        contents_ceiling = int(tariff.contents_ceiling(rooms))
        requests.append(QuoteRequest(
            kind=kind, occupant_status=rng.choice(("tenant", "owner", "pno")), rooms=rooms,
            surface_m2=rng.randint(12 * rooms, 45 * rooms), risk_zone=rng.randint(1, 5), formula=formula,
            effective_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 364)),
            floor=rng.randint(0, 9) if kind == "apartment" else None, options=options,
            contents_capital=(Decimal(rng.randint(2000, contents_ceiling)) if rng.random() < 0.7 else None),
            valuables_capital=(Decimal(rng.randint(100, ceiling * 100)) / 100 if "valuables" in options
                               else Decimal(0)),
            deductible=rng.choice((None, Decimal(0), Decimal(150), Decimal(300), Decimal(500))),
            claims_36_months=rng.choice((0, 0, 0, 0, 1, 1, 2)),
            payment_frequency=rng.choice(("annual", "half_yearly", "quarterly", "monthly")),
            has_garden="garden" in options or rng.random() < 0.3, has_pool="pool" in options,
            outbuildings_m2=rng.randint(51, 120) if "outbuildings" in options else rng.randint(0, 40)))
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    requests = varied_requests(args.quotes)
    for request in requests[:1000]:  # warm-up: tariff loaded, caches filled
        quote(request)
    # The 50 000 prepared requests are long-lived: keep the garbage collector from rescanning them,
    # as a server does with its startup objects. Quotes are consumed as they come, like a batch would.
    gc.freeze()
    wall_rates, cpu_rates, burst_rates = [], [], []
    bursts = [requests[i:i + BURST] for i in range(0, len(requests), BURST)]
    for _ in range(args.rounds):
        total, priced, lines = Decimal(0), 0, 0
        wall, cpu = time.perf_counter(), time.process_time()
        for burst in bursts:
            started = time.perf_counter()
            for request in burst:
                result = quote(request)
                if isinstance(result, Quote):
                    total += result.total_annual
                    lines += len(result.lines)
                    priced += 1
            burst_rates.append(len(burst) / (time.perf_counter() - started))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall_rates.append(len(requests) / wall)
        cpu_rates.append(len(requests) / cpu)
    print(json.dumps({
        "quotes_per_second": round(max(wall_rates)),
        "median_quotes_per_second": round(statistics.median(wall_rates)),
        "cpu_quotes_per_second": round(max(cpu_rates)),
        "best_burst_quotes_per_second": round(max(burst_rates)),
        "quotes": len(requests),
        "rounds": args.rounds,
        "priced": priced,
        "breakdown_lines": lines,
        "mean_total_annual": str((total / len(requests)).quantize(Decimal("0.01"))),
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
