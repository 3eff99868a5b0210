"""Security headers (strict CSP, no inline script), no cache for personal pages, a request id on every request."""

import uuid

from django.conf import settings

from abri.core.request_context import reset_request_meta, set_request_meta

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Adds CSP, Permissions-Policy and CORP to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def client_ip(request) -> str:
    """The client address; behind a proxy, the last hop added by the trusted proxy."""
    if getattr(settings, "ABRI_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestIdMiddleware:
    """Gives each request an id (shown on error pages) and exposes IP/id to services."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex[:12]
        token = set_request_meta({"ip": client_ip(request), "request_id": request.request_id})
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = request.request_id
        return response


# Pages about identity (login, second factor, activation, recovery, security, back-office login) are
# kept out of every cache even before anyone is logged in: they carry codes, challenges and errors.
NO_STORE_PREFIXES = (
    "/connexion/", "/deconnexion/", "/activation/", "/identifiants-oublies/", "/securite/", "/mon-compte/",
    "/session/", "/backoffice/", "/admin/", "/demo/",
)
# Public, identical for everyone: caches may keep them.
CACHEABLE_PREFIXES = ("/static/", "/verifier/", "/healthz")
NO_STORE = "no-store, private"


class PersonalPagesNoStoreMiddleware:
    """Every answer to a logged-in customer or staff member says `Cache-Control: no-store, private`.

    A shared proxy or the browser's back/forward cache must never keep a personal page (after logout, on
    a shared computer). A view that set a header of its own (file downloads) is overridden unless it is
    already at least as strict.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path
        if path.startswith(CACHEABLE_PREFIXES):
            return response
        user = getattr(request, "user", None)
        if path.startswith(NO_STORE_PREFIXES) or (user is not None and user.is_authenticated):
            current = response.get("Cache-Control", "")
            directives = {d.strip().split("=")[0].lower() for d in current.split(",")}
            if not {"no-store", "private"} <= directives:
                response["Cache-Control"] = NO_STORE
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in the path, the query string or a posted form field is answered 400 before any view.

    No page needs one, and PostgreSQL refuses it in text (DataError: a 500 if it got that far). The API
    answers it as problem+json itself (abri.api.urls).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and self._has_nul(request):
            from django.shortcuts import render

            return render(request, "400.html", status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        sources = [request.GET]
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                 "multipart/form-data"):
            sources.append(request.POST)  # form fields only (files may hold any byte); CSRF reads it anyway
        for source in sources:
            for key, values in source.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return True
        return False
