"""Session security: 15 minutes idle, 12 hours absolute, sessions ended from « Sécurité »."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from abri.accounts.auth_flow import SESSION_AUTH_AT, SESSION_SEEN_AT, SESSION_SID
from abri.core.htmx import is_background_poll, is_htmx, login_redirect
from abri.core.services import audit_record

TOUCH_EVERY_SECONDS = 60


class SessionSecurityMiddleware:
    """Ends a session that was idle too long, is older than 12 hours, or was ended elsewhere.

    A session without the markers (created by `Client.force_login` in tests, or by another login path)
    is treated as fully authenticated and gets its clock started on the first request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        expired = self._check(request)
        if expired:
            return expired
        return self.get_response(request)

    def _check(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return None
        now = time.time()
        idle = settings.ABRI_SESSION_IDLE_SECONDS
        absolute = settings.SESSION_COOKIE_AGE
        auth_at = session.get(SESSION_AUTH_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        reason = None
        if isinstance(auth_at, int | float) and now - auth_at > absolute:
            reason = "absolute"
        elif isinstance(seen_at, int | float) and now - seen_at > idle:
            reason = "idle"
        else:
            raw_sid = session.get(SESSION_SID)
            if raw_sid:
                reason = self._check_row(raw_sid, now)
        if reason:
            return self._end(request, user, reason)
        if auth_at is None:
            session[SESSION_AUTH_AT] = now
        if not is_background_poll(request):  # a timeline refreshing itself is not the customer being there
            session[SESSION_SEEN_AT] = now
        return None

    def _check_row(self, raw_sid: str, now: float):
        from abri.accounts.models import UserSession
        from abri.accounts.services import session_lookup

        row = session_lookup(raw=raw_sid)
        if row is None or row.ended_at is not None:
            return "ended"
        if now - row.last_seen_at.timestamp() > TOUCH_EVERY_SECONDS:
            from django.utils import timezone

            UserSession.objects.filter(pk=row.pk).update(last_seen_at=timezone.now())
        return None

    def _end(self, request, user, reason: str):
        from abri.accounts.models import UserSession
        from abri.accounts.services import codes

        raw_sid = request.session.get(SESSION_SID)
        if raw_sid and reason != "ended":
            from django.utils import timezone

            UserSession.objects.filter(sid_digest=codes.digest("sid:" + raw_sid), ended_at__isnull=True).update(
                ended_at=timezone.now(), end_reason=reason)
        customer = getattr(user, "customer", None) if getattr(user, "is_customer", False) else None
        audit_record(actor=user, action=f"auth.session_expired_{reason}", customer=customer,
                     target=customer)
        logout(request)
        if request.path.startswith("/api/"):
            return None
        text = {
            "idle": _("Votre session a expiré après 15 minutes d'inactivité. Reconnectez-vous : rien n'a été "
                      "enregistré depuis votre dernière action."),
            "absolute": _("Par sécurité, une session dure au plus 12 heures. Reconnectez-vous."),
            "ended": _("Cette session a été terminée. Reconnectez-vous."),
        }[reason]
        messages.warning(request, text)
        if request.method == "POST":
            # The view decides as for any logged-out visitor: the claim wizard, for one, keeps what was
            # posted and restores it after the new login, so nothing typed is lost.
            return None
        login_url = "/backoffice/connexion/" if request.path.startswith("/backoffice/") else settings.LOGIN_URL
        if is_htmx(request):  # the whole page goes to the login, not the login page into a fragment
            return login_redirect(request, login_url)
        target = request.get_full_path()
        return redirect(login_url + "?" + urlencode({"next": target}))
