"""Run every benchmark in turn (make bench) and print one JSON object with all results.

Each benchmark runs in its own process and prints one JSON object; the combined result is also
written to bench/results/latest.json. Usage: .venv/bin/python bench/run_all.py [--customers N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, PYTHON  # noqa: E402

HERE = Path(__file__).resolve().parent
# Every bench/bench_*.py; the seed benchmark first: on a fresh machine it also builds the cache
# that the dashboard and HTTP benchmarks use.
BENCHMARKS = sorted((p.stem for p in HERE.glob("bench_*.py")), key=lambda name: (name != "bench_seed_scale", name))
SCALE_BENCHMARKS = {"bench_seed_scale", "bench_dashboard", "bench_http"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS)
    args = parser.parse_args()
    results = {}
    for name in args.only or BENCHMARKS:
        print(f"… {name}", file=sys.stderr)
        extra = ["--customers", str(args.customers)] if name in SCALE_BENCHMARKS else []
        run = subprocess.run([PYTHON, str(HERE / f"{name}.py"), *extra], capture_output=True, text=True)
        if run.returncode != 0:
            results[name] = {"error": run.stderr.strip().splitlines()[-1:] or [f"exit {run.returncode}"]}
            continue
        results[name] = json.loads(run.stdout.strip().splitlines()[-1])
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "latest.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    if any("error" in r for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
