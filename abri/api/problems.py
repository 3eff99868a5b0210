"""RFC 9457 problem details."""

from django.http import JsonResponse


def problem(status: int, title: str, detail: str = "", **extra) -> JsonResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type="application/problem+json")
