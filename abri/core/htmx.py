"""Server side of the one partial-update protocol (ADR 0009): htmx requests, as read by django-htmx.

A view answers the whole page, or its partial (`templates/<app>/partials/`) when `request.htmx`. Two rules
hold for every htmx request, whatever the view:
- a request that must log in again (session expired, logged out in another tab) is answered with
  `HX-Redirect` to the login page, coming back to the page on screen — never the login page swapped into
  a fragment;
- an automatic poll (triggered by an element whose id ends in `-live`, e.g. the claim timeline) is not
  activity: it must not keep an idle session alive for ever (15 minutes idle, accounts.middleware).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

POLL_SUFFIX = "-live"


def is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def is_background_poll(request) -> bool:
    """An htmx request nobody clicked: the periodic refresh of a `…-live` element."""
    return is_htmx(request) and (request.htmx.trigger or "").endswith(POLL_SUFFIX)


def page_path(request) -> str:
    """The page the customer sees: for htmx, the page that sent the request (same origin), not the fragment."""
    if is_htmx(request) and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return request.get_full_path()


def login_redirect(request, login_url: str | None = None):
    """To the login page and back: a full-page navigation, also for an htmx request."""
    url = (login_url or settings.LOGIN_URL) + "?" + urlencode({"next": page_path(request)})
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)
