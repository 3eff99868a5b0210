"""Peak memory of one gunicorn worker while 16 photos of 7000×7000 pixels (≈ 190 KB PNG) arrive at once.

A tiny, highly compressible PNG decodes to ~200 MB of pixels: before the decoding budget of
abri.claims.uploads, 16 of them in parallel pushed a worker to ~1.6 GB. The script builds a small
database of its own (migrate + seed_demo, kept under bench/results/upload-memory), starts gunicorn on
a free 127.0.0.1 port with ONE worker (4 threads, as in production), logs DEMO0001G in (a session
row, as force_login does), opens one declaration draft, sends the 16 uploads in parallel to the
page's upload endpoint, and samples the worker's memory from /proc (VmRSS every 20 ms, and the
kernel's high-water mark VmHWM at the end). Only 127.0.0.1 is ever targeted.
Prints one JSON object; the target is peak_rss_mb ≤ 300.
Usage: .venv/bin/python bench/bench_upload_memory.py [--uploads 16] [--side 7000]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_http import HOST, free_port, wait_until_up  # noqa: E402
from common import BENCH_DIR, PYTHON, REPO, bench_env, manage, refresh, setup_django  # noqa: E402

TARGET_MB = 300


def small_db() -> Path:
    """Demo accounts only (no scale data): migrated and seeded once, refreshed afterwards."""
    var_dir = BENCH_DIR / "upload-memory"
    if (var_dir / "ready.json").exists():
        refresh(var_dir)
        return var_dir
    var_dir.mkdir(parents=True, exist_ok=True)
    manage(var_dir, "migrate", "--noinput", "-v", "0")
    manage(var_dir, "collectstatic", "--noinput", "-v", "0")
    manage(var_dir, "seed_demo", "-v", "0")
    (var_dir / "ready.json").write_text("{}")
    return var_dir


def hostile_png(side: int, target_kb: int = 190) -> bytes:
    """A side×side RGB PNG of about target_kb: flat colour with sparse noise so that it is not trivial."""
    from PIL import Image

    image = Image.new("RGB", (side, side), (182, 140, 96))
    rng = random.Random(7)  # noqa: S311 - test pattern, not security
    dots = max(1, target_kb * 24)
    pixels = image.load()
    for _ in range(dots):
        pixels[rng.randrange(side), rng.randrange(side)] = (rng.randrange(256), rng.randrange(256), 0)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=9)
    return out.getvalue()


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in {"VmRSS", "VmHWM"}:
                values[name] = int(rest.split()[0])
    return values


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: children of the master (read from /proc, no psutil needed)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(entry))
    return children


def multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=16)
    parser.add_argument("--side", type=int, default=7000)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads of the one worker")
    args = parser.parse_args()

    var_dir = small_db()
    setup_django(var_dir)
    from django.conf import settings
    from django.test import Client

    from abri.accounts.models import User
    from abri.claims.services import draft_start

    user = User.objects.get(username="DEMO0001G")
    login = Client()
    login.force_login(user, backend="abri.accounts.backends.CustomerPinBackend")
    draft = draft_start(customer=user.customer)
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret, sent as cookie and header
    cookie = (f"{settings.SESSION_COOKIE_NAME}={login.cookies[settings.SESSION_COOKIE_NAME].value}; "
              f"{settings.CSRF_COOKIE_NAME}={csrf}")
    png = hostile_png(args.side)

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "abri.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", "1",
         "--threads", str(args.threads), "--timeout", "120", "--log-level", "warning"],
        cwd=REPO, env=bench_env(var_dir), stdout=subprocess.DEVNULL,
    )
    samples: list[int] = []
    statuses: list[int] = []
    try:
        wait_until_up(port, server)
        (worker,) = worker_pids(server.pid)
        idle_kb = proc_status(worker)["VmRSS"]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                samples.append(proc_status(worker)["VmRSS"])
                time.sleep(0.02)

        def upload(index: int):
            body, content_type = multipart(png, f"degats-{index}.png")
            conn = http.client.HTTPConnection(HOST, port, timeout=300)
            conn.request("POST", f"/sinistres/declarer/{draft.key}/fichiers/", body=body, headers={
                "Cookie": cookie, "X-CSRFToken": csrf, "Content-Type": content_type,
                "X-Upload-Token": f"bench-{uuid.uuid4().hex}", "Referer": f"http://{HOST}:{port}/",
            })
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        clients = [threading.Thread(target=upload, args=(i,)) for i in range(args.uploads)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(600)
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
        hwm_kb = proc_status(worker)["VmHWM"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    peak_mb = round(max(hwm_kb, *samples) / 1024, 1)
    print(json.dumps({
        "benchmark": "upload_memory",
        "server": f"gunicorn 1 worker × {args.threads} threads, 127.0.0.1",
        "uploads": args.uploads,
        "image": f"PNG {args.side}×{args.side}, {len(png) // 1024} KB",
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "idle_rss_mb": round(idle_kb / 1024, 1),
        "peak_rss_mb": peak_mb,
        "target_mb": TARGET_MB,
        "within_target": peak_mb <= TARGET_MB,
        "seconds": round(elapsed, 1),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
