"""Issue 15 point 6: links printed in certificates, QR codes and e-mails point at the portal that serves them.

`make run PORT=8123` (runportal --port 8123) gives its processes ABRI_BASE_URL=http://127.0.0.1:8123, and every
absolute link is built from that one setting.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from abri.certificates.services import certificate_issue
from abri.notifications.emails import notification_email
from abri.portal.management.commands import runportal
from tests.certificates.certificate_helpers import page_barcodes

PORTAL = "http://127.0.0.1:8123"


class _FinishedProcess:
    """Stands for gunicorn and the worker: records its environment and reports itself stopped at once."""

    started: list[dict] = []

    def __init__(self, args, env=None, **_kwargs):
        self.args = args
        _FinishedProcess.started.append(env or {})

    def poll(self):
        return 0

    def terminate(self):  # pragma: no cover - already stopped
        pass

    def wait(self, timeout=None):
        return 0


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", PORTAL), ("0.0.0.0", PORTAL), ("localhost", "http://localhost:8123"),  # noqa: S104
])
def test_runportal_gives_its_processes_a_base_url_on_its_own_port(monkeypatch, host, expected):
    monkeypatch.delenv("ABRI_BASE_URL", raising=False)
    monkeypatch.setattr(runportal.subprocess, "Popen", _FinishedProcess)
    monkeypatch.setattr(runportal.signal, "signal", lambda *_args: None)
    _FinishedProcess.started = []
    call_command("runportal", host=host, port="8123", stderr=io.StringIO(), stdout=io.StringIO())
    assert [env["ABRI_BASE_URL"] for env in _FinishedProcess.started] == [expected, expected]


def test_runportal_keeps_an_operator_base_url(monkeypatch):
    monkeypatch.setenv("ABRI_BASE_URL", "https://espace-client.assureur.fr")
    monkeypatch.setattr(runportal.subprocess, "Popen", _FinishedProcess)
    monkeypatch.setattr(runportal.signal, "signal", lambda *_args: None)
    _FinishedProcess.started = []
    call_command("runportal", port="8123", stderr=io.StringIO(), stdout=io.StringIO())
    assert {env["ABRI_BASE_URL"] for env in _FinishedProcess.started} == {"https://espace-client.assureur.fr"}


def test_makefile_derives_the_base_url_from_host_and_port():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "ABRI_BASE_URL ?= http://$(HOST):$(PORT)" in makefile and "export ABRI_BASE_URL" in makefile


@pytest.mark.django_db
def test_certificate_pdf_and_qr_code_link_to_the_portal_port(alice, alice_contract, settings):
    settings.ABRI_BASE_URL = PORTAL
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    with certificate.document.file.open("rb") as handle:
        data = handle.read()
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    assert f"{PORTAL}/verifier/" in text
    assert ":8000" not in text
    assert page_barcodes(data)["QRCode"] == f"{PORTAL}/verifier/?numero={certificate.number}"


@pytest.mark.django_db
def test_notification_email_links_to_the_portal_port(alice, settings):
    settings.ABRI_BASE_URL = PORTAL
    message = notification_email(customer=alice, title="Votre attestation", body="Elle est prête.",
                                 url="/documents/")
    assert f"{PORTAL}/documents/" in message.body
    assert f'href="{PORTAL}/documents/"' in message.html_body
