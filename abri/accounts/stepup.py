"""Step-up: sensitive actions ask for the second factor again (fresh for 5 minutes).

Sensitive actions are: changing the e-mail, phone or bank details, MFA settings, changing the PIN,
terminating a contract. The step-up is asked even when the customer logged in from a trusted device
or has no authenticator app (they then receive an SMS code).

HTML views::

    from abri.accounts.stepup import step_up_required

    @customer_required
    @step_up_required
    def bank_details_edit(request): ...

  A request that is not fresh is redirected to /securite/confirmation/?next=<path> (TOTP or SMS code),
  then sent back to <path> (GET). The GET that shows the form must be decorated too: the customer then
  passes the step-up *before* typing, and a POST is accepted up to 15 minutes after the step-up so that
  nothing typed is lost (STEP_UP_POST_GRACE_SECONDS).

API (django-ninja) operations::

    from abri.accounts.stepup import api_step_up_required

    @router.post("/bank-details", auth=bearer)
    def change(request, payload: ...):
        if (refused := api_step_up_required(request)) is not None:
            return refused          # 403 problem+json, "step_up_url": "/api/v1/auth/step-up"
        ...

  The client then calls POST /api/v1/auth/step-up (no body) → {"second_factor", "challenge"}, then
  POST /api/v1/auth/step-up {"challenge", "code"} → the token is fresh for 5 minutes.

Tests: `step_up_mark_fresh(client)` (a test Client) or `step_up_mark(request)` mark a session fresh.
"""

from __future__ import annotations

from functools import wraps

from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode

from abri.core.problems import problem

STEP_UP_FRESH_SECONDS = 300
STEP_UP_POST_GRACE_SECONDS = 900
SESSION_KEY = "abri_step_up_at"


def _api_token(request):
    return getattr(request, "api_token", None)


def step_up_is_fresh(request) -> bool:
    """True when the second factor was passed in the last 5 minutes (session, or API token)."""
    window = STEP_UP_FRESH_SECONDS
    if request.method == "POST":
        window = STEP_UP_POST_GRACE_SECONDS
    now = timezone.now().timestamp()
    token = _api_token(request)
    if token is not None:
        at = token.step_up_at
        return at is not None and 0 <= now - at.timestamp() <= STEP_UP_FRESH_SECONDS
    session = getattr(request, "session", None)
    if session is None:
        return False
    at = session.get(SESSION_KEY)
    return isinstance(at, int | float) and 0 <= now - at <= window


def step_up_mark(request) -> None:
    """Record a passed step-up in the session (called by the step-up view)."""
    request.session[SESSION_KEY] = timezone.now().timestamp()


def step_up_mark_fresh(client) -> None:
    """For tests: mark a logged-in django.test.Client session as freshly stepped-up."""
    session = client.session
    session[SESSION_KEY] = timezone.now().timestamp()
    session.save()


def _referer_path(request) -> str:
    """After a step-up asked by a POST, go back to the page the form was on (same site only)."""
    from urllib.parse import urlsplit

    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc == request.get_host() and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/securite/"


def step_up_required(view):
    """HTML views: redirect to the step-up page unless the second factor is fresh."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if step_up_is_fresh(request):
            return view(request, *args, **kwargs)
        target = request.get_full_path() if request.method == "GET" else _referer_path(request)
        return redirect("/securite/confirmation/?" + urlencode({"next": target}))

    return wrapper


def api_step_up_required(request):
    """API: None when fresh, else a 403 problem+json telling the client to call POST /api/v1/auth/step-up."""
    if step_up_is_fresh(request):
        return None
    return problem(
        403,
        "Confirmation requise",
        "Cette opération sensible demande une nouvelle vérification : appelez POST /api/v1/auth/step-up.",
        type="https://abri.example/problems/step-up-required",
        step_up_url="/api/v1/auth/step-up",
    )
