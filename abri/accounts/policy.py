"""Hooks that connect django-axes to the portal's login policy."""

from django.http import JsonResponse
from django.shortcuts import render


def axes_lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """Per-IP throttle reached (credential stuffing): same French page or problem+json, 429."""
    retry_after = "3600"
    if request.path.startswith("/api/"):
        resp = JsonResponse(
            {
                "type": "about:blank",
                "title": "Trop de tentatives",
                "status": 429,
                "detail": "Trop de tentatives depuis cette adresse. Réessayez plus tard.",
            },
            status=429,
            content_type="application/problem+json",
        )
    else:
        resp = render(request, "accounts/throttled.html", status=429)
    resp["Retry-After"] = retry_after
    return resp
