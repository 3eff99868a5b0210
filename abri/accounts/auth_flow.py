"""Request-level pieces of the login flow shared by the pages: device cookie, finishing a login."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login
from django.utils.translation import gettext as _

from abri.accounts import services
from abri.accounts.services import DEVICE_LIFETIME
from abri.core.middleware import client_ip
from abri.core.services import audit_record

DEVICE_COOKIE = "abri_device"
DEVICE_SALT = "abri.accounts.device"
PENDING_KEY = "abri_pending_login"
PENDING_MAX_AGE = 10 * 60
SESSION_SID = "abri_sid"
SESSION_AUTH_AT = "abri_auth_at"
SESSION_SEEN_AT = "abri_seen_at"
CUSTOMER_BACKEND = "abri.accounts.backends.CustomerPinBackend"


def device_label(request, *, default: str | None = None) -> str:
    """A short, human description of the browser (or app: default) for the « Sécurité » page."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    browser = next((name for key, name in [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                           ("Safari/", "Safari")] if key in agent), default or _("Navigateur"))
    system = next((name for key, name in [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux")]
                   if key in agent), "")
    return f"{browser} — {system}" if system else browser


def device_cookie_read(request) -> str | None:
    """The raw trusted-device token from the signed cookie, if any."""
    return request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT,
                                     max_age=int(DEVICE_LIFETIME.total_seconds()))


def device_cookie_set(response, raw: str) -> None:
    """Set the signed, HttpOnly device cookie (180 days)."""
    response.set_signed_cookie(DEVICE_COOKIE, raw, salt=DEVICE_SALT,
                               max_age=int(DEVICE_LIFETIME.total_seconds()), httponly=True,
                               secure=getattr(settings, "SESSION_COOKIE_SECURE", False), samesite="Lax")


def pending_set(request, *, user, method: str, challenge: str, next_url: str) -> None:
    """Remember a login waiting for its second factor (the user is not logged in yet)."""
    request.session[PENDING_KEY] = {"uid": user.pk, "method": method, "challenge": challenge,
                                    "next": next_url, "at": time.time()}


def pending_get(request) -> dict | None:
    """The pending login, if it is less than 10 minutes old."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None
    return pending


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def login_finish(request, user, *, method: str, new_device: bool) -> None:
    """Log the user in: new session key (rotation), session row, markers, audit, new-device alert."""
    pending_clear(request)
    login(request, user, backend=CUSTOMER_BACKEND)  # cycles the session key
    raw_sid = services.session_register(user=user, label=device_label(request), ip=client_ip(request))
    now = time.time()
    request.session[SESSION_SID] = raw_sid
    request.session[SESSION_AUTH_AT] = now
    request.session[SESSION_SEEN_AT] = now
    customer = getattr(user, "customer", None)
    audit_record(actor=user, action="auth.login", target=customer or user,
                 data={"method": method, "new_device": new_device, "device": device_label(request)})
    if new_device and customer is not None:
        services.login_new_device_alert(user=user, device=device_label(request))
