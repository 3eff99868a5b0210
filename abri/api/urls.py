"""Mounts the API at /api/v1/: ninja's routes, 405 and unknown paths answered as problem+json."""

import re
from functools import wraps

from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from abri.api.main import api
from abri.api.problems import PROBLEM_CONTENT_TYPE, method_not_allowed, not_found, problem, status_title

# A JSON string escape for U+0000 that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _nul_location(request) -> list[str] | None:
    """Where a NUL character hides in the input, if anywhere.

    No API input may hold one, and PostgreSQL refuses it in text (DataError, a 500 if it got that far),
    so it is turned away here for every router at once: path, query string, JSON body.
    """
    if "\x00" in request.path:
        return ["path"]
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return ["query", key.replace("\x00", "")[:100]]
    if request.content_type == "application/json":
        try:
            body = request.body
        except Exception:  # noqa: BLE001 - too big or unreadable: ninja answers it as malformed input
            return None
        if b"\x00" in body or _JSON_NUL.search(body):
            return ["body"]
    elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            # Read the raw body first: the form is then parsed from it, and ninja may still read
            # request.body afterwards (a JSON operation sent a form). An upload larger than
            # DATA_UPLOAD_MAX_MEMORY_SIZE is not inspected here: its operation validates it.
            request.body  # noqa: B018
            fields = list(request.POST.lists())  # form fields only: uploaded files may hold any byte
        except Exception:  # noqa: BLE001 - malformed or too big: ninja answers it itself
            return None
        for key, values in fields:
            if "\x00" in key or any("\x00" in value for value in values):
                return ["form", key.replace("\x00", "")[:100]]
    return None


def _api_view(view):
    """Every API answer: a wrong method as problem+json (ninja's is plain text), never stored by a cache."""

    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself for the session cookie
    def wrapper(request, *args, **kwargs):
        location = _nul_location(request)
        if location is not None:
            response = problem(
                422, status_title(422), _("Caractère nul (U+0000) refusé."),
                errors=[{"loc": location, "msg": "NUL character not allowed", "type": "nul_character"}],
            )
        else:
            response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            response = method_not_allowed(request, allowed=response.get("Allow", ""))
        # Personal data: no shared or browser cache keeps it, and the answer depends on the token.
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        patch_vary_headers(response, ["Authorization"])
        return response

    return wrapper


def _wrap(patterns):
    for entry in patterns:
        if isinstance(entry, URLPattern):
            entry.callback = _api_view(entry.callback)
        elif isinstance(entry, URLResolver):
            _wrap(entry.url_patterns)
    return patterns


def unknown_path(request, path=""):
    """Any other path under /api/v1/ is a problem+json 404, whatever the method."""
    return not_found(request)


unknown_path.csrf_exempt = True

_ninja_patterns, _ninja_app, _namespace = api.urls
urlpatterns = [
    path("", include((_wrap(_ninja_patterns), _ninja_app), namespace=_namespace)),
    re_path(r"^(?P<path>.*)$", unknown_path, name="unknown"),
]
