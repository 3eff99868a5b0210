"""Safe by default: demo mode cannot run on a public host unnoticed, and codes are never written to files
other users of the machine can read."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from abri.notifications.sms import FileSmsBackend

ROOT = Path(__file__).resolve().parents[2]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def wide_umask():
    # The usual 022 umask would create world-readable files: the backends must not depend on it.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.parametrize("hosts", [["espace.abri.example"], ["127.0.0.1", "espace.abri.example"], ["*"],
                                   ["192.0.2.10"]])
def test_check_deploy_fails_while_demo_mode_is_on_with_a_public_host(settings, hosts):
    settings.ABRI_DEMO = True
    settings.ALLOWED_HOSTS = hosts
    with pytest.raises(SystemCheckError, match="abri.E003"):
        call_command("check", deploy=True)


@pytest.mark.parametrize("hosts", [["127.0.0.1", "localhost", "testserver", "[::1]"], ["::1"]])
def test_demo_mode_on_a_local_machine_passes_the_demo_check(settings, hosts):
    settings.ABRI_DEMO = True
    settings.ALLOWED_HOSTS = hosts
    from abri.accounts.checks import demo_mode_on_public_host

    assert demo_mode_on_public_host(None) == []


def test_production_host_without_demo_passes_the_demo_check(settings):
    settings.ABRI_DEMO = False
    settings.ALLOWED_HOSTS = ["espace.abri.example"]
    from abri.accounts.checks import demo_mode_on_public_host

    assert demo_mode_on_public_host(None) == []


def _settings_of(tmp_path, **env_extra) -> list[str]:
    code = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='abri.settings';django.setup();"
            "from django.conf import settings as s;print(s.ABRI_DEMO)")
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(ABRI_VAR_DIR=str(tmp_path / "var"), **env_extra)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_a_public_host_name_turns_the_demo_default_off(tmp_path):
    # Deployed without ABRI_PRODUCTION=1 but with its real name: no demo outbox unless asked for explicitly.
    assert _settings_of(tmp_path, ALLOWED_HOSTS="espace.abri.example") == ["False"]
    assert _settings_of(tmp_path) == ["True"]  # `make run` on the local machine keeps its demo
    assert mode(tmp_path / "var") == 0o700  # database, outbox, secrets: private to the portal's user


def test_default_email_backend_writes_private_files(settings, tmp_path, wide_umask):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "abri.notifications.backends.OutboxCopyEmailBackend"
    (tmp_path / "mail").mkdir(mode=0o755)  # left by an earlier version
    os.chmod(tmp_path / "mail", 0o755)  # noqa: S103 - the state the backend must repair

    mail.send_mail("Votre code", "Votre code : 123456", None, ["alice@example.org"])

    [written] = list((tmp_path / "mail").iterdir())
    assert "123456" in written.read_text()
    assert mode(tmp_path / "mail") == 0o700
    assert mode(written) == 0o600


def test_default_sms_backend_writes_a_private_file(settings, tmp_path, wide_umask):
    settings.ABRI_SMS_FILE = tmp_path / "sms.log"
    (tmp_path / "sms.log").write_text("")  # left world-readable by an earlier version
    os.chmod(tmp_path / "sms.log", 0o644)

    FileSmsBackend().send(to="+33600000000", body="Code Abri : 654321")

    assert "654321" in (tmp_path / "sms.log").read_text()
    assert mode(tmp_path / "sms.log") == 0o600


def test_default_sms_backend_creates_its_file_private(settings, tmp_path, wide_umask):
    settings.ABRI_SMS_FILE = tmp_path / "new-sms.log"
    FileSmsBackend().send(to="+33600000000", body="Code Abri : 654321")
    assert mode(tmp_path / "new-sms.log") == 0o600
