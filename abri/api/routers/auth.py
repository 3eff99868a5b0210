"""API authentication: /api/v1/auth/login and /api/v1/auth/second-factor (login policy: accounts.services)."""

from django.contrib.auth import authenticate
from ninja import Router, Schema

from abri.accounts.tokens import token_issue

router = Router(tags=["auth"])


class LoginIn(Schema):
    customer_number: str
    pin: str


@router.post("/login", auth=None)
def login(request, payload: LoginIn):
    """Customer number + PIN → token (second factor added by the identity work)."""
    user = authenticate(request, customer_number=payload.customer_number, pin=payload.pin)
    if user is None:
        from abri.api.problems import problem

        return problem(401, "Identifiants incorrects", "Numéro client ou code secret incorrect.")
    return {"token": token_issue(user=user)}
