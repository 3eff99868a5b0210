"""The SEPA collection file (pain.008) of one due date for 100 000 debits: target ≤ 30 s.

On a database of its own under bench/results/sepa (migrate + seed_demo, then N customers each with a contract,
an active mandate and one monthly premium due on the same day: built once), times `collection_run_build` as
`python -m abri sepa_collection` runs it: read the debits and mandates, decrypt the IBANs, build the file
with sepaxml, validate it against the pain.008.001.08 XSD, record the run and its debits, mark the items.
Before each measure the previous run of that day is deleted (the command itself never collects twice).
Prints one JSON object. Usage: .venv/bin/python bench/bench_sepa.py [--debits 100000] [--rounds 1]
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
from common import BENCH_DIR, manage, setup_django  # noqa: E402

TARGET_S = 30.0


def database(debits: int) -> Path:
    var_dir = BENCH_DIR / f"sepa-{debits}"
    if not (var_dir / "ready.json").exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        manage(var_dir, "migrate", "--noinput", "-v", "0")
        manage(var_dir, "seed_demo", "-v", "0")
    else:
        manage(var_dir, "migrate", "--noinput", "-v", "0")
    return var_dir


def seed(debits: int, due) -> float:
    """N customers, contracts, mandates and debits, written with bulk_create (once per database)."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from abri.accounts.models import Customer, User
    from abri.billing.direct_debit import IBAN_PURPOSE, iban_fingerprint
    from abri.billing.models import ScheduleItem, SepaMandate
    from abri.contracts.models import Contract, Property
    from abri.core.crypto import encrypt_text

    marker = BENCH_DIR / f"sepa-{debits}" / "ready.json"
    if marker.exists():
        return 0.0
    started = time.perf_counter()
    template = Contract.objects.order_by("id").first()
    place = Property.objects.get(pk=template.property_id)
    ibans = ["FR7630006000011234567890189", "FR1420041010050500013M02606", "DE89370400440532013000",
             "BE68539007547034", "ES9121000418450200051332"]
    signed = timezone.make_aware(dt.datetime(2025, 1, 10, 10))
    batch = 5000
    with transaction.atomic():
        for start in range(0, debits, batch):
            numbers = [f"S{i:08d}" for i in range(start, min(start + batch, debits))]
            users = User.objects.bulk_create([User(username=n, is_customer=True, password="!") for n in numbers])
            customers = Customer.objects.bulk_create([Customer(
                user=u, customer_number=u.username, first_name="Élodie", last_name=f"Martin-{u.username}",
                birth_date=dt.date(1980, 1, 1), email=f"{u.username.lower()}@exemple.fr", phone="+33600000001",
                address_line="1 rue de la Paix", postcode="75002", city="Paris") for u in users])
            places = Property.objects.bulk_create([Property(**{
                f.attname: getattr(place, f.attname) for f in Property._meta.concrete_fields
                if f.attname not in {"id", "customer_id"}}, customer=c) for c in customers])
            contracts = Contract.objects.bulk_create([Contract(**{
                f.attname: getattr(template, f.attname) for f in Contract._meta.concrete_fields
                if f.attname not in {"id", "customer_id", "property_id", "number"}},
                customer=c, property=p, number=f"MRH-B-{c.customer_number}") for c, p in zip(customers, places,
                                                                                           strict=True)])
            SepaMandate.objects.bulk_create([SepaMandate(
                customer=c, reference=f"ABRI-{c.customer_number}-20250110-BENCH", holder=f"Élodie Martin {i}",
                iban_encrypted=encrypt_text(ibans[i % 5], purpose=IBAN_PURPOSE), iban_first4=ibans[i % 5][:4],
                iban_last4=ibans[i % 5][-4:], iban_fingerprint=iban_fingerprint(ibans[i % 5]), signed_at=signed,
                consent_text="(bench)") for i, c in enumerate(customers)])
            ScheduleItem.objects.bulk_create([ScheduleItem(
                customer=c, contract=k, due_date=due, amount=Decimal("44.11") + (i % 50), method="direct_debit",
                reference=f"BENCH-{c.customer_number}") for i, (c, k) in enumerate(zip(customers, contracts,
                                                                                     strict=True))])
    marker.write_text("{}")
    return time.perf_counter() - started


def reset(due) -> None:
    """Forget the previous run of that day (the bench only: the command never collects a day twice)."""
    from abri.billing.models import Collection, CollectionRun, ScheduleItem, SepaMandate

    Collection.objects.filter(run__due_date=due).delete()
    CollectionRun.objects.filter(due_date=due).delete()
    ScheduleItem.objects.filter(due_date=due, reference__startswith="BENCH-").update(status="upcoming", paid_at=None)
    SepaMandate.objects.filter(reference__endswith="-BENCH").update(last_collected_on=None)


def main() -> None:
    import datetime as dt

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debits", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    due = dt.date(2031, 1, 5)
    setup_django(database(args.debits))
    from django.db import connection

    from abri.billing import direct_debit

    seed_s = seed(args.debits, due)
    build_times: list[float] = []
    original = direct_debit.pain008_build

    def timed_build(**kwargs):
        started = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            build_times.append(time.perf_counter() - started)

    direct_debit.pain008_build = timed_build
    totals, result = [], None
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        reset(due)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = direct_debit.collection_run_build(due_date=due)
        totals.append((time.perf_counter() - started, time.process_time() - cpu_started))
    run = result.run
    wall = statistics.median(t[0] for t in totals)
    print(json.dumps({
        "benchmark": "sepa_pain008",
        "debits": run.count,
        "total_eur": str(run.total),
        "sequences": result.sequences,
        "file_mb": round(len(run.xml.encode()) / 1e6, 1),
        "schema": run.schema,
        "seed_s": round(seed_s, 1),
        "collection_run_s": round(wall, 2),
        "collection_run_cpu_s": round(statistics.median(t[1] for t in totals), 2),
        "file_build_and_xsd_s": round(statistics.median(build_times), 2),
        "target_s": TARGET_S,
        "target_met": wall <= TARGET_S,
        "database": connection.vendor,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
