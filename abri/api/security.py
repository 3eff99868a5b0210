"""API authentication: bearer token or the portal's session cookie (with CSRF), customers only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from abri.accounts.api_auth import BearerToken, customer_or_deny


class CustomerBearerAuth(BearerToken):
    """`Authorization: Bearer <token>`, the token issued by POST /api/v1/auth/login; customers only.

    The one bearer implementation is abri.accounts.api_auth.BearerToken; this name keeps the OpenAPI
    security scheme of the customer endpoints."""

    customers_only = True


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
        customer_or_deny(user)
        request.customer = user.customer
        return user


# Bearer first: a mobile app never has a session; a browser page calling the API has no token.
customer_auth = [CustomerBearerAuth(), CustomerSessionAuth()]


def request_customer(request: HttpRequest):
    """The customer behind an authenticated API request (`request.auth` is the user)."""
    return request.auth.customer
