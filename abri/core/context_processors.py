"""Template context shared by every page."""

from django.conf import settings


def portal(request):
    """Insurer name, demo flag and the current customer (if any)."""
    user = getattr(request, "user", None)
    customer = getattr(user, "customer", None) if user is not None and user.is_authenticated else None
    return {
        "ABRI_INSURER_NAME": settings.ABRI_INSURER_NAME,
        "ABRI_DEMO": settings.ABRI_DEMO,
        "current_customer": customer,
        "session_idle_seconds": settings.ABRI_SESSION_IDLE_SECONDS,
    }
