"""Deployment checks (`python -m abri check --deploy`): production secrets come from the environment, and
demo mode never runs on a public host."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def production_secrets(app_configs, **kwargs):
    """Under ABRI_PRODUCTION=1, SECRET_KEY and ABRI_PIN_PEPPER must be given, not generated into var/."""
    if not getattr(settings, "ABRI_PRODUCTION", False):
        return []
    problems = []
    for name, ident in (("SECRET_KEY", "abri.E001"), ("ABRI_PIN_PEPPER", "abri.E002")):
        value = os.environ.get(name, "")
        if not value:
            problems.append(Error(
                f"{name} is not set in the environment: the value generated into var/ is for local use only.",
                hint=f"Set {name} from your secret store (at least 32 random bytes, e.g. "
                     "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`).", id=ident))
        elif len(value) < 32:
            problems.append(Warning(f"{name} is shorter than 32 characters.", id=ident.replace("E", "W")))
    if getattr(settings, "ABRI_DEMO", False):
        problems.append(Warning("ABRI_DEMO is on in production: the demo outbox shows codes and links.",
                                hint="Set ABRI_DEMO=0.", id="abri.W003"))
    if not getattr(settings, "AXES_ENABLED", True):
        problems.append(Warning("AXES_ENABLED is off: no per-address login throttling by django-axes.",
                                id="abri.W004"))
    return problems


@register(Tags.security, deploy=True)
def demo_mode_on_public_host(app_configs, **kwargs):
    """Demo mode publishes every code and link (/demo/outbox.json): only ever on a local machine."""
    if not getattr(settings, "ABRI_DEMO", False):
        return []
    local = getattr(settings, "LOCAL_HOSTS", frozenset())
    public = sorted(host for host in settings.ALLOWED_HOSTS if host not in local)
    if not public:
        return []
    return [Error(
        f"ABRI_DEMO is on while the portal answers for {', '.join(public)}: the demo outbox "
        "(/demo/outbox/, /demo/outbox.json) shows every code and link sent, to anyone.",
        hint="Set ABRI_DEMO=0 (and ABRI_PRODUCTION=1), or keep ALLOWED_HOSTS to 127.0.0.1, localhost, ::1.",
        id="abri.E003")]


@register(Tags.security, deploy=True)
def sandbox_psp_in_production(app_configs, **kwargs):
    """The sandbox PSP takes test card numbers and marks instalments paid: never where real customers pay."""
    if getattr(settings, "ABRI_PSP", "") != "sandbox":
        return []
    local = getattr(settings, "LOCAL_HOSTS", frozenset())
    public = sorted(host for host in settings.ALLOWED_HOSTS if host not in local)
    if not getattr(settings, "ABRI_PRODUCTION", False) and not public:
        return []
    return [Error(
        "ABRI_PSP=sandbox in production: the test payment page accepts test card numbers (4242 4242 4242 4242) "
        "and marks the instalment paid without any money.",
        hint="Set ABRI_PSP=stripe with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or leave ABRI_PSP empty "
             "(card payment is then not offered; transfers and direct debit stay).",
        id="abri.E004")]
