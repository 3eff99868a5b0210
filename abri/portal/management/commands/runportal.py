"""Start the portal: gunicorn + WhiteNoise and the background worker, and print the demo credentials."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

BANNER = """
  Abri — espace client (démo) : http://{host}:{port}/

  Clients      DEMO0001G / code secret 246810   (Camille Martin, 2 contrats)
               DEMO0002E / code secret 135790   (Karim Benali, 1 contrat)
  Personnel    conseiller@abri.example   / abri-demo-conseiller  (conseiller)
  (/backoffice/) gestionnaire@abri.example / abri-demo-gestion     (gestionnaire sinistres)
               admin@abri.example        / abri-demo-admin       (administrateur)
               compta@abri.example       / abri-demo-compta      (comptabilité)

  Codes et liens envoyés (SMS, e-mails) : http://{host}:{port}/demo/outbox/
  Vérifier une attestation : http://{host}:{port}/verifier/     Santé : http://{host}:{port}/healthz
  Ctrl+C pour arrêter.
"""


def local_base_url(host: str, port: str) -> str:
    """http://host:port/ as a browser on this machine reaches it (a wildcard bind answers on 127.0.0.1)."""
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - recognising a wildcard bind, not binding one
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Démarre gunicorn et le worker (utilisé par make run)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))

    def handle(self, *args, **options):
        host, port = options["host"], options["port"]
        env = dict(os.environ)
        # Links in e-mails, SMS and certificate QR codes point at this portal (make run PORT=8123 links to
        # :8123), unless the operator set the public address: settings read ABRI_BASE_URL in each process.
        env.setdefault("ABRI_BASE_URL", local_base_url(host, port))
        web = subprocess.Popen(  # noqa: S603 - fixed argument list
            [sys.executable, "-m", "gunicorn", "abri.wsgi:application", "--bind", f"{host}:{port}",
             "--workers", str(options["workers"]), "--threads", "4", "--access-logfile", "-",
             "--timeout", "60", "--graceful-timeout", "10"],
            env=env,
        )
        worker = subprocess.Popen([sys.executable, "-m", "abri", "worker"], env=env)  # noqa: S603
        if settings.ABRI_DEMO:
            self.stdout.write(BANNER.format(host=host, port=port))
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                if web.poll() is not None or worker.poll() is not None:
                    self.stderr.write("Un processus s'est arrêté ; arrêt du portail.")
                    break
                time.sleep(0.5)
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.terminate()
            for proc in (web, worker):
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        return None
