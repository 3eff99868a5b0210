"""Back-office views (staff only)."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render


def index(request):
    """Back-office home."""
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path(), "/admin/login/")
    return render(request, "backoffice/index.html")
