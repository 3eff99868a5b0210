"""Back-office views (staff only): login with TOTP, customer search, 360° view, advisor actions.

Thin: the login steps are in backoffice.services, the reads in backoffice.selectors, the account
actions in accounts.services.
"""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from abri.accounts.mfa import totp_is_enrolled, totp_provision
from abri.accounts.services import customer_is_locked, customer_unlock, pin_reset_start_by_advisor
from abri.backoffice import selectors, services
from abri.backoffice.decorators import is_staff_session, staff_required
from abri.backoffice.forms import CustomerSearchForm, StaffCodeForm, StaffLoginForm
from abri.core.downloads import download_response
from abri.core.services import audit_record

PENDING_KEY = "backoffice_pending"
PENDING_MAX_AGE = 5 * 60
PENDING_MAX_TRIES = 5
RESULTS_PER_PAGE = 20
CREDENTIALS_ERROR = "Adresse e-mail ou mot de passe incorrect."
CODE_ERROR = "Code de vérification incorrect ou expiré."
THROTTLED_ERROR = "Trop de tentatives. Pour votre sécurité, réessayez dans 15 minutes."

# 360° sections and the permission each needs (the page itself needs accounts.view_customer).
SECTION_PERMISSIONS = {
    "contracts": "contracts.view_contract",
    "claims": "claims.view_claim",
    "payments": "billing.view_scheduleitem",
    "documents": "documents.view_document",
    "audit": "core.view_auditlog",
}
ACCOUNT_ACTION_PERMISSION = "accounts.change_customer"


# --- Login --------------------------------------------------------------------------------------

def _safe_next(request, value: str | None = None) -> str:
    target = value if value is not None else (request.POST.get("next") or request.GET.get("next") or "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    if allowed and (target.startswith("/backoffice/") or target.startswith("/admin/")):
        return target
    return reverse("backoffice:index")


def _pending_user(request):
    """The staff user who passed the password step in this session, if still fresh."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None, None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=pending["uid"], is_staff=True, is_customer=False,
                                           is_active=True).first()
    return user, pending


def _throttled(request, template: str, context: dict):
    context["error"] = _(THROTTLED_ERROR)
    response = render(request, template, context, status=429)
    response["Retry-After"] = "900"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """Staff e-mail + password; then the TOTP step (or enrolment on the first login)."""
    if is_staff_session(request):
        return redirect(_safe_next(request))
    form = StaffLoginForm(request.POST or None)
    context = {"form": form, "next": _safe_next(request), "error": ""}
    if request.method == "POST" and form.is_valid():
        outcome = services.staff_password_check(
            request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if outcome.throttled:
            return _throttled(request, "backoffice/login.html", context)
        if outcome.user is None:
            context["error"] = _(CREDENTIALS_ERROR)
            return render(request, "backoffice/login.html", context)
        user = outcome.user
        request.session.cycle_key()
        enrolled = totp_is_enrolled(user)
        request.session[PENDING_KEY] = {"uid": user.pk, "at": int(time.time()), "tries": 0,
                                        "enrol": not enrolled, "next": context["next"]}
        if not enrolled:
            return redirect("backoffice:enrol")
        services.staff_demo_code_send(user=user)
        return redirect("backoffice:verify")
    return render(request, "backoffice/login.html", context)


def _code_failed(request, pending: dict) -> bool:
    """Count a wrong code for this login; True when the password must be typed again."""
    pending["tries"] = pending.get("tries", 0) + 1
    request.session[PENDING_KEY] = pending
    if pending["tries"] >= PENDING_MAX_TRIES:
        del request.session[PENDING_KEY]
        messages.error(request, _("Trop de codes incorrects : saisissez de nouveau votre mot de passe."))
        return True
    return False


def _login_expired(request):
    request.session.pop(PENDING_KEY, None)
    messages.info(request, _("Votre connexion a expiré : saisissez de nouveau votre e-mail et votre mot de passe."))
    return redirect("backoffice:login")


@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request):
    """Second factor: the code of the staff member's authenticator app."""
    user, pending = _pending_user(request)
    if user is None or pending.get("enrol"):
        return _login_expired(request)
    form = StaffCodeForm(request.POST or None)
    context = {"form": form, "staff_email": user.email, "error": ""}
    if request.method == "POST" and form.is_valid():
        outcome = services.staff_code_check(request=request, user=user, code=form.cleaned_data["code"])
        if outcome.throttled:
            request.session.pop(PENDING_KEY, None)
            return _throttled(request, "backoffice/verify.html", context)
        if outcome.user is not None:
            services.staff_login_complete(request=request, user=user)
            return redirect(_safe_next(request, pending.get("next", "")))
        if _code_failed(request, pending):
            return redirect("backoffice:login")
        context["error"] = _(CODE_ERROR)
    return render(request, "backoffice/verify.html", context)


@require_POST
def demo_code_view(request):
    """Demo mode only: write a fresh code to the demo outbox."""
    if not settings.ABRI_DEMO:
        raise Http404
    user, pending = _pending_user(request)
    if user is None:
        return _login_expired(request)
    services.staff_demo_code_send(user=user)
    messages.info(request, _("Un nouveau code a été envoyé : consultez les messages de démonstration."))
    return redirect("backoffice:enrol" if pending.get("enrol") else "backoffice:verify")


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request):
    """First login: scan a QR code (or type the secret), confirm with a code, keep the recovery codes."""
    user, pending = _pending_user(request)
    if user is None or not pending.get("enrol"):
        return _login_expired(request)
    enrolment = selectors.staff_enrolment_uri(user=user)
    if enrolment is None:
        totp_provision(user=user)
        audit_record(actor=user, action="staff.auth.totp_provisioned")
        services.staff_demo_code_send(user=user)
        enrolment = selectors.staff_enrolment_uri(user=user)
    secret, uri = enrolment
    form = StaffCodeForm(request.POST or None, allow_recovery=False)
    context = {
        "form": form,
        "qr_data_uri": _qr_data_uri(uri),
        "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "error": "",
    }
    if request.method == "POST" and form.is_valid():
        outcome = services.staff_code_check(request=request, user=user, code=form.cleaned_data["code"], enrol=True)
        if outcome.throttled:
            request.session.pop(PENDING_KEY, None)
            return _throttled(request, "backoffice/enrol.html", context)
        if outcome.user is not None:
            services.staff_login_complete(request=request, user=user)
            codes = services.staff_recovery_codes_issue(user=user)
            return render(request, "backoffice/recovery_codes.html",
                          {"codes": codes, "next": _safe_next(request, pending.get("next", ""))})
        if _code_failed(request, pending):
            return redirect("backoffice:login")
        context["error"] = _(CODE_ERROR)
    return render(request, "backoffice/enrol.html", context)


@require_POST
def logout_view(request):
    """End the staff session."""
    services.staff_logout(request=request)
    messages.info(request, _("Vous êtes déconnecté du back-office."))
    return redirect("backoffice:login")


def admin_login_redirect(request, extra_context=None):
    """Django admin has no login of its own: staff sign in through the back-office (password + TOTP)."""
    from django.contrib.auth.views import redirect_to_login

    if is_staff_session(request):  # signed in but not an administrator: no redirect loop
        return render(request, "backoffice/forbidden.html", status=403)
    return redirect_to_login(request.GET.get("next") or "/admin/", reverse("backoffice:login"))


def admin_has_permission(request) -> bool:
    """Django admin: administrators only, after the back-office login with TOTP."""
    return is_staff_session(request) and request.user.is_superuser


# --- Search and 360° view -----------------------------------------------------------------------

@staff_required("accounts.view_customer")
def index(request):
    """Back-office home: the customer search."""
    form = CustomerSearchForm(request.GET or None)
    context = {"form": form, "active_menu": "search", "page": None, "query": ""}
    if request.GET and form.is_valid():
        query = form.cleaned_data["q"]
        found = selectors.customers_search(query=query)
        page = Paginator(found.ids, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = selectors.customers_by_ids(ids=list(page.object_list))
        audit_record(actor=request.user, action="staff.customer.search",
                     data={"query": query, "results": page.paginator.count})
        context.update(page=page, query=query, truncated=found.truncated, search_limit=selectors.SEARCH_LIMIT)
    return render(request, "backoffice/index.html", context)


def _sections(user) -> set[str]:
    return {name for name, perm in SECTION_PERMISSIONS.items() if user.has_perm(perm)}


@staff_required("accounts.view_customer")
def customer_detail(request, customer_number: str):
    """The 360° view of one customer (each read is audited)."""
    customer = selectors.customer_get_for_staff(customer_number=customer_number)
    sections = _sections(request.user)
    view = selectors.customer_360(customer=customer, sections=sections)
    audit_record(actor=request.user, action="staff.customer.viewed", target=customer)
    return render(request, "backoffice/customer_detail.html", {
        "view": view,
        "customer": customer,
        "is_locked": customer_is_locked(customer=customer),
        "sections": sections,
        "can_act": request.user.has_perm(ACCOUNT_ACTION_PERMISSION),
        "active_menu": "search",
    })


@staff_required("documents.view_document")
def customer_document_download(request, customer_number: str, pk: int):
    """A customer's document, for staff (each download is audited)."""
    customer = selectors.customer_get_for_staff(customer_number=customer_number)
    document = selectors.document_get_for_staff(customer=customer, pk=pk)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(actor=request.user, action="staff.document.download", target=document, customer=customer)
    filename = (f"{document.title}.pdf" if document.mime_type == "application/pdf"
                else document.file.name.rsplit("/", 1)[-1])
    return download_response(file=handle, filename=filename, content_type=document.mime_type)


# --- Advisor actions ------------------------------------------------------------------------------
# accounts.services writes the audit row of each action with the staff member as actor.

@require_POST
@staff_required(ACCOUNT_ACTION_PERMISSION)
def customer_unlock_view(request, customer_number: str):
    """Unlock a customer's access after checking their identity by phone."""
    customer = selectors.customer_get_for_staff(customer_number=customer_number)
    if customer_unlock(staff=request.user, customer=customer):
        messages.success(request, _("L'accès du client est déverrouillé. Il en est informé par e-mail."))
    else:
        messages.info(request, _("L'accès du client n'était pas verrouillé ; ses compteurs d'échecs sont remis à zéro."))
    return redirect("backoffice:customer", customer_number=customer.customer_number)


@require_POST
@staff_required(ACCOUNT_ACTION_PERMISSION)
def customer_pin_reset_view(request, customer_number: str):
    """Start a manual PIN reset: the customer receives a link or a code on the contact on file."""
    customer = selectors.customer_get_for_staff(customer_number=customer_number)
    channel = pin_reset_start_by_advisor(staff=request.user, customer=customer)
    if channel == "email":
        text = _("Réinitialisation lancée : le client reçoit un lien valable 1 heure à son adresse e-mail.")
    else:
        text = _("Réinitialisation lancée : le client reçoit un code par SMS sur son téléphone.")
    messages.success(request, text)
    return redirect("backoffice:customer", customer_number=customer.customer_number)
