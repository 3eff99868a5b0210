"""Customer identity pages: login (+ second factor), activation, recovery, security, step-up, account."""

from __future__ import annotations

import math
import time
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from abri.accounts import auth_flow, forms, services
from abri.accounts.codes import CheckStatus, rate_limit_hit
from abri.accounts.mfa import (
    _secret,
    recovery_codes_generate,
    totp_is_enrolled,
    totp_provision,
    totp_verify,
)
from abri.accounts.models import ApiToken, OneTimeCode, RecoveryCode, TotpDevice, TrustedDevice, UserSession
from abri.accounts.services import LoginStatus, SecondFactorRefused, SendRefused
from abri.accounts.stepup import step_up_mark, step_up_required
from abri.accounts.tokens import tokens_active_for
from abri.core.decorators import customer_required
from abri.core.middleware import client_ip
from abri.core.models import AuditLog
from abri.core.services import audit_record

User = get_user_model()
GENERIC_ERROR = "Numéro client ou code secret incorrect."
ACTIVATION_KEY = "abri_activation"
RECOVERY_KEY = "abri_recovery"
STEP_UP_KEY = "abri_step_up_challenge"
ANON_STARTS_PER_HOUR = 10


EVENT_LABELS = {
    "auth.login": gettext_lazy("Connexion"),
    "auth.logout": gettext_lazy("Déconnexion"),
    "auth.login_failed": gettext_lazy("Code secret erroné"),
    "auth.login_refused_throttled": gettext_lazy("Connexion refusée (délai en cours)"),
    "auth.login_refused_locked": gettext_lazy("Connexion refusée (accès bloqué)"),
    "auth.locked": gettext_lazy("Accès bloqué"),
    "auth.unlocked_by_advisor": gettext_lazy("Accès débloqué par un conseiller"),
    "auth.second_factor_sent": gettext_lazy("Code de vérification envoyé"),
    "auth.second_factor_passed": gettext_lazy("Code de vérification validé"),
    "auth.second_factor_failed": gettext_lazy("Code de vérification erroné"),
    "auth.step_up": gettext_lazy("Opération sensible confirmée"),
    "auth.device_trusted": gettext_lazy("Appareil de confiance ajouté"),
    "auth.device_revoked": gettext_lazy("Appareil de confiance retiré"),
    "auth.session_ended": gettext_lazy("Session terminée"),
    "auth.sessions_ended": gettext_lazy("Autres sessions terminées"),
    "auth.session_expired_idle": gettext_lazy("Session expirée (inactivité)"),
    "auth.session_expired_absolute": gettext_lazy("Session expirée (12 heures)"),
    "auth.api_token_ended": gettext_lazy("Application déconnectée"),
    "auth.api_token_expired_idle": gettext_lazy("Application déconnectée (inactivité)"),
    "auth.api_tokens_revoked": gettext_lazy("Applications déconnectées (identifiants modifiés)"),
    "auth.pin_change": gettext_lazy("Code secret modifié"),
    "auth.pin_reset": gettext_lazy("Nouveau code secret choisi"),
    "auth.pin_activation": gettext_lazy("Code secret choisi à l'activation"),
    "auth.activated": gettext_lazy("Espace client activé"),
    "auth.activation_refused": gettext_lazy("Demande d'activation refusée"),
    "auth.mfa_enrolled": gettext_lazy("Application d'authentification ajoutée"),
    "auth.mfa_removed": gettext_lazy("Application d'authentification retirée"),
    "auth.recovery_started": gettext_lazy("Demande de nouveau code secret"),
    "auth.recovery_completed": gettext_lazy("Nouveau code secret enregistré"),
    "auth.pin_reset_started_by_advisor": gettext_lazy("Réinitialisation demandée par un conseiller"),
}


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: anything else ("abc", a URL name) would make redirect() raise (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/tableau-de-bord/"


def _wait_text(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


FACTOR_LOCKED = ("Votre accès est bloqué après trop de codes de vérification erronés. Pour le débloquer, "
                 "appelez votre conseiller.")


def _code_error(result) -> str:
    """The French next step for a refused code, with the per-person delay and warning when they apply."""
    if result.status == CheckStatus.THROTTLED:
        return _("Trop de codes erronés. Par sécurité, réessayez dans %(wait)s.") % {
            "wait": _wait_text(result.retry_after)}
    if result.status == CheckStatus.LOCKED:
        return _(FACTOR_LOCKED)
    if result.status == CheckStatus.WRONG:
        text = ngettext("Code incorrect. Il vous reste %(n)s essai.", "Code incorrect. Il vous reste %(n)s essais.",
                        result.tries_left) % {"n": result.tries_left}
    elif result.status == CheckStatus.EXPIRED:
        text = _("Ce code a expiré. Demandez un nouveau code.")
    elif result.status == CheckStatus.USED:
        text = _("Ce code a déjà été utilisé. Demandez un nouveau code.")
    elif result.status == CheckStatus.EXHAUSTED:
        text = _("Trois codes erronés : ce code n'est plus valable. Demandez un nouveau code.")
    else:
        text = _("Code incorrect.")
    return text + _policy_suffix(result)


def _policy_suffix(result) -> str:
    """The delay now running and the warning before the lock (same words as for wrong PINs)."""
    text = ""
    if result.retry_after:
        text += " " + _("Par sécurité, attendez %(wait)s avant de réessayer.") % {
            "wait": _wait_text(result.retry_after)}
    if result.warn:
        text += " " + ngettext("Attention : après %(n)s nouvelle erreur, votre accès sera bloqué.",
                               "Attention : après %(n)s nouvelles erreurs, votre accès sera bloqué.",
                               result.remaining) % {"n": result.remaining}
    return text


def _code_status(result) -> int:
    """HTTP status of a page answering a refused code: 429 during a delay, 423 once locked."""
    return {CheckStatus.THROTTLED: 429, CheckStatus.LOCKED: 423}.get(result.status, 200)


def _code_render(request, template: str, context: dict, result=None):
    """Render a code page; a delay or a lock gets its status (and Retry-After)."""
    status = _code_status(result) if result is not None else 200
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = str(result.retry_after)
    return response


def identity_check_seconds() -> float:
    """How long every anonymous identity check takes to answer (ABRI_IDENTITY_CHECK_SECONDS, 0.3 s)."""
    return float(getattr(settings, "ABRI_IDENTITY_CHECK_SECONDS", 0.3))


def same_answer_time(view):
    """Anonymous identity checks (activation, recovery, number reminder) answer a POST after the same fixed
    time whether the identity matched or not: a match does more work (code, outbox, audit) than a decoy,
    and that difference must not be measurable (OWASP Forgot Password cheat sheet, « consistent time »).
    The per-address limit (_too_many) bounds how many such requests one address can hold open."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        started = time.perf_counter()
        response = view(request, *args, **kwargs)
        left = identity_check_seconds() - (time.perf_counter() - started)
        if left > 0:
            time.sleep(left)
        return response

    return wrapper


def _too_many(request, key: str) -> bool:
    """Anonymous identity checks (activation, recovery, reminder): 10 per hour per address."""
    return rate_limit_hit(f"{key}:{client_ip(request)}", limit=ANON_STARTS_PER_HOUR, window_seconds=3600)


# --- Login ------------------------------------------------------------------------------------
@never_cache
def login_view(request):
    """Customer number + PIN; a device not seen before then passes a second factor."""
    if request.user.is_authenticated and getattr(request.user, "is_customer", False) and request.method == "GET":
        return redirect(_safe_next(request))
    form = forms.LoginForm(request.POST or None)
    context = {"form": form, "next": _safe_next(request), "error": "", "warning": ""}
    status = 200
    if request.method == "POST" and form.is_valid():
        result = services.login_attempt(request=request, customer_number=form.cleaned_data["customer_number"],
                                        pin=form.cleaned_data["pin"], ip=client_ip(request))
        if result.status == LoginStatus.OK:
            return _after_password(request, result.user)
        if result.status == LoginStatus.INVALID:
            context["error"] = _(GENERIC_ERROR)
            if result.warn:
                context["warning"] = ngettext(
                    "Attention : après %(n)s nouvelle erreur, votre accès sera bloqué.",
                    "Attention : après %(n)s nouvelles erreurs, votre accès sera bloqué.",
                    result.remaining) % {"n": result.remaining}
            if result.retry_after:
                context["error"] += " " + _("Par sécurité, attendez %(wait)s avant de réessayer.") % {
                    "wait": _wait_text(result.retry_after)}
        elif result.status == LoginStatus.THROTTLED:
            status = 429
            context["error"] = _("Trop de tentatives. Réessayez dans %(wait)s.") % {
                "wait": _wait_text(result.retry_after)}
        else:
            status = 423
            context["locked"] = True
            context["error"] = _("Votre accès est bloqué après trop de codes erronés. Pour le débloquer, "
                                 "choisissez un nouveau code secret avec « Identifiants oubliés », ou appelez "
                                 "votre conseiller.")
        form = forms.LoginForm(initial={"customer_number": form.cleaned_data["customer_number"]})
        context["form"] = form
    response = render(request, "accounts/login.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(result.retry_after)
    return response


def _after_password(request, user):
    device = services.device_find(user=user, raw=auth_flow.device_cookie_read(request))
    if device is not None:
        services.device_seen(device=device)
        auth_flow.login_finish(request, user, method="trusted_device", new_device=False)
        return redirect(_safe_next(request))
    try:
        method, challenge = services.second_factor_start(user=user)
    except SendRefused as refused:
        messages.error(request, _("Trop de codes ont été envoyés. Réessayez dans %(wait)s.") % {
            "wait": _wait_text(refused.retry_after)})
        return redirect("accounts:login")
    auth_flow.pending_set(request, user=user, method=method, challenge=challenge, next_url=_safe_next(request))
    return redirect("accounts:second_factor")


@never_cache
def second_factor_view(request):
    """Second step of a login from a device not seen before: SMS code, or authenticator app."""
    pending = auth_flow.pending_get(request)
    if pending is None:
        messages.warning(request, _("Votre demande de connexion a expiré. Reconnectez-vous."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).select_related("customer").first()
    if user is None:
        auth_flow.pending_clear(request)
        return redirect("accounts:login")
    form = forms.SecondFactorForm(request.POST or None)
    error = ""
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_verify(challenge=pending["challenge"], code=form.cleaned_data["code"])
        if result.ok:
            trust = form.cleaned_data["trust_device"]
            next_url = pending.get("next") or "/tableau-de-bord/"
            auth_flow.login_finish(request, user, method=pending["method"], new_device=True)
            step_up_mark(request)  # the second factor was just passed
            response = redirect(next_url)
            if trust:
                auth_flow.device_cookie_set(response, services.device_trust(
                    user=user, label=auth_flow.device_label(request)))
            return response
        error = _code_error(result)
        if result.status in (CheckStatus.EXHAUSTED, CheckStatus.UNKNOWN):
            auth_flow.pending_clear(request)
            messages.error(request, error + " " + _("Reconnectez-vous pour recevoir un nouveau code."))
            return redirect("accounts:login")
        if result.status == CheckStatus.LOCKED:
            auth_flow.pending_clear(request)
    return _code_render(request, "accounts/second_factor.html", {
        "form": form, "error": error, "method": pending["method"], "customer": getattr(user, "customer", None),
        "resend_url": "accounts:second_factor_resend"}, result)


@require_POST
def second_factor_resend(request):
    """Send a new SMS code for the pending login (throttled)."""
    pending = auth_flow.pending_get(request)
    if pending is None:
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None or pending["method"] == "totp":
        return redirect("accounts:second_factor")
    try:
        method, challenge = services.second_factor_start(user=user, method=pending["method"], resend=True)
    except SendRefused as refused:
        messages.error(request, _("Un code vient d'être envoyé. Vous pourrez en demander un autre dans %(wait)s.")
                       % {"wait": _wait_text(refused.retry_after)})
        return redirect("accounts:second_factor")
    auth_flow.pending_set(request, user=user, method=method, challenge=challenge,
                          next_url=pending.get("next") or "/tableau-de-bord/")
    messages.info(request, _("Un nouveau code vous a été envoyé."))
    return redirect("accounts:second_factor")


@require_POST
def logout_view(request):
    """End the session (its row is marked ended)."""
    user = request.user
    if user.is_authenticated:
        raw_sid = request.session.get(auth_flow.SESSION_SID)
        if raw_sid:
            row = services.session_lookup(raw=raw_sid)
            if row is not None:
                services.session_end(user=user, session_id=row.pk, reason="logout")
        customer = getattr(user, "customer", None) if getattr(user, "is_customer", False) else None
        audit_record(actor=user, action="auth.logout", target=customer or user)
    logout(request)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("accounts:login")


@require_POST
def keep_alive_view(request):
    """« Rester connecté »: any authenticated request resets the idle clock (the middleware does it)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect(_safe_next(request))


# --- Step-up ---------------------------------------------------------------------------------
@never_cache
@customer_required
def step_up_view(request):
    """Confirm a sensitive action with the second factor (TOTP, or an SMS code), then go back."""
    user = request.user
    next_url = _safe_next(request)
    state = request.session.get(STEP_UP_KEY)
    row = None
    if isinstance(state, dict):
        from abri.accounts.codes import code_find

        row = code_find(challenge=state.get("challenge", ""), purpose=OneTimeCode.Purpose.STEP_UP)
        if row is None or row.used_at or row.attempts >= 3 or row.expires_at <= _now():
            row = None
    if row is None or (request.method == "POST" and "resend" in request.POST):
        try:
            method, challenge = services.second_factor_start(
                user=user, purpose=OneTimeCode.Purpose.STEP_UP, resend=request.method == "POST")
            state = {"challenge": challenge, "method": method}
            request.session[STEP_UP_KEY] = state
            if request.method == "POST":
                messages.info(request, _("Un nouveau code vous a été envoyé."))
                return redirect(request.get_full_path())
        except SendRefused as refused:
            messages.error(request, _("Trop de codes ont été envoyés. Réessayez dans %(wait)s.") % {
                "wait": _wait_text(refused.retry_after)})
            return render(request, "accounts/step_up.html", {"form": None, "next": next_url}, status=429)
    form = forms.StepUpForm(request.POST or None)
    error = ""
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_verify(challenge=state["challenge"], code=form.cleaned_data["code"],
                                               purpose=OneTimeCode.Purpose.STEP_UP)
        if result.ok:
            request.session.pop(STEP_UP_KEY, None)
            step_up_mark(request)
            audit_record(actor=user, action="auth.step_up", target=request.customer)
            return redirect(next_url)
        error = _code_error(result)
        if result.status not in (CheckStatus.WRONG, CheckStatus.THROTTLED):
            request.session.pop(STEP_UP_KEY, None)
    return _code_render(request, "accounts/step_up.html", {
        "form": form, "error": error, "method": state["method"], "next": next_url,
        "customer": request.customer}, result)


def _now():
    from django.utils import timezone

    return timezone.now()


# --- Activation --------------------------------------------------------------------------------
@never_cache
@same_answer_time
def activation_view(request):
    """Step 1: customer number + contract number + date of birth → a code to the phone or e-mail on file."""
    form = forms.ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request, "activation"):
            messages.error(request, _("Trop de demandes depuis cette connexion. Réessayez dans une heure."))
            return render(request, "accounts/activation.html", {"form": form}, status=429)
        data = form.cleaned_data
        challenge = services.activation_start(customer_number=data["customer_number"],
                                              contract_number=data["contract_number"],
                                              birth_date=data["birth_date"], channel=data["channel"])
        request.session[ACTIVATION_KEY] = {"challenge": challenge, "number": data["customer_number"],
                                           "channel": data["channel"]}
        return redirect("accounts:activation_code")
    return render(request, "accounts/activation.html", {"form": form})


@never_cache
def activation_code_view(request):
    """Step 2: the code received (15 minutes) or the code of the activation letter (21 days)."""
    state = request.session.get(ACTIVATION_KEY)
    if not isinstance(state, dict):
        return redirect("accounts:activation")
    form = forms.StepUpForm(request.POST or None)
    error = ""
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.activation_verify(challenge=state["challenge"], code=form.cleaned_data["code"],
                                            customer_number=state["number"])
        if result.ok:
            state["challenge"] = getattr(result.code, "new_challenge", state["challenge"])
            state["verified"] = True
            request.session[ACTIVATION_KEY] = state
            return redirect("accounts:activation_pin")
        error = _code_error(result)
        if result.status == CheckStatus.UNKNOWN:
            error = _("Code incorrect. Vérifiez le code reçu ou recommencez l'activation.")
    return _code_render(request, "accounts/activation_code.html", {"form": form, "error": error}, result)


@never_cache
def activation_pin_view(request):
    """Step 3: choose the PIN; the customer is then logged in on this device."""
    state = request.session.get(ACTIVATION_KEY)
    if not isinstance(state, dict) or not state.get("verified"):
        return redirect("accounts:activation")
    from abri.accounts.codes import code_find

    row = code_find(challenge=state["challenge"], purpose=OneTimeCode.Purpose.ACTIVATION)
    if row is None or row.user is None or row.used_at is not None or row.expires_at <= _now():
        request.session.pop(ACTIVATION_KEY, None)
        messages.error(request, _("Votre code d'activation a expiré. Recommencez l'activation."))
        return redirect("accounts:activation")
    customer = getattr(row.user, "customer", None)
    form = forms.ActivationPinForm(request.POST or None, birth_date=getattr(customer, "birth_date", None),
                                   ask_totp=totp_is_enrolled(row.user))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.activation_complete(challenge=state["challenge"], pin=form.cleaned_data["pin"],
                                                totp_code=form.cleaned_data.get("totp_code"))
        except SecondFactorRefused as refused:
            status = _final_step_refused(request, form, refused.result, session_key=ACTIVATION_KEY)
            if status is None:
                messages.error(request, _("Trois codes erronés : cette demande n'est plus valable. "
                                          "Recommencez l'activation."))
                return redirect("accounts:activation")
        except (PermissionError, ValueError):
            request.session.pop(ACTIVATION_KEY, None)
            messages.error(request, _("Ce code d'activation a déjà été utilisé. Recommencez l'activation."))
            return redirect("accounts:activation")
        else:
            request.session.pop(ACTIVATION_KEY, None)
            # Logged in on this device, but no step-up: a sensitive action will ask for a code again.
            auth_flow.login_finish(request, user, method="activation", new_device=False)
            response = redirect("accounts:activation_done")
            if form.cleaned_data.get("trust_device"):
                auth_flow.device_cookie_set(response, services.device_trust(user=user,
                                                                            label=auth_flow.device_label(request)))
            return response
    return render(request, "accounts/activation_pin.html", {"form": form}, status=status)


def _final_step_refused(request, form, result, *, session_key: str) -> int | None:
    """The authenticator code at the last step of an activation or recovery was refused: the error beside
    the field and the page status, or None when the request is over (3 wrong codes: start again)."""
    if result.status in (CheckStatus.EXHAUSTED, CheckStatus.USED):
        request.session.pop(session_key, None)
        return None
    if result.status == CheckStatus.LOCKED:
        request.session.pop(session_key, None)
    if result.status == CheckStatus.WRONG:
        error = ngettext("Code incorrect : saisissez le code affiché par votre application ou un code de secours. "
                         "Il vous reste %(n)s essai.",
                         "Code incorrect : saisissez le code affiché par votre application ou un code de secours. "
                         "Il vous reste %(n)s essais.", result.tries_left) % {"n": result.tries_left}
        error += _policy_suffix(result)
    else:
        error = _code_error(result)
    form.add_error("totp_code", error)
    return _code_status(result)


@customer_required
def activation_done_view(request):
    """Activated: optionally enrol an authenticator app."""
    return render(request, "accounts/activation_done.html", {"has_totp": totp_is_enrolled(request.user)})


# --- Recovery ------------------------------------------------------------------------------
def recovery_home_view(request):
    """Identifiants oubliés: choose between a forgotten PIN and a forgotten customer number."""
    return render(request, "accounts/recovery_home.html")


SAME_ANSWER = ("Si ces informations correspondent à un espace client, nous venons d'envoyer un message "
               "aux coordonnées enregistrées.")


@never_cache
@same_answer_time
def recovery_pin_view(request):
    """Forgotten PIN: identity check, then a link by e-mail (1 hour) or a code by SMS (5 minutes)."""
    form = forms.RecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request, "recovery"):
            messages.error(request, _("Trop de demandes depuis cette connexion. Réessayez dans une heure."))
            return render(request, "accounts/recovery_pin.html", {"form": form}, status=429)
        data = form.cleaned_data
        challenge = services.recovery_start(customer_number=data["customer_number"], birth_date=data["birth_date"],
                                            channel=data["channel"])
        if data["channel"] == "sms":
            request.session[RECOVERY_KEY] = {"challenge": challenge}
            return redirect("accounts:recovery_code")
        return render(request, "accounts/recovery_sent.html", {"message": _(SAME_ANSWER), "email": True})
    return render(request, "accounts/recovery_pin.html", {"form": form})


@never_cache
def recovery_code_view(request):
    """The SMS code of a forgotten-PIN request."""
    state = request.session.get(RECOVERY_KEY)
    if not isinstance(state, dict):
        return redirect("accounts:recovery_pin")
    form = forms.StepUpForm(request.POST or None)
    error = ""
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.recovery_verify_code(challenge=state["challenge"], code=form.cleaned_data["code"])
        if result.ok:
            state["verified"] = True
            request.session[RECOVERY_KEY] = state
            return redirect("accounts:recovery_new_pin")
        error = _code_error(result)
    return _code_render(request, "accounts/recovery_code.html", {"form": form, "error": error,
                                                                 "message": _(SAME_ANSWER)}, result)


@never_cache
def recovery_link_view(request, challenge: str):
    """The e-mailed link (1 hour, single use): GET shows a button, only the POST opens the request.

    A mail scanner or a link preview fetches the page (GET) without using it; the token in the path is
    masked in every log line (abri.core.logging).
    """
    if request.method == "POST":
        result = services.recovery_open_link(challenge=challenge)
    elif request.method in ("GET", "HEAD"):
        result = services.recovery_link_status(challenge=challenge)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    if not result.ok:
        reason = {
            CheckStatus.EXPIRED: _("Ce lien a expiré : il n'est valable qu'une heure."),
            CheckStatus.USED: _("Ce lien a déjà été utilisé : il ne sert qu'une fois."),
        }.get(result.status, _("Ce lien n'est pas valable."))
        response = render(request, "accounts/recovery_link_invalid.html", {"reason": reason}, status=410
                          if result.status in (CheckStatus.EXPIRED, CheckStatus.USED) else 404)
    elif request.method == "POST":
        request.session[RECOVERY_KEY] = {"challenge": challenge, "verified": True}
        return redirect("accounts:recovery_new_pin")
    else:
        response = render(request, "accounts/recovery_link.html")
    response["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
    return response


@never_cache
def recovery_new_pin_view(request):
    """Choose the new PIN (and pass the authenticator app when one is enrolled)."""
    state = request.session.get(RECOVERY_KEY)
    if not isinstance(state, dict) or not state.get("verified"):
        return redirect("accounts:recovery_pin")
    from abri.accounts.codes import code_find

    row = code_find(challenge=state["challenge"], purpose=OneTimeCode.Purpose.RECOVERY)
    if row is None or row.user is None or row.used_at is not None or row.expires_at <= _now():
        request.session.pop(RECOVERY_KEY, None)
        return render(request, "accounts/recovery_link_invalid.html", {
            "reason": _("Cette demande a expiré ou a déjà servi.")}, status=410)
    customer = getattr(row.user, "customer", None)
    ask_totp = totp_is_enrolled(row.user)
    form = forms.NewPinForm(request.POST or None, birth_date=getattr(customer, "birth_date", None),
                            ask_totp=ask_totp)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.recovery_complete(challenge=state["challenge"], pin=form.cleaned_data["pin"],
                                       totp_code=form.cleaned_data.get("totp_code"))
        except SecondFactorRefused as refused:
            status = _final_step_refused(request, form, refused.result, session_key=RECOVERY_KEY)
            if status is None:
                return render(request, "accounts/recovery_link_invalid.html", {
                    "reason": _("Trois codes erronés : cette demande n'est plus valable. Faites une nouvelle "
                                "demande.")}, status=410)
        except PermissionError:
            request.session.pop(RECOVERY_KEY, None)
            return render(request, "accounts/recovery_link_invalid.html", {
                "reason": _("Cette demande a expiré ou a déjà servi.")}, status=410)
        except ValueError as exc:
            form.add_error("pin", str(exc))
        else:
            request.session.pop(RECOVERY_KEY, None)
            messages.success(request, _("Votre nouveau code secret est enregistré. Connectez-vous."))
            return redirect("accounts:login")
    return render(request, "accounts/recovery_new_pin.html", {"form": form}, status=status)


@never_cache
@same_answer_time
def recovery_number_view(request):
    """Forgotten customer number: sent to the e-mail or phone on file."""
    form = forms.NumberReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many(request, "reminder"):
            messages.error(request, _("Trop de demandes depuis cette connexion. Réessayez dans une heure."))
            return render(request, "accounts/recovery_number.html", {"form": form}, status=429)
        services.number_reminder_send(contact=form.cleaned_data["contact"])
        return render(request, "accounts/recovery_sent.html", {"message": _(SAME_ANSWER)})
    return render(request, "accounts/recovery_number.html", {"form": form})


# --- Account and security --------------------------------------------------------------------
@customer_required
def account_view(request):
    """Mon compte: identity and contact details."""
    return render(request, "accounts/account.html", {"active_menu": "account"})


@never_cache
@customer_required
@step_up_required
def contact_details_view(request):
    """Change the e-mail and phone on file (sensitive: step-up)."""
    customer = request.customer
    form = forms.ContactDetailsForm(request.POST or None, initial={"email": customer.email,
                                                                   "phone": customer.phone})
    if request.method == "POST" and form.is_valid():
        services.contact_details_update(customer=customer, email=form.cleaned_data["email"],
                                        phone=form.cleaned_data["phone"],
                                        keep_sid=request.session.get(auth_flow.SESSION_SID))
        messages.success(request, _("Vos coordonnées sont enregistrées."))
        return redirect("accounts:account")
    return render(request, "accounts/contact_details.html", {"form": form, "active_menu": "account"})


@never_cache
@customer_required
def security_view(request):
    """Sécurité: sessions, trusted devices, second factor, recent authentication events."""
    from abri.accounts import codes

    user = request.user
    raw_sid = request.session.get(auth_flow.SESSION_SID, "")
    current_digest = codes.digest("sid:" + raw_sid) if raw_sid else ""
    sessions = list(UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at")[:50])
    for s in sessions:
        s.is_current = s.sid_digest == current_digest
    devices = TrustedDevice.objects.filter(user=user, revoked_at__isnull=True,
                                           expires_at__gt=_now()).order_by("-last_seen_at")[:50]
    events = list(AuditLog.objects.for_customer(request.customer).filter(
        action__startswith="auth.").only("created_at", "action", "ip_address")[:20])
    for event in events:
        event.label = str(EVENT_LABELS.get(event.action, event.action))
    return render(request, "accounts/security.html", {
        "events": events, "sessions": sessions, "devices": devices, "active_menu": "account",
        "api_tokens": tokens_active_for(user=user)[:50],
        "has_totp": totp_is_enrolled(user),
        "recovery_left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
    })


@require_POST
@customer_required
def session_end_view(request, session_id: int):
    """End one of my other sessions."""
    if services.session_end(user=request.user, session_id=session_id):
        messages.success(request, _("La session a été terminée."))
    return redirect("accounts:security")


@require_POST
@customer_required
def sessions_end_others_view(request):
    """End all my sessions except this one."""
    count = services.sessions_end_others(user=request.user, keep_sid=request.session.get(auth_flow.SESSION_SID))
    messages.success(request, ngettext("%(n)s autre session a été terminée.", "%(n)s autres sessions ont été "
                                       "terminées.", count) % {"n": count})
    return redirect("accounts:security")


@require_POST
@customer_required
def api_token_end_view(request, token_id: int):
    """End one of my API tokens (an app or script signed in); another customer's token answers 404."""
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=token_id)
    if services.api_token_end(user=request.user, token_id=token.pk):
        messages.success(request, _("L'application a été déconnectée : elle devra se reconnecter avec le "
                                    "code secret et un code de vérification."))
    return redirect("accounts:security")


@require_POST
@customer_required
def device_revoke_view(request, device_id: int):
    """Stop trusting one device."""
    if services.device_revoke(user=request.user, device_id=device_id):
        messages.success(request, _("Cet appareil devra de nouveau passer la double authentification."))
    return redirect("accounts:security")


@never_cache
@customer_required
@step_up_required
def change_pin_view(request):
    """Change the PIN (current PIN + step-up); other sessions end, the customer is alerted."""
    user = request.user
    form = forms.ChangePinForm(request.POST or None, birth_date=request.customer.birth_date)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["current_pin"]):
            audit_record(actor=user, action="auth.pin_change_refused", target=request.customer)
            form.add_error("current_pin", _("Code secret actuel incorrect."))
        else:
            services.pin_set(user=user, pin=form.cleaned_data["pin"],
                             keep_sid=request.session.get(auth_flow.SESSION_SID))
            update_session_auth_hash(request, user)
            messages.success(request, _("Votre code secret a été modifié. Vos autres sessions ont été terminées."))
            return redirect("accounts:security")
    return render(request, "accounts/change_pin.html", {"form": form, "active_menu": "account"})


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


@never_cache
@customer_required
@step_up_required
def totp_enrol_view(request):
    """Enrol an authenticator app: QR code (segno), confirm one code, then 10 recovery codes."""
    user = request.user
    device = TotpDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        messages.info(request, _("Une application d'authentification est déjà enregistrée."))
        return redirect("accounts:security")
    if device is None or request.method == "GET" and "nouveau" in request.GET:
        secret, uri = totp_provision(user=user)
    else:
        import pyotp

        secret = _secret(device)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Abri")
    form = forms.TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_verify(user=user, code=form.cleaned_data["code"], confirm=True):
            recovery = recovery_codes_generate(user=user)
            services.mfa_changed(user=user, enrolled=True, keep_sid=request.session.get(auth_flow.SESSION_SID))
            return render(request, "accounts/recovery_codes.html", {"codes": recovery, "active_menu": "account"})
        form.add_error("code", _("Code incorrect : saisissez le code à 6 chiffres affiché maintenant par "
                                 "l'application."))
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/totp_enrol.html", {
        "form": form, "qr": _qr_data_uri(uri), "secret": grouped, "active_menu": "account"})


@require_POST
@customer_required
@step_up_required
def totp_remove_view(request):
    """Remove the authenticator app (back to SMS codes)."""
    TotpDevice.objects.filter(user=request.user).delete()
    RecoveryCode.objects.filter(user=request.user).delete()
    services.mfa_changed(user=request.user, enrolled=False, keep_sid=request.session.get(auth_flow.SESSION_SID))
    messages.success(request, _("L'application d'authentification a été retirée : les codes vous seront "
                                "envoyés par SMS."))
    return redirect("accounts:security")


@require_POST
@customer_required
@step_up_required
def recovery_codes_view(request):
    """Replace the recovery codes (shown once)."""
    if not totp_is_enrolled(request.user):
        return redirect("accounts:security")
    recovery = recovery_codes_generate(user=request.user)
    audit_record(actor=request.user, action="auth.recovery_codes_regenerated", target=request.customer)
    return render(request, "accounts/recovery_codes.html", {"codes": recovery, "active_menu": "account"})
