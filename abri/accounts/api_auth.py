"""Bearer-token authentication for django-ninja operations: the only one of the project.

    from abri.accounts.api_auth import bearer

    @router.get("/contracts", auth=bearer)
    def contracts(request): request.customer ...

Sets request.user, request.auth (the user), request.api_token and request.customer (customers only).
The token is looked up by abri.accounts.tokens.token_lookup (hashed, expiring, idle expiry recorded,
revocable); abri.api.security.CustomerBearerAuth is this class with `customers_only = True`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from abri.accounts.tokens import token_lookup


def customer_or_deny(user):
    """An authenticated login that is not a customer (staff) is refused with 403, not 401."""
    if not getattr(user, "is_customer", False) or not hasattr(user, "customer"):
        raise PermissionDenied("not a customer")
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer abri_…`: a hashed, expiring, revocable token (abri.accounts.tokens)."""

    customers_only = False  # True: a staff token is refused with 403

    def __call__(self, request: HttpRequest):
        # Ninja's own __call__ logs the whole header in DEBUG for other schemes: a token must never be logged.
        value = request.headers.get(self.header, "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        # The row is kept on the request so that abri.accounts.stepup.api_step_up_required can read when
        # this token last passed a second factor.
        row = token_lookup(token)
        if row is None:
            return None
        user = customer_or_deny(row.user) if self.customers_only else row.user
        request.api_token = row
        request.user = user
        if getattr(user, "is_customer", False):
            request.customer = user.customer
        return user


bearer = BearerToken()
