"""Screenshots of the demo customer's main pages, phone (390×844) and desktop (1280×800), light and dark.

    .venv/bin/python docs/screenshots/capture.py before   # or: after

Builds a throw-away database in a temporary directory (migrate, collectstatic, seed_demo), starts
gunicorn on a free 127.0.0.1 port, logs in as the demo customer through the real form (second factor
read from the demo outbox) and writes docs/screenshots/<name>/<page>-<viewport>[-dark].png, reduced to
a 256-colour palette so that each file stays small. Needs Playwright and Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("ABRI_CHROMIUM", "/usr/bin/chromium")
CUSTOMER, PIN = "DEMO0001G", "246810"
PAGES = {
    "dashboard": "/tableau-de-bord/",
    "contract": "/contrats/MRH-2024-000101/",
    "claim": "/sinistres/SIN-2026-010452/",
    "payments": "/paiements/",
}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def _env(var_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ABRI_MEDIA_ROOT")}
    env.update({"ABRI_VAR_DIR": str(var_dir), "ABRI_DEMO": "1", "ABRI_DEBUG": "0", "ABRI_LOG_LEVEL": "WARNING",
                "ABRI_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": str(REPO)})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sms_code(base: str) -> str:
    with urllib.request.urlopen(f"{base}/demo/outbox.json", timeout=10) as response:  # noqa: S310 - loopback
        for message in json.load(response):
            match = re.search(r"(?<!\d)(\d{6})(?!\d)", message.get("body", ""))
            if message.get("channel") == "sms" and match:
                return match.group(1)
    raise SystemExit("no SMS code in the demo outbox")


def _login(page, base: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Numéro client").fill(CUSTOMER)
    page.get_by_label("Code secret").fill(PIN)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    code = page.get_by_label("Code de vérification")
    if code.count():
        code.fill(_sms_code(base))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")


def _shrink(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def capture(name: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    target = OUT / name
    target.mkdir(parents=True, exist_ok=True)
    var_dir = Path(tempfile.mkdtemp(prefix="abri-shots-"))
    port = _free_port()
    env = _env(var_dir, port)
    for args in (("migrate", "--noinput", "-v", "0"), ("collectstatic", "--noinput", "-v", "0"), ("seed_demo", "-v", "0")):
        subprocess.run([sys.executable, "-m", "abri", *args], cwd=REPO, env=env, check=True,  # noqa: S603 - fixed arguments
                       stdout=subprocess.DEVNULL)
    server = subprocess.Popen(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "gunicorn", "abri.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "4", "--log-level", "warning"], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    written: list[Path] = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            logged_in = None
            for scheme in ("light", "dark"):
                for viewport_name, viewport in VIEWPORTS.items():
                    if scheme == "dark" and name == "before":
                        continue  # there was no dark mode before the design lift
                    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=viewport,
                                                  color_scheme=scheme, storage_state=logged_in)
                    page = context.new_page()
                    if logged_in is None:
                        _login(page, base)
                        logged_in = context.storage_state()
                    for page_name, path in PAGES.items():
                        page.goto(f"{base}{path}")
                        page.wait_for_load_state("networkidle")
                        suffix = "" if scheme == "light" else "-dark"
                        file = target / f"{page_name}-{viewport_name}{suffix}.png"
                        # A phone shot shows the first two screens; a desktop shot the whole page up to 2 400 px.
                        height = min(page.evaluate("() => document.documentElement.scrollHeight"),
                                     viewport["height"] * 2 if viewport_name == "phone" else 2400)
                        page.screenshot(path=str(file), clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
                                        full_page=True)
                        _shrink(file)
                        written.append(file)
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(var_dir, ignore_errors=True)
    return written


if __name__ == "__main__":
    label = sys.argv[1] if len(sys.argv) > 1 else "after"
    for file in capture(label):
        print(f"{file.relative_to(REPO)}  {file.stat().st_size // 1024} KB")
