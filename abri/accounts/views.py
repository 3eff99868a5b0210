"""Customer login, logout, account pages."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from abri.accounts.forms import LoginForm
from abri.core.decorators import customer_required
from abri.core.services import audit_record

GENERIC_ERROR = "Numéro client ou code secret incorrect."


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/tableau-de-bord/"


@never_cache
def login_view(request):
    """Customer number + PIN login (the full policy lives in accounts.services)."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            customer_number=form.cleaned_data["customer_number"],
            pin=form.cleaned_data["pin"],
        )
        if user is not None:
            login(request, user, backend="abri.accounts.backends.CustomerPinBackend")
            audit_record(actor=user, action="auth.login", target=user.customer)
            return redirect(_safe_next(request))
        error = _(GENERIC_ERROR)
    return render(request, "accounts/login.html", {"form": form, "error": error, "next": _safe_next(request)})


@require_POST
def logout_view(request):
    """End the session."""
    if request.user.is_authenticated and getattr(request.user, "is_customer", False):
        audit_record(actor=request.user, action="auth.logout", target=request.user.customer)
    logout(request)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("accounts:login")


@customer_required
def account_view(request):
    """Mon compte: identity and contact details."""
    return render(request, "accounts/account.html", {"active_menu": "account"})


@customer_required
def security_view(request):
    """Sécurité: recent authentication events."""
    from abri.core.models import AuditLog

    events = AuditLog.objects.for_customer(request.customer).filter(action__startswith="auth.")[:20]
    return render(request, "accounts/security.html", {"events": events, "active_menu": "account"})
