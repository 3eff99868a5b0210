"""Vault search benchmark: one customer with 500 documents in a database holding 1 000 000 documents.

    .venv/bin/python bench/bench_search.py [--var-dir /tmp/abri-bench-search] [--rebuild]

Builds (once, then cached) a SQLite database in its own directory — never the developer's var/ —
with `python -m abri seed_scale` (20 000 customers × 50 documents by default, then one customer
with 500), or with raw `executemany` when seed_scale is not available. Then times ~200 varied
searches of that one customer (rare and common words, several words, phrases, each filter, date
order, later pages) through abri.documents.search.documents_search — the function the page, the
API and the back-office call — and prints JSON: median, p95, max (ms), by query family, and the
EXPLAIN QUERY PLAN of the match query, which must start from the customer index.
Target: p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", default="/tmp/abri-bench-search")
    parser.add_argument("--customers", type=int, default=20_000, help="customers besides the measured one")
    parser.add_argument("--documents-per-customer", type=int, default=50)
    parser.add_argument("--target-documents", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="drop the cached database and build it again")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


ARGS = parse_args()
VAR_DIR = Path(ARGS.var_dir)
if ARGS.rebuild and VAR_DIR.exists():
    for path in VAR_DIR.iterdir():
        if path.is_file():
            path.unlink()
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Before Django loads: the settings read these once.
os.environ["ABRI_VAR_DIR"] = str(VAR_DIR)
os.environ["ABRI_MEDIA_ROOT"] = str(VAR_DIR / "media")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abri.settings")
os.environ["ABRI_LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from abri.accounts.models import Customer  # noqa: E402
from abri.documents.models import Document  # noqa: E402
from abri.documents.search import SearchFilters, documents_search, search_rows  # noqa: E402

READY = VAR_DIR / "bench_ready.json"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- building the database -------------------------------------------------------------------


def build_with_seed_scale() -> int:
    """seed_scale: the others, then the measured customer (the newest), who gets 500 documents."""
    call_command("seed_scale", customers=ARGS.customers, documents_per_customer=ARGS.documents_per_customer,
                 verbosity=1)
    call_command("seed_scale", customers=1, documents_per_customer=ARGS.target_documents, verbosity=1)
    return Customer.objects.order_by("-id").values_list("id", flat=True).first()


def build_with_executemany() -> int:
    """Fallback without seed_scale: bare customers, then documents written with raw executemany."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from abri.accounts.numbers import with_check_character
    from abri.documents.choices import DocumentKind, GuaranteeCategory
    from abri.documents.normalise import search_text

    rng = random.Random(ARGS.seed)
    user_model = get_user_model()
    total = ARGS.customers + 1
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            user_model(username=with_check_character(f"BE{i:06d}"), is_customer=True, password="!")
            for i in range(total)
        )
        customers = Customer.objects.bulk_create(
            Customer(user=u, customer_number=u.username, first_name="Bench", last_name=f"Client {i}")
            for i, u in enumerate(users)
        )
    vocabulary = ("dégâts eaux fuite plafond cuisine incendie vol cambriolage bijoux vitre fenêtre expert rapport "
                  "franchise indemnisation garantie contrat échéance cotisation quittance attestation locataire "
                  "propriétaire responsabilité civile inondation tempête grêle orage toiture serrure porte cave "
                  "garage voisin assurance habitation mobilier électroménager canalisation humidité moisissure").split()
    bodies = [" ".join(rng.choices(vocabulary, k=150)) for _ in range(500)]
    normalised = [search_text(b) for b in bodies]
    kinds, categories = DocumentKind.values, GuaranteeCategory.values
    columns = ["customer_id", "kind", "title", "issued_on", "amount", "guarantee_category", "file", "mime_type",
               "size_bytes", "text", "search_text", "created_at"]
    sql = (f"INSERT INTO {Document._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    now, start = timezone.now(), date(2015, 1, 1)
    rows = []
    for index, customer in enumerate(customers):
        count = ARGS.target_documents if index == total - 1 else ARGS.documents_per_customer
        for _ in range(count):
            b = rng.randrange(len(bodies))
            kind = rng.choice(kinds)
            rows.append((customer.id, kind, f"Document {kind}", start + timedelta(days=rng.randrange(4000)),
                         rng.randrange(0, 300000) / 100, rng.choice(categories), "", "application/pdf", 0,
                         bodies[b], normalised[b], now))
        if len(rows) >= 20_000 or index == total - 1:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            rows = []
    return customers[-1].id


def build() -> dict:
    log(f"building the benchmark database in {VAR_DIR} (once; cached for later runs)…")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    target = build_with_seed_scale() if "seed_scale" in get_commands() else build_with_executemany()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    info = {"target_customer_id": target, "build_seconds": round(time.perf_counter() - started, 1),
            "builder": "seed_scale" if "seed_scale" in get_commands() else "executemany"}
    READY.write_text(json.dumps(info))
    return info


# --- the queries --------------------------------------------------------------------------------


def query_set(customer) -> list[tuple[str, dict]]:
    """~200 searches of this customer: rare and common words, several words, phrases, filters, pages."""
    rng = random.Random(ARGS.seed)
    texts = list(Document.objects.filter(customer=customer).values_list("search_text", flat=True))
    doc_freq: dict[str, int] = {}
    for text in texts:
        for word in set(text.split()):
            if len(word) >= 4 and not word.isdigit():
                doc_freq[word] = doc_freq.get(word, 0) + 1
    ranked = sorted(doc_freq, key=lambda w: doc_freq[w])
    rare = ranked[: max(1, len(ranked) // 5)]
    common = ranked[-40:]
    contracts = list(customer.contracts.values_list("id", flat=True)) or [None]
    kinds = list(Document.objects.filter(customer=customer).values_list("kind", flat=True).distinct())
    families: list[tuple[str, dict]] = []
    n = ARGS.queries // 10
    for _ in range(n):
        families.append(("rare word", {"query": rng.choice(rare)}))
        families.append(("common word", {"query": rng.choice(common)}))
        families.append(("two words", {"query": f"{rng.choice(common)} {rng.choice(ranked)}"}))
        families.append(("three words", {"query": " ".join(rng.sample(common, 3))}))
        text = rng.choice(texts).split()
        i = rng.randrange(max(1, len(text) - 2))
        families.append(("phrase", {"query": '"' + " ".join(text[i:i + 2]) + '"'}))
        families.append(("common word + filters", {"query": rng.choice(common), "filters": {
            "kind": rng.choice(kinds), "amount_min": 10}}))
        families.append(("word + period + contract", {"query": rng.choice(common), "filters": {
            "date_from": date(2020, 1, 1), "contract": rng.choice(contracts)}}))
        families.append(("common word, by date, page 2", {"query": rng.choice(common), "order": "date", "page": 2}))
        families.append(("no word, filters", {"query": "", "filters": {"category": "water"}}))
        families.append(("prefix", {"query": rng.choice(common)[:4]}))
    return families


def explain(customer) -> list[str]:
    qs = search_rows(customer=customer, filters=SearchFilters(kind="invoice", amount_min=10))
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(row[-1]) for row in cursor.fetchall()]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    info = json.loads(READY.read_text()) if READY.exists() else build()
    customer = Customer.objects.get(pk=info["target_customer_id"])
    total_documents = Document.objects.count()
    own = Document.objects.filter(customer=customer).count()
    queries = query_set(customer)
    for _name, kwargs in queries[:20]:  # warm the page cache
        documents_search(customer=customer, **kwargs)
    timings: dict[str, list[float]] = {}
    cpu: list[float] = []
    found: list[int] = []
    for name, kwargs in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        results = documents_search(customer=customer, **kwargs)
        [hit.snippet_html for hit in results.hits]
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        found.append(results.total)
    every = [t for values in timings.values() for t in values]
    p95 = percentile(every, 95)
    print(json.dumps({
        "database": "sqlite",
        "documents_in_database": total_documents,
        "documents_of_customer": own,
        "queries": len(every),
        "median_ms": round(statistics.median(every), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(max(every), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 95), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "target_p95_ms": 50,
        "ok": p95 <= 50,
        "median_results": statistics.median(found),
        "by_family": {name: {"n": len(v), "median_ms": round(statistics.median(v), 2),
                             "p95_ms": round(percentile(v, 95), 2)} for name, v in timings.items()},
        "plan": explain(customer),
        "build": info,
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
