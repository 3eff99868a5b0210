"""API authentication: bearer token or the portal's session cookie (with CSRF), customers only."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from abri.accounts.tokens import token_lookup


def _customer_or_deny(user):
    """An authenticated login that is not a customer (staff) is refused with 403, not 401."""
    if not getattr(user, "is_customer", False) or not hasattr(user, "customer"):
        raise PermissionDenied("not a customer")
    return user


class CustomerBearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`, the token issued by POST /api/v1/auth/login."""

    def __call__(self, request: HttpRequest):
        # Ninja's own __call__ logs the whole header in DEBUG for other schemes: a token must never be logged.
        value = request.headers.get(self.header, "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        # token_lookup is token_authenticate's row-level twin: the row is kept on the request so that
        # abri.accounts.stepup.api_step_up_required can read when this token last passed a second factor.
        row = token_lookup(token)
        if row is None:
            return None
        user = _customer_or_deny(row.user)
        request.api_token = row
        request.user = user
        request.customer = user.customer
        return user


class CustomerSessionAuth(APIKeyCookie):
    """The portal's session cookie; unsafe methods also need the CSRF token (X-CSRFToken header)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        key = request.COOKIES.get(self.param_name)
        if not key:
            # No session: let the request fall through to 401 rather than a CSRF 403.
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return key

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated or not user.is_active:
            return None
        _customer_or_deny(user)
        request.customer = user.customer
        return user


# Bearer first: a mobile app never has a session; a browser page calling the API has no token.
customer_auth = [CustomerBearerAuth(), CustomerSessionAuth()]


def request_customer(request: HttpRequest):
    """The customer behind an authenticated API request (`request.auth` is the user)."""
    return request.auth.customer
