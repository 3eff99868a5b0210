"""Claims budgets: wizard step save (median ≤ 50 ms), a 12-megapixel photo accepted with its thumbnail
(≤ 1 s), and the claims list's query count with 1 and 100 claims (constant).

Runs on its own small database under bench/results/claims (migrate + seed_demo), server side through
Django's test Client. Prints one JSON object.
Usage: .venv/bin/python bench/bench_claims.py [--saves 200] [--photos 5]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH_DIR, manage, percentile, setup_django  # noqa: E402


def _twelve_megapixel_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (4000, 3000), (90, 120, 150))
    draw = ImageDraw.Draw(image)
    for i in range(0, 4000, 40):  # some detail, like a real photo, so the JPEG is not trivially small
        draw.line([(i, 0), (4000 - i, 3000)], fill=(i % 255, (i * 3) % 255, (i * 7) % 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--photos", type=int, default=5)
    parser.add_argument("--customers", type=int, default=0, help="ignored (run_all passes it)")
    args = parser.parse_args()
    var_dir = BENCH_DIR / "claims"
    var_dir.mkdir(parents=True, exist_ok=True)
    manage(var_dir, "migrate", "--noinput")
    manage(var_dir, "seed_demo")
    manage(var_dir, "collectstatic", "--noinput")
    setup_django(var_dir)
    from django.db import connection
    from django.test import Client

    from abri.accounts.models import Customer
    from abri.claims import services
    from abri.claims.models import Claim, ClaimDraft

    customer = Customer.objects.get(customer_number="DEMO0002E")
    client = Client()
    client.force_login(customer.user, backend="abri.accounts.backends.CustomerPinBackend")
    draft = services.draft_start(customer=customer)
    url = f"/sinistres/declarer/{draft.key}/details/"
    services.draft_save_step(customer=customer, draft=draft, step="event", values={"event": "water"},
                             next_step="details")
    timings = []
    for index in range(args.saves + 10):
        started = time.perf_counter()
        response = client.post(url, {"description": f"Fuite sous l'évier, essai {index}", "neighbour_involved": "no",
                                     "water_source": "leak"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise SystemExit(f"step save answered {response.status_code}")
        if index >= 10:
            timings.append(elapsed)
    timings.sort()

    photo = _twelve_megapixel_jpeg()
    photo_timings = []
    for _ in range(args.photos):
        started = time.perf_counter()
        evidence = services.evidence_add(customer=customer, data=photo, filename="photo-12mp.jpg", draft=draft)
        photo_timings.append((time.perf_counter() - started) * 1000)
        assert evidence.thumbnail, "no thumbnail"
        evidence.delete()
    photo_timings.sort()

    def list_queries() -> int:
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
            assert client.get("/sinistres/").status_code == 200
        return len(queries)

    contract = customer.contracts.first()
    Claim.objects.filter(customer=customer).delete()
    from django.utils import timezone

    def add_claims(n: int) -> None:
        start = Claim.objects.count()
        Claim.objects.bulk_create(
            Claim(customer=customer, contract=contract, number=f"SIN-BENCH-{start + i:06d}", event_type="water",
                  occurred_at=timezone.now()) for i in range(n)
        )

    add_claims(1)
    one = list_queries()
    add_claims(99)
    hundred = list_queries()
    Claim.objects.filter(customer=customer, number__startswith="SIN-BENCH-").delete()
    ClaimDraft.objects.filter(pk=draft.pk).delete()

    result = {
        "benchmark": "claims",
        "step_save_ms": {"median": round(statistics.median(timings), 2), "p95": round(percentile(timings, 0.95), 2),
                         "n": len(timings), "target_median": 50.0},
        "photo_12mp_ms": {"median": round(statistics.median(photo_timings), 1), "max": round(photo_timings[-1], 1),
                          "bytes": len(photo), "n": len(photo_timings), "target": 1000.0},
        "claims_list_queries": {"with_1_claim": one, "with_100_claims": hundred, "constant": one == hundred},
    }
    result["ok"] = (result["step_save_ms"]["median"] <= 50.0 and result["photo_12mp_ms"]["max"] <= 1000.0
                    and one == hundred)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
