"""Security headers on every page and `check --deploy` clean under production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/connexion/", "/activation/", "/identifiants-oublies/", "/api/v1/ping"])
def test_strict_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "style-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "microphone=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_login_pages_are_not_cached(client):
    assert "no-store" in client.get("/connexion/")["Cache-Control"]


def _check(env_extra):
    # A clean environment, as on a server (test harnesses may export variables such as
    # DJANGO_ALLOW_ASYNC_UNSAFE that Django rightly refuses in deployment).
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL") if k in os.environ}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "abri", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _check({"ABRI_PRODUCTION": "1", "SECRET_KEY": secrets.token_urlsafe(60),
                     "ABRI_PIN_PEPPER": secrets.token_urlsafe(48), "ALLOWED_HOSTS": "espace.abri.example",
                     "ABRI_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_generated_secrets(tmp_path):
    result = _check({"ABRI_PRODUCTION": "1", "ALLOWED_HOSTS": "espace.abri.example", "ABRI_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "abri.E001" in result.stderr + result.stdout and "abri.E002" in result.stderr + result.stdout


def test_hsts_and_secure_cookies_under_production(tmp_path):
    code = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='abri.settings';django.setup();"
            "from django.conf import settings as s;"
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME,"
            " s.ABRI_DEMO)")
    env = dict(os.environ, ABRI_PRODUCTION="1", SECRET_KEY="x" * 50, ABRI_PIN_PEPPER="y" * 40,
               ABRI_VAR_DIR=str(tmp_path))
    env.pop("ABRI_DEMO", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60).stdout.split()
    assert out == ["31536000", "True", "True", "__Host-sessionid", "False"]


def test_check_deploy_refuses_the_sandbox_psp_in_production(tmp_path):
    """The sandbox takes test card numbers and marks instalments paid without money: never in production."""
    result = _check({"ABRI_PRODUCTION": "1", "SECRET_KEY": secrets.token_urlsafe(60),
                     "ABRI_PIN_PEPPER": secrets.token_urlsafe(48), "ALLOWED_HOSTS": "espace.abri.example",
                     "ABRI_VAR_DIR": str(tmp_path), "ABRI_PSP": "sandbox"})
    assert result.returncode != 0
    assert "abri.E004" in result.stderr + result.stdout


def test_no_card_payment_in_production_until_a_real_psp_is_configured(tmp_path):
    code = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='abri.settings';django.setup();"
            "from django.conf import settings as s;from abri.billing import psp;"
            "print(repr(s.ABRI_PSP), psp.adapter_for(s.ABRI_PSP))")
    env = dict(os.environ, ABRI_PRODUCTION="1", SECRET_KEY="x" * 50, ABRI_PIN_PEPPER="y" * 40,
               ABRI_VAR_DIR=str(tmp_path))
    for name in ("ABRI_DEMO", "ABRI_PSP"):
        env.pop(name, None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.split() == ["''", "None"], out.stdout + out.stderr


def test_the_pay_page_offers_no_card_without_a_psp(alice, alice_contract, alice_client, settings):
    from datetime import date

    from abri.billing.models import ScheduleItem

    item = ScheduleItem.objects.create(customer=alice, contract=alice_contract, due_date=date(2030, 1, 5),
                                       amount="52.40", method="transfer")
    assert "Payer par carte" in alice_client.get(f"/paiements/payer/{item.pk}/").content.decode()
    settings.ABRI_PSP = ""
    page = alice_client.get(f"/paiements/payer/{item.pk}/").content.decode()
    assert "Payer par carte" not in page and "Par virement" in page
    response = alice_client.post(f"/paiements/payer/{item.pk}/carte/", follow=True)
    assert "paiement par carte n&#x27;est pas disponible" in response.content.decode()
