"""Bearer-token authentication for django-ninja operations.

    from abri.accounts.api_auth import bearer

    @router.get("/contracts", auth=bearer)
    def contracts(request): request.customer ...

Sets request.user, request.auth (the user), request.api_token and request.customer (customers only).
"""

from __future__ import annotations

from ninja.security import HttpBearer

from abri.accounts.tokens import token_lookup


class BearerToken(HttpBearer):
    """`Authorization: Bearer abri_…`: a hashed, expiring, revocable token (abri.accounts.tokens)."""

    def authenticate(self, request, token: str):
        row = token_lookup(token)
        if row is None:
            return None
        request.api_token = row
        request.user = row.user
        if getattr(row.user, "is_customer", False):
            request.customer = row.user.customer
        return row.user


bearer = BearerToken()
