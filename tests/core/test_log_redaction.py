"""No secret in logs: the recovery link's token (in the path, a query string or a Referer) never reaches a
log line, neither the server's access log nor Django's error log."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from abri.accounts.codes import new_challenge
from abri.core.logging import RedactSecretsFilter, install_redaction, redact

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_recovery_link_token_is_masked_in_the_gunicorn_access_and_error_logs(tmp_path):
    """A real gunicorn, started like `runportal` starts it, answers a request to a recovery link."""
    token = new_challenge()
    port = _free_port()
    env = {**os.environ, "ABRI_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "abri.settings",
           "ABRI_LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # an empty SQLite file of its own: the view's query fails, and is logged
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - fixed argument list
            [sys.executable, "-m", "gunicorn", "abri.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--access-logfile", "-", "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:  # until it accepts connections
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        pytest.fail(f"gunicorn did not start: {log_path.read_text()[-2000:]}")
                    time.sleep(0.2)
            link = f"/identifiants-oublies/lien/{token}/"
            _get(f"{base}{link}?token={token}", {"Referer": f"{base}{link}"})
            _get(f"{base}/connexion/", {"Referer": f"{base}{link}"})
        finally:
            server.terminate()
            server.wait(timeout=20)
    output = log_path.read_text()
    assert "/identifiants-oublies/lien/[masqué]/" in output, output[-3000:]  # the request line was logged
    assert "Internal Server Error: /identifiants-oublies/lien/[masqué]/" in output  # and Django's error log
    assert token not in output


def test_redaction_masks_secret_links_and_parameters_but_keeps_ordinary_paths():
    token = new_challenge()
    line = f'"GET /identifiants-oublies/lien/{token}/?token={token}&page=2 HTTP/1.1" 200 "http://h/x/{token}/"'
    masked = redact(line)
    assert token not in masked
    assert "/identifiants-oublies/lien/[masqué]/?token=[masqué]&page=2" in masked
    for ordinary in ["GET /sinistres/fichiers/3f2a1b4c-1111-2222-3333-444455556666/?vignette=1",
                     "GET /contrats/MRH-2024-000123/avenant/?simulation=12", "GET /documents/?q=attestation"]:
        assert redact(ordinary) == ordinary


def test_request_loggers_mask_whatever_handler_is_attached(caplog):
    install_redaction()
    token = new_challenge()
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logging.getLogger("gunicorn.access").info('"%(r)s" %(s)s', {"r": f"GET /identifiants-oublies/lien/{token}/",
                                                                    "s": "200"})
    assert token not in caplog.text and "[masqué]" in caplog.text
    assert any(isinstance(f, RedactSecretsFilter) for f in logging.getLogger("django.server").filters)


def test_a_token_without_any_digit_is_masked_too():
    """About one random token in 200 has no digit: it used to pass the « looks random » test unmasked."""
    for token in ("pgklbXvnZprOAZWqmdCzfEkEvFlvxGMV", "nRsnkssjnWLhwF-nkQkVrj-IKnsWGXvp"):
        masked = redact(f'"GET /x HTTP/1.1" 200 "http://h/x/{token}/"')
        assert token not in masked and "[masqué]" in masked
