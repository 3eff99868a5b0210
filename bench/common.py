"""Shared helpers for the benchmarks: a database of their own, built once and cached.

Every benchmark works under ABRI_BENCH_DIR (default bench/results/, ignored by git), never on the
developer's var/abri.sqlite3. The scale database (seed_demo + seed_scale --customers N) is kept
between runs, keyed by N and by a digest of seed_scale.py (a change there rebuilds it); on each
use it is migrated and the demo data and static files refreshed, so schema changes need no rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("ABRI_BENCH_DIR", REPO / "bench" / "results"))
PYTHON = sys.executable


def bench_env(var_dir: Path) -> dict[str, str]:
    """The environment of a benchmark process: SQLite under var_dir, demo mode, nothing external."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "ABRI_MEDIA_ROOT", "ABRI_TASKS_IMMEDIATE"):
        env.pop(name, None)
    env.update({
        "ABRI_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "abri.settings",
        "ABRI_DEMO": "1",
        "ABRI_DEBUG": "0",
        "ABRI_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    })
    return env


def setup_django(var_dir: Path) -> None:
    """Point this process at var_dir and load Django (must run before any Django import)."""
    os.environ.update(bench_env(var_dir))
    for name in ("DATABASE_URL", "REDIS_URL", "ABRI_MEDIA_ROOT", "ABRI_TASKS_IMMEDIATE"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def manage(var_dir: Path, *args: str) -> float:
    """Run `python -m abri …` against var_dir; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([PYTHON, "-m", "abri", *args], cwd=REPO, env=bench_env(var_dir), check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def data_digest() -> str:
    """Digest of the command that shapes the scale data (schema changes are migrated in place)."""
    path = REPO / "abri/demo/management/commands/seed_scale.py"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_scale_db(var_dir: Path, customers: int, documents_per_customer: int = 10) -> dict:
    """Migrate, load the demo accounts and seed N customers into var_dir; time each step."""
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    timings = {"migrate_s": manage(var_dir, "migrate", "--noinput", "-v", "0")}
    manage(var_dir, "collectstatic", "--noinput", "-v", "0")  # as `make run` does: hashed static names
    timings["seed_demo_s"] = manage(var_dir, "seed_demo", "-v", "0")
    cpu_before = children_cpu_seconds()
    timings["seed_scale_s"] = manage(var_dir, "seed_scale", "--customers", str(customers),
                                     "--documents-per-customer", str(documents_per_customer), "-v", "0")
    timings["seed_scale_cpu_s"] = children_cpu_seconds() - cpu_before
    return timings


def refresh(var_dir: Path) -> None:
    """Bring a cached database up to date: new migrations, demo data, static files (fast when current)."""
    manage(var_dir, "migrate", "--noinput", "-v", "0")
    manage(var_dir, "seed_demo", "-v", "0")
    manage(var_dir, "collectstatic", "--noinput", "-v", "0")


def scale_db(customers: int, documents_per_customer: int = 10) -> Path:
    """The cached scale database for N customers, built when absent, else brought up to date."""
    key = f"scale-{customers}-{documents_per_customer}"
    var_dir = BENCH_DIR / f"{key}-{data_digest()}"
    if (var_dir / "ready.json").exists():
        refresh(var_dir)
        return var_dir
    print(f"building the benchmark database ({customers} customers) in {var_dir} …", file=sys.stderr)
    building = BENCH_DIR / f"building-{key}-{os.getpid()}"
    timings = build_scale_db(building, customers, documents_per_customer)
    (building / "ready.json").write_text(json.dumps(timings))
    for stale in BENCH_DIR.glob(f"{key}-*"):  # only once the new one is complete
        shutil.rmtree(stale, ignore_errors=True)
    building.rename(var_dir)
    return var_dir


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]
