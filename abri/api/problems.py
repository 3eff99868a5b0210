"""RFC 9457 problem details: every API error is `application/problem+json` with type/title/status/detail.

`install_problem_handlers(api)` replaces django-ninja's default handlers, so that no error of the
API answers HTML, plain text or a bare `{"detail": …}`, and no bad input ever becomes a 500.
"""

from __future__ import annotations

import logging
import math

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from abri.core.problems import (  # noqa: F401  (re-exported: the API's routers import them from here)
    PROBLEM_CONTENT_TYPE,
    bad_request,
    problem,
    request_too_big,
    status_title,
)

logger = logging.getLogger("abri.api")

DEFAULT_RETRY_AFTER = 60


def unauthorized(request=None, exc=None) -> JsonResponse:
    """401 with the challenge RFC 9110 §11.6.1 requires."""
    response = problem(
        401, status_title(401), _("Connectez-vous : jeton « Authorization: Bearer … » ou session du portail.")
    )
    response["WWW-Authenticate"] = 'Bearer realm="abri"'
    return response


def forbidden(request=None, exc=None) -> JsonResponse:
    """403: authenticated, but this resource is not for this login (or the CSRF check failed)."""
    return problem(403, status_title(403), _("Vous n'avez pas accès à cette ressource."))


def not_found(request=None, exc=None) -> JsonResponse:
    """404: unknown route, or an object that does not exist for this customer (never 403)."""
    return problem(404, status_title(404), _("Ressource introuvable."))


def method_not_allowed(request, allowed: str) -> JsonResponse:
    """405 with the Allow header kept."""
    response = problem(405, status_title(405), _("Cette méthode n'est pas acceptée ici."))
    response["Allow"] = allowed
    return response


def _validation_errors(exc: ValidationError) -> list[dict]:
    """Ninja/pydantic errors reduced to location, message and type (never the input echoed back)."""
    errors = []
    for error in exc.errors[:50]:
        loc = [str(part)[:100] for part in error.get("loc", ())]
        errors.append({"loc": loc, "msg": str(error.get("msg", ""))[:300], "type": str(error.get("type", ""))})
    return errors


def validation_error(request, exc: ValidationError) -> JsonResponse:
    """422: the input has the wrong shape; `errors` says where."""
    return problem(
        422,
        status_title(422),
        _("Certaines valeurs envoyées sont invalides."),
        errors=_validation_errors(exc),
    )


def http_error(request, exc: HttpError) -> JsonResponse:
    """HttpError raised by ninja or by a router."""
    status = exc.status_code
    if isinstance(exc, Throttled) or status == 429:
        return too_many_requests(request, exc)
    if isinstance(exc, AuthenticationError) or status == 401:
        return unauthorized(request, exc)
    if status == 400 and exc.message.startswith("Cannot parse request body"):
        # Ninja raises HttpError(400, "Cannot parse request body") for a body that is not JSON;
        # the API answers every malformed input the same way: 422.
        return problem(
            422,
            status_title(422),
            _("Le corps de la requête n'est pas un JSON valide."),
            errors=[{"loc": ["body"], "msg": "invalid JSON", "type": "json_invalid"}],
        )
    if status == 403:
        return forbidden(request, exc)
    if status == 404:
        return not_found(request, exc)
    detail = exc.message if status < 500 else ""
    return problem(status, status_title(status), detail)


def too_many_requests(request, exc: HttpError) -> JsonResponse:
    """429 with Retry-After in whole seconds (RFC 9110 §10.2.3)."""
    wait = getattr(exc, "wait", None)
    retry_after = max(1, math.ceil(wait)) if wait else DEFAULT_RETRY_AFTER
    response = problem(
        429,
        status_title(429),
        _("Trop de requêtes : réessayez dans %(seconds)s secondes.") % {"seconds": retry_after},
    )
    response["Retry-After"] = str(retry_after)
    return response


def server_error(request, exc: Exception) -> JsonResponse:
    """500: logged with the request id, answered with that reference and nothing else."""
    reference = getattr(request, "request_id", "")
    logger.error(
        "API error %s on %s %s", reference, request.method, request.path, exc_info=(type(exc), exc, exc.__traceback__)
    )
    return problem(
        500,
        status_title(500),
        _("Une erreur est survenue. Référence : %(reference)s") % {"reference": reference},
        reference=reference,
    )


def install_problem_handlers(api) -> None:
    """Answer every error of this NinjaAPI as problem+json."""
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(Throttled, too_many_requests)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(RequestDataTooBig, request_too_big)
    api.add_exception_handler(TooManyFieldsSent, request_too_big)
    api.add_exception_handler(TooManyFilesSent, request_too_big)
    api.add_exception_handler(SuspiciousOperation, bad_request)
    api.add_exception_handler(Exception, server_error)
