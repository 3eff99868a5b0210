"""Back-office access: a staff session that passed both factors, and a permission per page."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from abri.backoffice.services import SESSION_MFA_KEY


def is_staff_session(request) -> bool:
    """A staff login (never a customer) whose session passed password and TOTP."""
    user = request.user
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and not getattr(user, "is_customer", False)
        and request.session.get(SESSION_MFA_KEY)
    )


def staff_required(permission: str | None = None):
    """Customers and anonymous visitors go to the staff login; staff without `permission` get 403."""

    def decorator(view):
        @wraps(view)
        @never_cache
        def wrapper(request, *args, **kwargs):
            if not is_staff_session(request):
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            if permission and not request.user.has_perm(permission):
                return render(request, "backoffice/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
