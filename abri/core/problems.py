"""RFC 9457 problem details (`application/problem+json`): the builder shared by the API and by the
layers below it (core's error views, accounts' step-up). The API's handlers live in abri.api.problems.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Statuses whose title is standard (RFC 9457 §4.2.1: with about:blank the title is the status phrase,
# which may be localised).
_TITLES = {
    400: gettext_noop("Requête incorrecte"),
    401: gettext_noop("Authentification requise"),
    403: gettext_noop("Accès refusé"),
    404: gettext_noop("Introuvable"),
    405: gettext_noop("Méthode non autorisée"),
    409: gettext_noop("Conflit"),
    413: gettext_noop("Requête trop volumineuse"),
    415: gettext_noop("Type de contenu non pris en charge"),
    422: gettext_noop("Requête invalide"),
    423: gettext_noop("Compte verrouillé"),
    429: gettext_noop("Trop de requêtes"),
    500: gettext_noop("Erreur interne"),
    503: gettext_noop("Service indisponible"),
}


def problem(status: int, title: str, detail: str = "", **extra) -> JsonResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def status_title(status: int) -> str:
    """The (French, translatable) title of a standard HTTP status."""
    return _(_TITLES.get(status, "Erreur"))


def request_too_big(request, exc: Exception) -> JsonResponse:
    """413: the body is over DATA_UPLOAD_MAX_MEMORY_SIZE (or has too many fields): refused, never a 500."""
    return problem(413, status_title(413), _("La requête est trop volumineuse."))


def bad_request(request, exc: Exception) -> JsonResponse:
    """400: input Django itself refuses (SuspiciousOperation); nothing of it is echoed back."""
    return problem(400, status_title(400), _("Requête refusée."))
