"""Mounts the API at /api/v1/: ninja's routes, 405 and unknown paths answered as problem+json."""

from functools import wraps

from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from abri.api.main import api
from abri.api.problems import PROBLEM_CONTENT_TYPE, method_not_allowed, not_found


def _api_view(view):
    """Every API answer: a wrong method as problem+json (ninja's is plain text), never stored by a cache."""

    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself for the session cookie
    def wrapper(request, *args, **kwargs):
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
