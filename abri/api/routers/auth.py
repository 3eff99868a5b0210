"""API authentication (same policy as the pages: abri.accounts.services).

POST /api/v1/auth/login          {"customer_number", "pin"} (+ header X-Abri-Device: a trusted-device token)
    → 200 {"token", "expires_at"}                      trusted device
    → 200 {"second_factor": "sms"|"totp"|"email", "challenge"}
    → 401 wrong credentials (one message) · 422 malformed (not counted) · 429 + Retry-After · 423 locked
POST /api/v1/auth/second-factor  {"challenge", "code", "trust_device"?} → 200 {"token", "expires_at",
    "device_token"?}
POST /api/v1/auth/step-up        {} → {"second_factor", "challenge"}; {"challenge", "code"} → {"step_up_until"}
POST /api/v1/auth/logout         revokes the bearer token.
Every error is application/problem+json (RFC 9457).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from abri.accounts import services
from abri.accounts.api_auth import bearer
from abri.accounts.auth_flow import device_label
from abri.accounts.codes import CheckStatus
from abri.accounts.forms import CustomerNumberField, PinField, VerificationCodeField
from abri.accounts.models import OneTimeCode
from abri.accounts.services import LoginStatus, SendRefused
from abri.accounts.stepup import STEP_UP_FRESH_SECONDS
from abri.accounts.tokens import TOKEN_LIFETIME, token_issue, token_revoke, token_step_up_mark
from abri.api.problems import problem
from abri.api.throttling import AnonRateThrottle, UserRateThrottle
from abri.core.middleware import client_ip
from abri.core.services import audit_record

router = Router(tags=["auth"])
GENERIC_ERROR = "Numéro client ou code secret incorrect."


class AuthAnonRateThrottle(AnonRateThrottle):
    """/auth/login and /auth/second-factor per client address (ABRI_API_RATE_AUTH_ANON, default 30/min):
    in front of the per-person policy, it slows one address spraying many customers."""

    scope = "api_auth_anon"
    setting_name = "ABRI_API_RATE_AUTH_ANON"
    default_rate = "30/min"


class AuthUserRateThrottle(UserRateThrottle):
    """/auth/step-up and /auth/logout per token owner (ABRI_API_RATE_AUTH_USER, default 30/min)."""

    scope = "api_auth_user"
    setting_name = "ABRI_API_RATE_AUTH_USER"
    default_rate = "30/min"


auth_throttles = [AuthUserRateThrottle(), AuthAnonRateThrottle()]


class LoginIn(Schema):
    customer_number: str = ""
    pin: str = ""


class SecondFactorIn(Schema):
    challenge: str = ""
    code: str = ""
    trust_device: bool = False


class StepUpIn(Schema):
    challenge: str = ""
    code: str = ""


def _field_errors(**fields) -> dict[str, str]:
    """Validate with the same form fields as the pages: French messages, nothing counted when malformed."""
    from django import forms

    errors, cleaned = {}, {}
    for name, (field, value) in fields.items():
        try:
            cleaned[name] = field.clean(value)
        except forms.ValidationError as exc:
            errors[name] = " ".join(str(m) for m in exc.messages)
    return errors, cleaned


def _invalid(errors: dict[str, str]):
    return problem(422, _("Données invalides"), _("Certains champs ne sont pas valides."), errors=errors)


def _issue(user, *, request, step_up: bool = False) -> dict:
    """A token labelled with the device (User-Agent, summarised as for web sessions) and IP address."""
    raw = token_issue(user=user, label=api_device_label(request), ip=client_ip(request), step_up=step_up)
    return {"token": raw, "expires_at": (timezone.now() + TOKEN_LIFETIME).isoformat()}


def api_device_label(request) -> str:
    """« Firefox — Windows », « Application — iPhone »: what « Sécurité » shows for this token."""
    return device_label(request, default=_("Application"))


@router.post("/login", auth=None)
def login(request, payload: LoginIn):
    """Customer number + PIN → a token (trusted device) or a second-factor challenge."""
    errors, data = _field_errors(customer_number=(CustomerNumberField(), payload.customer_number),
                                 pin=(PinField(), payload.pin))
    if errors:
        return _invalid(errors)
    result = services.login_attempt(request=request, customer_number=data["customer_number"], pin=data["pin"],
                                    ip=client_ip(request))
    if result.status == LoginStatus.THROTTLED:
        response = problem(429, _("Trop de tentatives"), _("Réessayez plus tard."), retry_after=result.retry_after)
        response["Retry-After"] = str(result.retry_after)
        return response
    if result.status == LoginStatus.LOCKED:
        return problem(423, _("Accès bloqué"), _("Votre accès est bloqué après trop de codes erronés. Choisissez "
                                                 "un nouveau code secret (identifiants oubliés) ou appelez votre "
                                                 "conseiller."))
    if result.status == LoginStatus.INVALID:
        extra = {}
        if result.warn:
            extra["remaining_attempts"] = result.remaining
        response = problem(401, _("Identifiants incorrects"), _(GENERIC_ERROR), **extra)
        if result.retry_after:
            response["Retry-After"] = str(result.retry_after)
        return response
    user = result.user
    device = services.device_find(user=user, raw=request.headers.get("X-Abri-Device", "")[:100])
    if device is not None:
        services.device_seen(device=device)
        audit_record(actor=user, action="auth.login", target=user.customer,
                     data={"method": "trusted_device", "channel": "api"})
        return _issue(user, request=request)
    try:
        method, challenge = services.second_factor_start(user=user)
    except SendRefused as refused:
        response = problem(429, _("Trop de codes envoyés"), _("Réessayez plus tard."),
                           retry_after=refused.retry_after)
        response["Retry-After"] = str(refused.retry_after)
        return response
    return {"second_factor": method, "challenge": challenge}


def _code_problem(result):
    """A refused code: 401 (wrong, expired, used…), 429 + Retry-After during the per-person delay, 423 once
    the wrong codes locked the access. `remaining_attempts` warns before the lock, as for PINs."""
    if result.status == CheckStatus.THROTTLED:
        response = problem(429, _("Trop de tentatives"), _("Trop de codes erronés. Réessayez plus tard."),
                           reason=str(result.status), retry_after=result.retry_after)
        response["Retry-After"] = str(result.retry_after)
        return response
    if result.status == CheckStatus.LOCKED:
        return problem(423, _("Accès bloqué"), _("Votre accès est bloqué après trop de codes de vérification "
                                                 "erronés. Pour le débloquer, appelez votre conseiller."),
                       reason=str(result.status))
    detail = {
        CheckStatus.WRONG: _("Code incorrect."),
        CheckStatus.EXPIRED: _("Ce code a expiré : recommencez pour recevoir un nouveau code."),
        CheckStatus.USED: _("Ce code a déjà été utilisé : recommencez pour recevoir un nouveau code."),
        CheckStatus.EXHAUSTED: _("Trois codes erronés : recommencez pour recevoir un nouveau code."),
    }.get(result.status, _("Défi inconnu : recommencez."))
    extra = {"tries_left": result.tries_left} if result.status == CheckStatus.WRONG else {}
    if result.warn:
        extra["remaining_attempts"] = result.remaining
    if result.retry_after:
        extra["retry_after"] = result.retry_after
    response = problem(401, _("Code refusé"), detail, reason=str(result.status), **extra)
    if result.retry_after:
        response["Retry-After"] = str(result.retry_after)
    return response


@router.post("/second-factor", auth=None)
def second_factor(request, payload: SecondFactorIn):
    """The code of a login challenge (SMS, e-mail, TOTP or recovery code) → a token."""
    errors, data = _field_errors(code=(VerificationCodeField(), payload.code))
    if not payload.challenge or len(payload.challenge) > 100:
        errors["challenge"] = _("Défi manquant ou invalide.")
    if errors:
        return _invalid(errors)
    result = services.second_factor_verify(challenge=payload.challenge, code=data["code"])
    if not result.ok:
        return _code_problem(result)
    user = result.code.user
    audit_record(actor=user, action="auth.login", target=getattr(user, "customer", None) or user,
                 data={"method": result.code.channel, "channel": "api", "new_device": True})
    services.login_new_device_alert(user=user, device=api_device_label(request))
    body = _issue(user, request=request, step_up=True)  # the second factor was just passed
    if payload.trust_device:
        body["device_token"] = services.device_trust(user=user, label=_("Application mobile"))
    return body


def _optional_body(request) -> StepUpIn | None:
    """The step-up body is optional (no body = start); a malformed body counts as none."""
    import json

    from django.http.request import RawPostDataException

    try:
        raw = request.body
    except RawPostDataException:  # a multipart body already parsed: not JSON
        return None
    if not raw or len(raw) > 4096:
        return None
    try:
        data = json.loads(raw)
        return StepUpIn(**data) if isinstance(data, dict) else None
    except (ValueError, TypeError):
        return None


@router.post("/step-up", auth=bearer, openapi_extra={"requestBody": {"required": False, "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "challenge": {"type": "string"}, "code": {"type": "string"}}}}}}})
def step_up(request):
    """Without a code: open a step-up challenge. With {challenge, code}: the token is fresh for 5 minutes."""
    user = request.auth
    payload = _optional_body(request)
    if payload is None or not payload.code:
        try:
            method, challenge = services.second_factor_start(user=user, purpose=OneTimeCode.Purpose.STEP_UP)
        except SendRefused as refused:
            response = problem(429, _("Trop de codes envoyés"), _("Réessayez plus tard."),
                               retry_after=refused.retry_after)
            response["Retry-After"] = str(refused.retry_after)
            return response
        return {"second_factor": method, "challenge": challenge}
    errors, data = _field_errors(code=(VerificationCodeField(), payload.code))
    if errors:
        return _invalid(errors)
    row_user_ok = services.codes.code_find(challenge=payload.challenge, purpose=OneTimeCode.Purpose.STEP_UP)
    if row_user_ok is None or row_user_ok.user_id != user.pk:
        return _code_problem(services.CheckResult(CheckStatus.UNKNOWN))
    result = services.second_factor_verify(challenge=payload.challenge, code=data["code"],
                                           purpose=OneTimeCode.Purpose.STEP_UP)
    if not result.ok:
        return _code_problem(result)
    token_step_up_mark(token=request.api_token)
    audit_record(actor=user, action="auth.step_up", target=getattr(user, "customer", None) or user,
                 data={"channel": "api"})
    until = request.api_token.step_up_at + timedelta(seconds=STEP_UP_FRESH_SECONDS)
    return {"step_up_until": until.isoformat()}


@router.post("/logout", auth=bearer)
def logout(request):
    """Revoke the token used for this request."""
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    token_revoke(raw=raw)
    audit_record(actor=request.auth, action="auth.logout", target=getattr(request.auth, "customer", None),
                 data={"channel": "api"})
    return {"status": "ok"}
