"""The background worker: runs queued tasks, sweeps the outbox, proves it is alive (/healthz)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from abri.billing.direct_debit import mandates_lapse
from abri.contracts.services import contracts_end_due, contracts_renew_due
from abri.core import ratelimit
from abri.core.models import WorkerHeartbeat
from abri.dunning.services import dunning_run
from abri.notifications.services import outbox_sweep

logger = logging.getLogger(__name__)


HOURLY_EVERY_SECONDS = 3600
_last_hourly: list[float] = []


def heartbeat_once(name: str) -> None:
    """Record that this worker is alive, deliver any outbox message whose task was lost, delete ended
    rate-limit windows, and once an hour renew the contracts whose main due date has come, end those
    whose termination date has passed (their certificates are revoked), send the reminders, renewal
    notices and unpaid-premium steps due (abri.dunning.services) and lapse the SEPA mandates unused for
    36 months. All these jobs are idempotent: two workers may run them at once."""
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
    outbox_sweep()
    ratelimit.prune()
    now = time.monotonic()
    if not _last_hourly or now - _last_hourly[0] >= HOURLY_EVERY_SECONDS:
        _last_hourly[:] = [now]
        renewed = contracts_renew_due()
        if renewed:
            logger.info("%s contract renewal(s) at their main due date", renewed)
        ended = contracts_end_due()
        if ended:
            logger.info("%s contract(s) ended at their termination date", ended)
        dunning = dunning_run()
        if any(dunning.values()):
            logger.info("reminders and dunning: %s", dunning)
        lapsed = mandates_lapse()
        if lapsed:
            logger.info("%s SEPA mandate(s) lapsed after 36 months unused", lapsed)


def _heartbeat_loop(name: str, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            heartbeat_once(name)
        except Exception:  # noqa: BLE001 - the heartbeat must never kill the worker
            logger.exception("heartbeat failed")
        finally:
            close_old_connections()
        stop.wait(interval)


class Command(BaseCommand):
    help = "Lance le worker de tâches de fond (base de données ou RQ selon REDIS_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="worker")
        parser.add_argument("--heartbeat", type=float, default=15.0)

    def handle(self, *args, **options):
        stop = threading.Event()
        beat = threading.Thread(target=_heartbeat_loop, args=(options["name"], options["heartbeat"], stop), daemon=True)
        beat.start()
        try:
            backend = settings.TASKS["default"]["BACKEND"]
            queues = settings.TASKS["default"].get("QUEUES") or ["default"]
            if backend.startswith("django_tasks_rq"):
                # django-tasks-rq stores a Task, not a function, in the job: only its Job class can run it.
                call_command("rqworker", *queues, job_class="django_tasks_rq.Job", with_scheduler=False)
            elif backend.startswith("django_tasks_db"):
                call_command("db_worker", interval=0.5, startup_delay=False)
            else:
                while True:
                    time.sleep(3600)
        finally:
            stop.set()
