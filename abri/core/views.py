"""Shell views: home, health check, accessibility statement, error pages (the dashboard is in abri.portal)."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from abri.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def home(request):
    """The root sends customers to their dashboard, others to the login page."""
    if request.user.is_authenticated and getattr(request.user, "is_customer", False):
        return redirect("dashboard")
    return redirect("accounts:login")


@require_GET
def accessibility_statement(request):
    """The RGAA accessibility statement (public; loi 2005-102 art. 47, décret 2019-768)."""
    return render(request, "core/accessibility.html", {
        "contact": settings.ABRI_ACCESSIBILITY_CONTACT,
        "audit_date": date(2026, 12, 1),
    })


@never_cache
@require_GET
def healthz(request):
    """Load-balancer probe: database reachable and worker heartbeat fresh."""
    checks: dict[str, str] = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure is reported, never raised
        checks["database"] = "error"
        status = 503
    if status == 200:
        cutoff = timezone.now() - timezone.timedelta(seconds=settings.ABRI_WORKER_HEARTBEAT_MAX_AGE)
        beat = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
        if beat is None:
            checks["worker"] = "absent"
        elif beat < cutoff:
            checks["worker"] = "stale"
        else:
            checks["worker"] = "ok"
    payload = {"status": "ok" if status == 200 else "error", "checks": checks}
    return JsonResponse(payload, status=status)


def error_404(request, exception=None):
    """French 404 page in the shell."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"type": "about:blank", "title": "Introuvable", "status": 404, "detail": "Ressource introuvable."},
            status=404,
            content_type="application/problem+json",
        )
    return render(request, "404.html", status=404)


def error_400(request, exception=None):
    """Input Django refuses before any view (SuspiciousOperation): a body over the size limit is a
    French 413, anything else a French 400; the API answers problem+json. Never a traceback."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    too_big = isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent)
    status = 413 if too_big else 400
    if request.path.startswith("/api/"):
        from abri.core.problems import bad_request, request_too_big

        return request_too_big(request, exception) if too_big else bad_request(request, exception)
    return render(request, "413.html" if too_big else "400.html",
                  {"max_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}, status=status)


def error_500(request):
    """French 500 page with a reference id and nothing leaked."""
    reference = getattr(request, "request_id", "")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": "Erreur interne",
                "status": 500,
                "detail": f"Une erreur est survenue. Référence : {reference}",
                "reference": reference,
            },
            status=500,
            content_type="application/problem+json",
        )
    # The template is rendered without the request context: nothing from the session leaks.
    from django.template import loader

    html = loader.get_template("500.html").render({"reference": reference})
    return HttpResponse(html, status=500)
