"""Writes for identities: the login policy, PINs, second factors, activation, recovery, devices, sessions.

The policy (DESIGN.md « Login policy », docs/security.md) lives here so that the HTML pages and the API
apply exactly the same rules. django-axes counts failures per IP address in front of it.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.accounts import codes, emails
from abri.accounts.codes import CheckResult, CheckStatus
from abri.accounts.mfa import recovery_code_use, totp_is_enrolled, totp_verify
from abri.accounts.models import (
    Customer,
    LoginFailure,
    LoginThrottle,
    OneTimeCode,
    TrustedDevice,
    UserSession,
)
from abri.accounts.numbers import (
    generate_customer_number,
    is_valid_customer_number,
    normalize_customer_number,
)
from abri.accounts.tokens import token_end, tokens_revoke_all
from abri.core.request_context import current_request_meta
from abri.core.services import audit_record
from abri.notifications.services import notification_create, outbox_enqueue

User = get_user_model()
logger = logging.getLogger(__name__)

# --- Policy constants (DESIGN.md; docs/security.md explains each) ------------------------------
DELAY_FROM_FAILURE = 5  # consecutive failures before the first delay
BASE_DELAY_SECONDS = 60  # then 60 s, 120 s, 240 s, 480 s, 960 s
LOCK_AFTER_CONSECUTIVE = 10
LOCK_AFTER_IN_24H = 25
WARN_WHEN_REMAINING = codes.WARN_WHEN_REMAINING
FACTOR_LOCK_REASONS = ("second_factor_consecutive", "second_factor_daily")
IP_WINDOW = timedelta(hours=1)
OTP_SENDS_PER_HOUR = 10
OTP_RESEND_MIN_SECONDS = 30
DEVICE_LIFETIME = timedelta(days=180)
_DUMMY_HASH: str | None = None

COMMON_PINS = {
    "123456", "654321", "000000", "111111", "121212", "112233", "123123", "123321", "101010", "696969",
    "159753", "147258", "258369", "789456", "456123", "102030", "010203", "200000", "112358", "131313",
}


def ip_max_numbers_per_hour() -> int:
    """How many different customer numbers one IP address may fail on per hour."""
    return int(getattr(settings, "ABRI_LOGIN_IP_MAX_NUMBERS_PER_HOUR", 10))


# --- Notifications ---------------------------------------------------------------------------
def _alert(customer: Customer | None, *, title: str, body: str, sms: bool = True, email: bool = True,
           url: str = "/securite/") -> None:
    """A security alert: in-app, e-mail and (for the serious ones) SMS, through the outbox."""
    if customer is None:
        return
    notification_create(
        customer=customer, title=title, body=body, url=url, category="security", email=email, sms=sms,
        sms_body=f"{settings.ABRI_INSURER_NAME} : {title}. {body}"[:300],
    )


def _send_code(*, customer: Customer, channel: str, code: str, purpose: str, minutes: int) -> None:
    """Send a one-time code by SMS or e-mail (the text names the purpose and says never to share it)."""
    reasons: dict[str, str] = {
        OneTimeCode.Purpose.LOGIN: _("connexion"),
        OneTimeCode.Purpose.STEP_UP: _("confirmation d'une opération sensible"),
        OneTimeCode.Purpose.ACTIVATION: _("activation de votre espace client"),
        OneTimeCode.Purpose.RECOVERY: _("nouveau code secret"),
    }
    reason = reasons.get(purpose, "")
    text = _("Abri : votre code de vérification (%(reason)s) est %(code)s. Il expire dans %(minutes)s minutes. "
             "Ne le communiquez à personne, pas même à un conseiller.") % {
        "reason": reason, "code": code, "minutes": minutes}
    if channel == OneTimeCode.Channel.SMS:
        outbox_enqueue(channel="sms", to=customer.phone, body=text, customer=customer)
    else:
        emails.code_email(customer=customer, text=text)


def _customer_of(user) -> Customer | None:
    try:
        return user.customer
    except Customer.DoesNotExist:
        return None


# --- PIN ------------------------------------------------------------------------------------
def pin_problem(pin: str, *, birth_date: date | None = None) -> str | None:
    """Why this PIN is refused (French message), or None when it is acceptable."""
    if not pin or len(pin) != 6 or not pin.isascii() or not pin.isdigit():
        return _("Le code secret comporte exactement 6 chiffres.")
    if len(set(pin)) == 1:
        return _("Ce code secret est trop simple : 6 chiffres identiques.")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {9}):
        return _("Ce code secret est trop simple : des chiffres qui se suivent.")
    if pin in COMMON_PINS or pin[:3] == pin[3:] or pin[:2] * 3 == pin:
        return _("Ce code secret est trop courant : choisissez-en un autre.")
    if birth_date is not None and pin in {birth_date.strftime("%d%m%y"), birth_date.strftime("%y%m%d"),
                                          birth_date.strftime("%m%d%y")}:
        return _("N'utilisez pas votre date de naissance comme code secret.")
    return None


@transaction.atomic
def pin_set(*, user, pin: str, reason: str = "change", actor=None, keep_sid: str | None = None) -> None:
    """Set a new PIN: unlocks, ends the other sessions and API tokens, alerts the customer."""
    customer = _customer_of(user)
    problem = pin_problem(pin, birth_date=customer.birth_date if customer else None)
    if problem:
        raise ValueError(problem)
    user.set_password(pin)
    user.save(update_fields=["password"])
    reset = {"consecutive_failures": 0, "retry_not_before": None, "locked_at": None, "lock_reason": "",
             "factor_failures": 0, "factor_retry_not_before": None}
    LoginThrottle.objects.filter(user=user).update(**reset)
    if customer is not None:
        LoginThrottle.objects.filter(customer_number=customer.customer_number).update(**reset)
    sessions_end_others(user=user, keep_sid=keep_sid, reason="credential_change")
    tokens_revoke_all(user=user)
    audit_record(actor=actor or user, action=f"auth.pin_{reason}", target=customer or user)
    if reason != "activation":
        _alert(customer, title=_("Votre code secret a été modifié"),
               body=_("Si vous n'êtes pas à l'origine de ce changement, appelez-nous immédiatement."))


# --- Login policy ------------------------------------------------------------------------------
class LoginStatus(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"  # wrong PIN or unknown number: one message
    THROTTLED = "throttled"  # delay running (per number) or per-IP limit
    LOCKED = "locked"


@dataclass
class LoginResult:
    status: LoginStatus
    user: object | None = None
    retry_after: int = 0
    remaining: int | None = None  # tries before the lock, when the customer should be warned

    @property
    def warn(self) -> bool:
        return self.remaining is not None and self.remaining <= WARN_WHEN_REMAINING


def _dummy_check(pin: str) -> None:
    """Spend the same Argon2 time as a real check (unknown number: same timing, same answer)."""
    global _DUMMY_HASH  # noqa: PLW0603
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password(secrets.token_hex(8))
    from django.contrib.auth.hashers import check_password

    check_password(pin, _DUMMY_HASH)


def _ip_retry_after(ip: str | None) -> int:
    """Seconds until this IP may try again (0: allowed). Stops one address trying many numbers."""
    if not ip:
        return 0
    since = timezone.now() - IP_WINDOW
    agg = LoginFailure.objects.filter(ip_address=ip, created_at__gte=since).aggregate(
        numbers=Count("customer_number", distinct=True), first=Min("created_at"))
    if agg["numbers"] < ip_max_numbers_per_hour():
        return 0
    return max(1, int((agg["first"] + IP_WINDOW - timezone.now()).total_seconds()))


def _throttle_state(throttle: LoginThrottle | None) -> LoginResult | None:
    if throttle is None:
        return None
    now = timezone.now()
    if throttle.locked_at is not None:
        return LoginResult(LoginStatus.LOCKED)
    if throttle.retry_not_before and throttle.retry_not_before > now:
        return LoginResult(LoginStatus.THROTTLED, retry_after=max(1, int((throttle.retry_not_before - now)
                                                                        .total_seconds()) + 1))
    return None


def login_attempt(*, request, customer_number: str, pin: str, ip: str | None = None) -> LoginResult:
    """Apply the whole login policy to one well-formed attempt (the caller refused malformed input)."""
    number = normalize_customer_number(customer_number)
    if not is_valid_customer_number(number):  # never counted: a typo is not an attempt
        return LoginResult(LoginStatus.INVALID)
    retry = _ip_retry_after(ip)
    if retry:
        audit_record(action="auth.ip_throttled", data={"customer_number": number}, actor_label="anonyme")
        return LoginResult(LoginStatus.THROTTLED, retry_after=retry)
    blocked = _throttle_state(LoginThrottle.objects.filter(customer_number=number).first())
    if blocked is not None:
        audit_record(action=f"auth.login_refused_{blocked.status}", customer=_customer_by_number(number),
                     data={"customer_number": number}, actor_label="anonyme")
        return blocked
    # The slow hash runs outside any transaction (SQLite would serialise every login on it).
    user = authenticate(request, customer_number=number, pin=pin)
    if getattr(request, "axes_locked_out", False):
        return LoginResult(LoginStatus.THROTTLED, retry_after=int(settings.AXES_COOLOFF_TIME * 3600))
    if user is not None and getattr(user, "is_customer", False):
        LoginThrottle.objects.filter(customer_number=number).update(consecutive_failures=0, retry_not_before=None)
        return LoginResult(LoginStatus.OK, user=user)
    return _login_failed(number=number, ip=ip)


def _customer_by_number(number: str) -> Customer | None:
    return Customer.objects.filter(customer_number=number).select_related("user").first()


@transaction.atomic
def _login_failed(*, number: str, ip: str | None) -> LoginResult:
    """Count a failure; delay from the 5th, lock at 10 consecutive or 25 in 24 h; alert on lock."""
    now = timezone.now()
    customer = _customer_by_number(number)
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
        customer_number=number, defaults={"user": customer.user if customer else None})
    LoginFailure.objects.create(customer_number=number, ip_address=ip or None, kind=LoginFailure.Kind.PIN)
    throttle.consecutive_failures = F("consecutive_failures") + 1
    throttle.last_failure_at = now
    throttle.save(update_fields=["consecutive_failures", "last_failure_at"])
    throttle.refresh_from_db(fields=["consecutive_failures"])
    consecutive = throttle.consecutive_failures
    in_24h = LoginFailure.objects.filter(customer_number=number, kind=LoginFailure.Kind.PIN,
                                         created_at__gte=now - timedelta(hours=24)).count()
    audit_record(action="auth.login_failed", customer=customer, actor_label="anonyme",
                 data={"customer_number": number, "consecutive": consecutive, "in_24h": in_24h})
    if consecutive >= LOCK_AFTER_CONSECUTIVE or in_24h >= LOCK_AFTER_IN_24H:
        throttle.locked_at = now
        throttle.lock_reason = "consecutive" if consecutive >= LOCK_AFTER_CONSECUTIVE else "daily"
        throttle.retry_not_before = None
        throttle.save(update_fields=["locked_at", "lock_reason", "retry_not_before"])
        audit_record(action="auth.locked", customer=customer, actor_label=_("système"),
                     data={"customer_number": number, "reason": throttle.lock_reason})
        if customer is not None:
            tokens_revoke_all(user=customer.user)
            _alert(customer, title=_("Votre accès a été bloqué"),
                   body=_("Trop de codes secrets erronés ont été saisis. Pour débloquer votre accès, utilisez "
                          "« Identifiants oubliés » ou appelez votre conseiller."), url="/identifiants-oublies/")
        return LoginResult(LoginStatus.LOCKED)
    retry_after = 0
    if consecutive >= DELAY_FROM_FAILURE:
        retry_after = BASE_DELAY_SECONDS * 2 ** (consecutive - DELAY_FROM_FAILURE)
        throttle.retry_not_before = now + timedelta(seconds=retry_after)
        throttle.save(update_fields=["retry_not_before"])
    remaining = min(LOCK_AFTER_CONSECUTIVE - consecutive, LOCK_AFTER_IN_24H - in_24h)
    return LoginResult(LoginStatus.INVALID, retry_after=retry_after, remaining=remaining)


def login_unknown_number_cost(pin: str) -> None:
    """Public for the backend: an unknown number costs one Argon2 check, like a known one."""
    _dummy_check(pin)


@transaction.atomic
def customer_unlock(*, staff, customer: Customer) -> bool:
    """An advisor unlocks a customer's access from the back-office (audited, customer notified)."""
    updated = LoginThrottle.objects.filter(customer_number=customer.customer_number).update(
        locked_at=None, lock_reason="", consecutive_failures=0, retry_not_before=None, factor_failures=0,
        factor_retry_not_before=None)
    audit_record(actor=staff, action="auth.unlocked_by_advisor", target=customer,
                 data={"was_locked": bool(updated)})
    _alert(customer, title=_("Votre accès a été débloqué"),
           body=_("Un conseiller a débloqué votre accès à l'espace client."), sms=False)
    return bool(updated)


def customer_is_locked(*, customer: Customer) -> bool:
    """True when the customer's access is locked (back-office display)."""
    return LoginThrottle.objects.filter(customer_number=customer.customer_number, locked_at__isnull=False).exists()


# --- Second factor (login and step-up) ----------------------------------------------------------
class SendRefused(Exception):
    """Too many codes sent: wait before asking again."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def second_factor_method(user) -> str:
    """'totp' when an authenticator app is enrolled, else 'sms' (e-mail when no phone on file)."""
    if totp_is_enrolled(user):
        return "totp"
    customer = _customer_of(user)
    if customer is not None and not customer.phone and customer.email:
        return "email"
    return "sms"


def _check_send_budget(user, purpose: str, *, resend: bool = False) -> None:
    """SMS/e-mail codes cost money and can harass: 30 s between resends, at most N per hour and purpose."""
    since = timezone.now() - timedelta(hours=1)
    recent = OneTimeCode.objects.filter(user=user, purpose=purpose, created_at__gte=since,
                                        channel__in=["sms", "email"]).order_by("-created_at")
    last = recent.first()
    if resend and last is not None:
        elapsed = (timezone.now() - last.created_at).total_seconds()
        if elapsed < OTP_RESEND_MIN_SECONDS:
            raise SendRefused(int(OTP_RESEND_MIN_SECONDS - elapsed) + 1)
    if recent.count() >= int(getattr(settings, "ABRI_OTP_SENDS_PER_HOUR", OTP_SENDS_PER_HOUR)):
        oldest = recent.order_by("created_at").first()
        assert oldest is not None  # the count above is at least one
        raise SendRefused(max(1, int((oldest.created_at + timedelta(hours=1) - timezone.now()).total_seconds())))


@transaction.atomic
def second_factor_start(*, user, purpose: str = OneTimeCode.Purpose.LOGIN,
                        method: str | None = None, resend: bool = False) -> tuple[str, str]:
    """Open a second-factor challenge; sends the SMS/e-mail code. Returns (method, challenge)."""
    method = method or second_factor_method(user)
    if method == "totp":
        challenge, _code = codes.code_issue(user=user, purpose=purpose, channel=OneTimeCode.Channel.TOTP,
                                            code="", lifetime=codes.SMS_LIFETIME)
        return method, challenge
    _check_send_budget(user, purpose, resend=resend)
    customer = _customer_of(user)
    channel = OneTimeCode.Channel.EMAIL if method == "email" else OneTimeCode.Channel.SMS
    challenge, code = codes.code_issue(user=user, purpose=purpose, channel=channel,
                                       lifetime=codes.SMS_LIFETIME)
    if customer is not None:
        _send_code(customer=customer, channel=channel, code=code, purpose=purpose, minutes=5)
    audit_record(action="auth.second_factor_sent", target=customer or user, actor=user,
                 data={"channel": channel, "purpose": purpose})
    return method, challenge


def second_factor_verify(*, challenge: str, code: str, purpose: str = OneTimeCode.Purpose.LOGIN) -> CheckResult:
    """Check the code of a challenge (SMS/e-mail code, or TOTP / recovery code): single use, 3 tries per
    challenge, and the per-person policy across challenges (second_factor_checked)."""
    row = codes.code_find(challenge=challenge, purpose=purpose)
    if row is None:
        return CheckResult(CheckStatus.UNKNOWN)
    if row.channel != OneTimeCode.Channel.TOTP:
        def check():
            return codes.code_check(challenge=challenge, code=code, purpose=purpose)
    else:
        def check():
            return _totp_challenge_check(row=row, code=code)
    result = second_factor_checked(number=code_row_number(row), check=check, row=row)
    _factor_audit(row=row, result=result)
    return result


def _factor_audit(*, row: OneTimeCode, result: CheckResult) -> None:
    """Audit one second-factor check (counted failures are audited by _factor_failed, with the counts)."""
    if row.user is None or result.checked:
        return
    customer = _customer_of(row.user)
    action = "auth.second_factor_passed" if result.ok else "auth.second_factor_failed"
    data = {"channel": row.channel, "purpose": row.purpose}
    if not result.ok:
        data["status"] = str(result.status)
    audit_record(actor=row.user, action=action, target=customer or row.user, data=data)


# --- Second-factor policy: wrong codes counted per person, across challenges and doors -----------
def _number_of(user) -> str | None:
    """The customer number the per-person counters are kept under (None for staff)."""
    customer = _customer_of(user) if user is not None else None
    return customer.customer_number if customer is not None else None


def code_row_number(row: OneTimeCode) -> str | None:
    """Whose counter a code counts against: the number typed (activation, recovery, decoys) or its owner's."""
    return row.customer_number or _number_of(row.user)


def _factor_blocked(number: str) -> CheckResult | None:
    """A per-person delay or second-factor lock in force: the code is then neither checked nor counted."""
    throttle = LoginThrottle.objects.select_for_update().filter(customer_number=number).first()
    if throttle is None:
        return None
    if throttle.locked_at is not None and throttle.lock_reason in FACTOR_LOCK_REASONS:
        return CheckResult(CheckStatus.LOCKED)
    now = timezone.now()
    if throttle.factor_retry_not_before and throttle.factor_retry_not_before > now:
        wait = int((throttle.factor_retry_not_before - now).total_seconds()) + 1
        return CheckResult(CheckStatus.THROTTLED, retry_after=max(1, wait))
    return None


def second_factor_checked(*, number: str | None, check, row: OneTimeCode | None = None) -> CheckResult:
    """Apply the login policy to one second-factor check, whatever the code (SMS, e-mail, TOTP, recovery
    code), the challenge and the door (web, API, step-up, recovery, activation): refused unchecked during
    a delay or a second-factor lock; a wrong code is counted per person; a right one resets the count.
    The throttle row is locked for the whole check, so parallel guesses are serialised and all counted."""
    if not number:  # staff: only the per-challenge limits apply (their TOTP is checked elsewhere)
        return check()
    with transaction.atomic():
        blocked = _factor_blocked(number)
        if blocked is not None:
            blocked.code = row
            return blocked
        result = check()
        if result.ok:
            LoginThrottle.objects.filter(customer_number=number).filter(
                Q(factor_failures__gt=0) | Q(factor_retry_not_before__isnull=False)).update(
                factor_failures=0, factor_retry_not_before=None)
        elif result.checked:
            _factor_failed(number=number, result=result)
    return result


def _factor_failed(*, number: str, result: CheckResult) -> None:
    """Count one wrong second-factor code: delay from the 5th, lock at 10 consecutive or 25 in 24 h,
    warn before, alert at the lock (same thresholds as wrong PINs). Updates `result` in place."""
    now = timezone.now()
    customer = _customer_by_number(number)
    throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
        customer_number=number, defaults={"user": customer.user if customer else None})
    LoginFailure.objects.create(customer_number=number, ip_address=current_request_meta().get("ip") or None,
                                kind=LoginFailure.Kind.SECOND_FACTOR)
    throttle.factor_failures = F("factor_failures") + 1
    throttle.last_failure_at = now
    throttle.save(update_fields=["factor_failures", "last_failure_at"])
    throttle.refresh_from_db(fields=["factor_failures"])
    consecutive = throttle.factor_failures
    in_24h = LoginFailure.objects.filter(customer_number=number, kind=LoginFailure.Kind.SECOND_FACTOR,
                                         created_at__gte=now - timedelta(hours=24)).count()
    row = result.code
    actor = getattr(row, "user", None)
    audit_record(action="auth.second_factor_failed", customer=customer, actor=actor,
                 actor_label="" if actor else "anonyme",
                 data={"customer_number": number, "consecutive": consecutive, "in_24h": in_24h,
                       "purpose": getattr(row, "purpose", ""), "channel": getattr(row, "channel", "")})
    if consecutive >= LOCK_AFTER_CONSECUTIVE or in_24h >= LOCK_AFTER_IN_24H:
        reason = FACTOR_LOCK_REASONS[0] if consecutive >= LOCK_AFTER_CONSECUTIVE else FACTOR_LOCK_REASONS[1]
        LoginThrottle.objects.filter(pk=throttle.pk).update(locked_at=now, lock_reason=reason,
                                                            factor_retry_not_before=None, retry_not_before=None)
        audit_record(action="auth.locked", customer=customer, actor_label=_("système"),
                     data={"customer_number": number, "reason": reason})
        if customer is not None:
            # Whoever is guessing may hold the PIN, a session or a token: all of them end.
            tokens_revoke_all(user=customer.user)
            sessions_end_others(user=customer.user, keep_sid=None, reason="locked")
            _alert(customer, title=_("Votre accès a été bloqué"),
                   body=_("Trop de codes de vérification erronés ont été saisis. Si ce n'est pas vous, quelqu'un "
                          "connaît peut-être votre code secret. Pour débloquer votre accès, appelez votre "
                          "conseiller."), url="/identifiants-oublies/")
        result.status, result.remaining, result.retry_after = CheckStatus.LOCKED, 0, 0
        return
    if consecutive >= DELAY_FROM_FAILURE:
        result.retry_after = BASE_DELAY_SECONDS * 2 ** (consecutive - DELAY_FROM_FAILURE)
        LoginThrottle.objects.filter(pk=throttle.pk).update(
            factor_retry_not_before=now + timedelta(seconds=result.retry_after))
    result.remaining = min(LOCK_AFTER_CONSECUTIVE - consecutive, LOCK_AFTER_IN_24H - in_24h)


class SecondFactorRefused(PermissionError):
    """The authenticator code asked at the last step of a recovery or activation was refused."""

    def __init__(self, result: CheckResult):
        super().__init__(str(result.status))
        self.result = result


def _final_step_factor(*, row: OneTimeCode, code: str | None) -> None:
    """An enrolled authenticator app at the last step of a recovery or activation: its code or a recovery
    code; 3 wrong ones consume the request; counted per person. Raises SecondFactorRefused."""
    def check() -> CheckResult:
        locked = OneTimeCode.objects.select_for_update(of=("self",)).select_related("user").get(pk=row.pk)
        if locked.used_at is not None:
            return CheckResult(CheckStatus.USED, locked)
        if locked.factor_attempts >= codes.MAX_ATTEMPTS:
            return CheckResult(CheckStatus.EXHAUSTED, locked)
        cleaned = (code or "").strip()
        if totp_verify(user=locked.user, code=cleaned) or recovery_code_use(user=locked.user, code=cleaned):
            return CheckResult(CheckStatus.OK, locked)
        locked.factor_attempts += 1
        left = codes.MAX_ATTEMPTS - locked.factor_attempts
        fields = ["factor_attempts"]
        if not left:  # third wrong code: this request is consumed, a new one must be made
            locked.used_at = timezone.now()
            fields.append("used_at")
        locked.save(update_fields=fields)
        return CheckResult(CheckStatus.WRONG if left else CheckStatus.EXHAUSTED, locked, left, checked=True)

    result = second_factor_checked(number=code_row_number(row), check=check, row=row)
    _factor_audit(row=row, result=result)
    if not result.ok:
        raise SecondFactorRefused(result)


@transaction.atomic
def _totp_challenge_check(*, row: OneTimeCode, code: str) -> CheckResult:
    row = OneTimeCode.objects.select_for_update(of=("self",)).select_related("user").get(pk=row.pk)
    if row.used_at is not None:
        return CheckResult(CheckStatus.USED, row)
    if row.expires_at <= timezone.now():
        return CheckResult(CheckStatus.EXPIRED, row)
    if row.attempts >= codes.MAX_ATTEMPTS:
        return CheckResult(CheckStatus.EXHAUSTED, row)
    cleaned = (code or "").strip()
    if totp_verify(user=row.user, code=cleaned) or recovery_code_use(user=row.user, code=cleaned):
        row.used_at = row.verified_at = timezone.now()
        row.save(update_fields=["used_at", "verified_at"])
        return CheckResult(CheckStatus.OK, row)
    row.attempts += 1
    row.save(update_fields=["attempts"])
    left = codes.MAX_ATTEMPTS - row.attempts
    return CheckResult(CheckStatus.WRONG if left else CheckStatus.EXHAUSTED, row, left, checked=True)


# --- Trusted devices --------------------------------------------------------------------------
@transaction.atomic
def device_trust(*, user, label: str) -> str:
    """Trust this browser/app after a second factor; returns the raw device token (cookie), never stored."""
    raw = secrets.token_urlsafe(32)
    device = TrustedDevice.objects.create(user=user, token_digest=codes.digest("device:" + raw),
                                          label=label[:120], expires_at=timezone.now() + DEVICE_LIFETIME)
    audit_record(actor=user, action="auth.device_trusted", target=_customer_of(user) or user,
                 data={"device": device.pk, "label": label[:120]})
    return raw


def device_find(*, user, raw: str | None) -> TrustedDevice | None:
    """The active trusted device behind a raw token, for this user only."""
    if not raw or len(raw) > 100:
        return None
    return TrustedDevice.objects.filter(user=user, token_digest=codes.digest("device:" + raw),
                                        revoked_at__isnull=True, expires_at__gt=timezone.now()).first()


def device_seen(*, device: TrustedDevice) -> None:
    """Record that a trusted device was used to log in."""
    TrustedDevice.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())


@transaction.atomic
def device_revoke(*, user, device_id: int) -> bool:
    """Stop trusting one device (the next login from it asks for the second factor again)."""
    updated = TrustedDevice.objects.filter(user=user, pk=device_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if updated:
        audit_record(actor=user, action="auth.device_revoked", target=_customer_of(user) or user,
                     data={"device": device_id})
    return bool(updated)


# --- Sessions ----------------------------------------------------------------------------------
def session_register(*, user, label: str, ip: str | None) -> str:
    """Create the row for a new signed-in session; returns the raw id to keep in the session."""
    raw = secrets.token_urlsafe(24)
    UserSession.objects.create(user=user, sid_digest=codes.digest("sid:" + raw), label=label[:120],
                               ip_address=ip or None)
    return raw


def session_lookup(*, raw: str) -> UserSession | None:
    """The session row behind a raw id."""
    return UserSession.objects.filter(sid_digest=codes.digest("sid:" + raw)).first()


def session_end(*, user, session_id: int, reason: str = "ended_by_customer") -> bool:
    """End one of the user's sessions (effective on its next request)."""
    updated = UserSession.objects.filter(user=user, pk=session_id, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason)
    if updated:
        audit_record(actor=user, action="auth.session_ended", target=_customer_of(user) or user,
                     data={"session": session_id, "reason": reason})
    return bool(updated)


def sessions_end_others(*, user, keep_sid: str | None, reason: str = "ended_by_customer") -> int:
    """End every session of the user except the current one.

    reason="credential_change" (PIN, authenticator app, phone) also revokes every API token: a token
    obtained with the old credentials must not outlive them (api_tokens_revoke_for_credential_change).
    The customer's own « end the others » (reason="ended_by_customer") ends the API tokens too; the count
    returned then includes them.
    """
    qs = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if keep_sid:
        qs = qs.exclude(sid_digest=codes.digest("sid:" + keep_sid))
    count = qs.update(ended_at=timezone.now(), end_reason=reason)
    if count:
        audit_record(actor=user, action="auth.sessions_ended", target=_customer_of(user) or user,
                     data={"count": count, "reason": reason})
    if reason == "credential_change":
        api_tokens_revoke_for_credential_change(user=user)
    elif reason == "ended_by_customer":
        # « Terminer les autres sessions » must also cut off an app or script signed in with stolen credentials.
        tokens = tokens_revoke_all(user=user, reason=reason)
        if tokens:
            audit_record(actor=user, action="auth.api_tokens_revoked", target=_customer_of(user) or user,
                         data={"count": tokens, "reason": reason})
        count += tokens
    return count


# --- API tokens (the API's sessions: abri.accounts.tokens) ----------------------------------------
def api_tokens_revoke_for_credential_change(*, user) -> int:
    """Revoke every API token of the user after a PIN or second-factor change (audited)."""
    count = tokens_revoke_all(user=user, reason="credential_change")
    if count:
        audit_record(actor=user, action="auth.api_tokens_revoked", target=_customer_of(user) or user,
                     data={"count": count, "reason": "credential_change"})
    return count


def api_token_end(*, user, token_id: int) -> bool:
    """The customer ends one of their API tokens from « Sécurité » (the app must log in again)."""
    ended = token_end(user=user, token_id=token_id)
    if ended:
        audit_record(actor=user, action="auth.api_token_ended", target=_customer_of(user) or user,
                     data={"token": token_id})
    return ended


def login_new_device_alert(*, user, device: str) -> None:
    """« Nouvelle connexion »: a login from a device not seen before, web or API (in-app + e-mail)."""
    customer = _customer_of(user)
    _alert(customer, title=_("Nouvelle connexion à votre espace client"),
           body=_("Une connexion a eu lieu depuis un nouvel appareil (%(device)s). Si ce n'est pas "
                  "vous, changez votre code secret et appelez-nous.") % {"device": device},
           sms=False)


# --- Activation ---------------------------------------------------------------------------------
def _identity_match(*, customer_number: str, birth_date: date, contract_number: str | None = None
                    ) -> Customer | None:
    number = normalize_customer_number(customer_number)
    customer = _customer_by_number(number)
    if customer is None or customer.birth_date != birth_date:
        return None
    if contract_number is not None:
        wanted = contract_number.strip().upper().replace(" ", "")
        if not customer.contracts.filter(number__iexact=wanted).exists():
            return None
    return customer


ACTIVATION_CODE_LIFETIME = timedelta(minutes=15)


def _decoy(*, purpose: str, channel: str, number: str) -> str:
    """The challenge given when an identity check matched nothing (or must not be served): it behaves
    exactly like a real one (docs/security.md §6) and nothing is sent."""
    if purpose == OneTimeCode.Purpose.RECOVERY and channel == "email":
        channel, lifetime = OneTimeCode.Channel.EMAIL, codes.LINK_LIFETIME
    elif purpose == OneTimeCode.Purpose.RECOVERY:
        channel, lifetime = OneTimeCode.Channel.SMS, codes.SMS_LIFETIME
    else:
        lifetime = ACTIVATION_CODE_LIFETIME
    return codes.decoy_issue(purpose=purpose, channel=channel, customer_number=number, lifetime=lifetime)


def activation_start(*, customer_number: str, contract_number: str, birth_date: date, channel: str) -> str:
    """Identity check, then a 15-minute code to the phone or e-mail on file. Only for an account without a
    PIN: an active one is answered exactly like an unknown one (it is sent to « Identifiants oubliés »).
    Always returns a challenge: a decoy when nothing may be sent, so that the answer reveals nothing."""
    number = normalize_customer_number(customer_number)[:9]
    customer = _identity_match(customer_number=customer_number, birth_date=birth_date,
                               contract_number=contract_number)
    if customer is not None and customer.user.has_usable_password():
        audit_record(action="auth.activation_refused", target=customer, actor_label="anonyme",
                     data={"customer_number": number, "reason": "already_active"})
        customer = None
    elif customer is None:
        audit_record(action="auth.activation_refused", actor_label="anonyme", data={"customer_number": number})
    if customer is not None:
        if channel == "sms" and not customer.phone:
            channel = "email"
        if channel == "email" and not customer.email:
            channel = "sms"
        with transaction.atomic():
            try:
                _check_send_budget(customer.user, OneTimeCode.Purpose.ACTIVATION)
            except SendRefused:
                audit_record(action="auth.activation_send_refused", target=customer, actor_label="anonyme")
            else:
                challenge, code = codes.code_issue(user=customer.user, purpose=OneTimeCode.Purpose.ACTIVATION,
                                                   channel=channel, lifetime=ACTIVATION_CODE_LIFETIME,
                                                   customer_number=customer.customer_number)
                _send_code(customer=customer, channel=channel, code=code,
                           purpose=OneTimeCode.Purpose.ACTIVATION, minutes=15)
                audit_record(action="auth.activation_started", target=customer, actor_label="anonyme",
                             data={"channel": channel})
                return challenge
    return _decoy(purpose=OneTimeCode.Purpose.ACTIVATION, channel=channel, number=number)


@transaction.atomic
def activation_postal_issue(*, customer: Customer, staff=None) -> str:
    """An activation code printed on a letter (valid 21 days). Returned once for the print run."""
    _challenge, code = codes.code_issue(user=customer.user, purpose=OneTimeCode.Purpose.ACTIVATION,
                                        channel=OneTimeCode.Channel.POST)
    audit_record(actor=staff, action="auth.activation_letter_issued", target=customer,
                 actor_label="" if staff else _("système"))
    return code


def activation_verify(*, challenge: str, code: str, customer_number: str) -> CheckResult:
    """The code sent (15 minutes) or the postal code (21 days); not consumed until the PIN is chosen.
    Wrong codes count per person (the number typed), decoy or not."""
    row = codes.code_find(challenge=challenge, purpose=OneTimeCode.Purpose.ACTIVATION)
    number = row.customer_number if row is not None and row.customer_number else (
        normalize_customer_number(customer_number)[:9])

    def check() -> CheckResult:
        if len(codes.normalize_code(code)) == 10:  # the code of an activation letter
            customer = _customer_by_number(number)
            if (customer is not None and not customer.user.has_usable_password()
                    and codes.postal_code_check(user=customer.user, code=code)):
                return _postal_challenge(customer)
        return codes.code_check(challenge=challenge, code=code, purpose=OneTimeCode.Purpose.ACTIVATION,
                                consume=False)

    return second_factor_checked(number=number, check=check, row=row)


def _postal_challenge(customer: Customer) -> CheckResult:
    """The postal code proves possession of the letter: open a fresh, verified challenge for the PIN step."""
    new_challenge, _code = codes.code_issue(user=customer.user, purpose=OneTimeCode.Purpose.ACTIVATION,
                                            channel=OneTimeCode.Channel.POST, code="",
                                            lifetime=ACTIVATION_CODE_LIFETIME,
                                            customer_number=customer.customer_number)
    row = codes.code_find(challenge=new_challenge, purpose=OneTimeCode.Purpose.ACTIVATION)
    assert row is not None  # issued just above
    OneTimeCode.objects.filter(pk=row.pk).update(verified_at=timezone.now())
    row.refresh_from_db()
    row.new_challenge = new_challenge  # type: ignore[attr-defined]  # read back by the view (getattr), not a field
    return CheckResult(CheckStatus.OK, row)


def _final_step_row(*, challenge: str, purpose: str) -> OneTimeCode:
    """The verified, unused, unexpired code behind the last step of an activation or recovery."""
    row = codes.code_find(challenge=challenge, purpose=purpose)
    if (row is None or row.user is None or row.verified_at is None or row.used_at is not None
            or row.expires_at <= timezone.now()):
        raise PermissionError("not verified, expired or already used")
    return row


def activation_complete(*, challenge: str, pin: str, totp_code: str | None = None) -> object:
    """Choose the PIN after a verified activation code (and the authenticator code when an app is
    enrolled); only for an account without a PIN. Returns the user (logged in by the caller, no step-up)."""
    row = _final_step_row(challenge=challenge, purpose=OneTimeCode.Purpose.ACTIVATION)
    user = row.user
    if user is None or user.has_usable_password():
        raise PermissionError("already active: use the recovery")
    problem = pin_problem(pin, birth_date=getattr(_customer_of(user), "birth_date", None))
    if problem:
        raise ValueError(problem)
    if totp_is_enrolled(user):
        _final_step_factor(row=row, code=totp_code)
    return _activation_finish(challenge=challenge, user=user, pin=pin)


@transaction.atomic
def _activation_finish(*, challenge: str, user, pin: str):
    """Consume the verified code, set the PIN, audit and welcome, in one transaction."""
    if codes.code_consume(challenge=challenge, purpose=OneTimeCode.Purpose.ACTIVATION) is None:
        raise PermissionError("activation code already used")
    pin_set(user=user, pin=pin, reason="activation")
    customer = _customer_of(user)
    audit_record(actor=user, action="auth.activated", target=customer or user)
    _alert(customer, title=_("Votre espace client est activé"),
           body=_("Bienvenue ! Vous pouvez vous connecter avec votre numéro client et votre code secret."),
           sms=False, url="/tableau-de-bord/")
    return user


# --- Recovery ------------------------------------------------------------------------------
def recovery_start(*, customer_number: str, birth_date: date, channel: str) -> str:
    """Forgotten PIN: identity check, then a 1-hour link by e-mail or a 5-minute code by SMS.
    Returns a challenge (a decoy when nothing matched: the answer never reveals an account)."""
    number = normalize_customer_number(customer_number)[:9]
    customer = _identity_match(customer_number=customer_number, birth_date=birth_date)
    if customer is None:
        audit_record(action="auth.recovery_refused", actor_label="anonyme", data={"customer_number": number})
    else:
        try:
            with transaction.atomic():
                return _recovery_send(customer=customer, channel=channel, actor=None)
        except SendRefused:
            pass
    return _decoy(purpose=OneTimeCode.Purpose.RECOVERY, channel=channel, number=number)


def _recovery_send(*, customer: Customer, channel: str, actor) -> str:
    _check_send_budget(customer.user, OneTimeCode.Purpose.RECOVERY, resend=True)
    if channel == "sms" and not customer.phone:
        channel = "email"
    if channel == "email" and not customer.email:
        channel = "sms"
    if channel == "email":
        challenge, _code = codes.code_issue(user=customer.user, purpose=OneTimeCode.Purpose.RECOVERY,
                                            channel=OneTimeCode.Channel.EMAIL, code="",
                                            lifetime=codes.LINK_LIFETIME, customer_number=customer.customer_number)
        # The link carries the challenge itself: single use, 1 hour.
        link = f"{settings.ABRI_BASE_URL}/identifiants-oublies/lien/{challenge}/"
        emails.recovery_link_email(customer=customer, link=link)
    else:
        challenge, code = codes.code_issue(user=customer.user, purpose=OneTimeCode.Purpose.RECOVERY,
                                           channel=OneTimeCode.Channel.SMS, lifetime=codes.SMS_LIFETIME,
                                           customer_number=customer.customer_number)
        _send_code(customer=customer, channel="sms", code=code, purpose=OneTimeCode.Purpose.RECOVERY, minutes=5)
    audit_record(actor=actor, action="auth.recovery_started", target=customer,
                 actor_label="" if actor else "anonyme", data={"channel": channel})
    return challenge


def recovery_verify_code(*, challenge: str, code: str) -> CheckResult:
    """The SMS code of a recovery (5 minutes, 3 tries); not consumed until the new PIN is set.
    Wrong codes count per person (the number typed), decoy or not."""
    row = codes.code_find(challenge=challenge, purpose=OneTimeCode.Purpose.RECOVERY)
    if row is None:
        return CheckResult(CheckStatus.UNKNOWN)
    return second_factor_checked(
        number=code_row_number(row), row=row,
        check=lambda: codes.code_check(challenge=challenge, code=code, purpose=OneTimeCode.Purpose.RECOVERY,
                                       consume=False))


@transaction.atomic
def recovery_link_status(*, challenge: str) -> CheckResult:
    """What opening the e-mailed link would give, without using it (a mail scanner's preview changes nothing)."""
    row = codes.code_find(challenge=challenge, purpose=OneTimeCode.Purpose.RECOVERY)
    if row is None or row.channel != OneTimeCode.Channel.EMAIL:
        return CheckResult(CheckStatus.UNKNOWN)
    if row.used_at is not None:
        return CheckResult(CheckStatus.USED, row)
    if row.expires_at <= timezone.now():
        return CheckResult(CheckStatus.EXPIRED, row)
    return CheckResult(CheckStatus.OK, row)


def recovery_open_link(*, challenge: str) -> CheckResult:
    """Opening the e-mailed link verifies it (1 hour, single use once the PIN is set)."""
    row = codes.code_find(challenge=challenge, purpose=OneTimeCode.Purpose.RECOVERY)
    if row is None or row.user is None or row.channel != OneTimeCode.Channel.EMAIL:
        return CheckResult(CheckStatus.UNKNOWN)
    if row.used_at is not None:
        return CheckResult(CheckStatus.USED, row)
    if row.expires_at <= timezone.now():
        return CheckResult(CheckStatus.EXPIRED, row)
    OneTimeCode.objects.filter(pk=row.pk).update(verified_at=timezone.now())
    return CheckResult(CheckStatus.OK, row)


def recovery_complete(*, challenge: str, pin: str, totp_code: str | None = None) -> object:
    """Set the new PIN after a verified recovery (and the TOTP when enrolled: 3 tries, then the request
    is consumed; counted per person); unlocks the access. Raises SecondFactorRefused, PermissionError,
    ValueError (French message of a refused PIN)."""
    row = _final_step_row(challenge=challenge, purpose=OneTimeCode.Purpose.RECOVERY)
    user = row.user
    pin_problem_text = pin_problem(pin, birth_date=getattr(_customer_of(user), "birth_date", None))
    if pin_problem_text:
        raise ValueError(pin_problem_text)
    if totp_is_enrolled(user):
        _final_step_factor(row=row, code=totp_code)
    with transaction.atomic():
        if codes.code_consume(challenge=challenge, purpose=OneTimeCode.Purpose.RECOVERY) is None:
            raise PermissionError("already used")
        pin_set(user=user, pin=pin, reason="reset")
        audit_record(actor=user, action="auth.recovery_completed", target=_customer_of(user) or user)
    return user


@transaction.atomic
def pin_reset_start_by_advisor(*, staff, customer: Customer) -> str:
    """An advisor sends the customer a reset link (e-mail) or code (SMS) to the contact on file.
    Returns the channel used; the advisor never sees the link or the code (audited)."""
    channel = "email" if customer.email else "sms"
    OneTimeCode.objects.filter(user=customer.user, purpose=OneTimeCode.Purpose.RECOVERY,
                               created_at__gte=timezone.now() - timedelta(hours=1)).delete()
    _recovery_send(customer=customer, channel=channel, actor=staff)
    audit_record(actor=staff, action="auth.pin_reset_started_by_advisor", target=customer,
                 data={"channel": channel})
    return channel


def number_reminder_send(*, contact: str) -> None:
    """Forgotten customer number: sent to the e-mail or phone on file (if any; the answer is the same)."""
    contact = (contact or "").strip()
    if "@" in contact:
        customers = list(Customer.objects.filter(email__iexact=contact)[:3])
        channel = "email"
    else:
        digits = "".join(ch for ch in contact if ch.isdigit())
        if len(digits) < 9:
            return
        tail = digits[-9:]
        customers = [c for c in Customer.objects.filter(phone__endswith=tail[-4:])[:50]
                     if "".join(ch for ch in c.phone if ch.isdigit()).endswith(tail)][:3]
        channel = "sms"
    with transaction.atomic():
        for customer in customers:
            text = _("Abri : votre numéro client est %(number)s.") % {"number": customer.customer_number}
            if channel == "email":
                emails.number_reminder_email(customer=customer)
            else:
                outbox_enqueue(channel="sms", to=customer.phone, body=text, customer=customer)
            audit_record(action="auth.number_reminder_sent", target=customer, actor_label="anonyme",
                         data={"channel": channel})


# --- Contact details (sensitive: step-up required by the view) -------------------------------
@transaction.atomic
def contact_details_update(*, customer: Customer, email: str, phone: str, keep_sid: str | None = None) -> None:
    """Change the e-mail and phone on file; alerts both the old and the new contacts."""
    old_email, old_phone = customer.email, customer.phone
    if (old_email, old_phone) == (email, phone):
        return
    customer.email, customer.phone = email, phone
    customer.save(update_fields=["email", "phone"])
    audit_record(actor=customer.user, action="account.contact_changed", target=customer,
                 data={"email_changed": old_email != email, "phone_changed": old_phone != phone})
    if old_phone != phone or (not phone and old_email != email):
        # The phone (without one, the e-mail) receives the login codes: a second-factor change.
        sessions_end_others(user=customer.user, keep_sid=keep_sid, reason="credential_change")
    body = _("Les coordonnées de votre espace client ont été modifiées. Si vous n'êtes pas à l'origine de "
             "ce changement, appelez-nous immédiatement.")
    _alert(customer, title=_("Vos coordonnées ont été modifiées"), body=body)
    if old_email and old_email != email:
        emails.contact_changed_email(customer=customer, to=old_email, text=body)
    if old_phone and old_phone != phone:
        outbox_enqueue(channel="sms", to=old_phone, body=body, customer=customer)


def mfa_changed(*, user, enrolled: bool, keep_sid: str | None = None) -> None:
    """Record an MFA change: other sessions end, the customer is alerted."""
    customer = _customer_of(user)
    sessions_end_others(user=user, keep_sid=keep_sid, reason="credential_change")
    audit_record(actor=user, action="auth.mfa_enrolled" if enrolled else "auth.mfa_removed",
                 target=customer or user)
    _alert(customer, title=_("Votre double authentification a été modifiée"),
           body=_("Une application d'authentification a été %(what)s. Si vous n'êtes pas à l'origine de ce "
                  "changement, appelez-nous immédiatement.") % {"what": _("ajoutée") if enrolled else _("retirée")})


# --- Creation (back-office and demo data) ---------------------------------------------------
@transaction.atomic
def customer_create(
    *,
    first_name: str,
    last_name: str,
    pin: str | None = None,
    customer_number: str | None = None,
    **fields,
) -> Customer:
    """Create a customer and their login (PIN unusable until activation when not given)."""
    if customer_number is None:
        customer_number = generate_customer_number()
        while User.objects.filter(username=customer_number).exists():
            customer_number = generate_customer_number()
    if not is_valid_customer_number(customer_number):
        raise ValueError("invalid customer number")
    user = User(username=customer_number, is_customer=True, first_name=first_name, last_name=last_name)
    if pin:
        user.set_password(pin)
    else:
        user.set_unusable_password()
    user.save()
    customer = Customer.objects.create(
        user=user, customer_number=customer_number, first_name=first_name, last_name=last_name, **fields
    )
    audit_record(action="customer.created", target=customer, actor_label="system")
    return customer


# --- Staff ------------------------------------------------------------------------------------
@transaction.atomic
def staff_password_set(*, staff, password: str, actor=None) -> None:
    """Set a staff password through Django's validators (≥ 12 characters, not common, not numeric,
    not like the e-mail); ends the other sessions and tokens. Raises ValidationError (French messages)."""
    from django.contrib.auth.password_validation import validate_password

    if getattr(staff, "is_customer", False):
        raise ValueError("customers use a PIN")
    validate_password(password, user=staff)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    sessions_end_others(user=staff, keep_sid=None, reason="credential_change")
    tokens_revoke_all(user=staff)
    audit_record(actor=actor or staff, action="auth.staff_password_changed", target=staff,
                 actor_label="" if (actor or staff) else _("système"))


# --- Housekeeping ---------------------------------------------------------------------------
def login_records_purge(*, now=None) -> dict[str, int]:
    """Delete what the policy no longer needs: failures older than 24 h, idle throttle rows
    (unlocked, no failure for 24 h), one-time codes dead for a day, sessions ended a month ago."""
    now = now or timezone.now()
    day_ago = now - timedelta(hours=24)
    failures = LoginFailure.objects.filter(created_at__lt=day_ago).delete()[0]
    throttles = LoginThrottle.objects.filter(locked_at__isnull=True).filter(
        Q(last_failure_at__lt=day_ago) | Q(last_failure_at__isnull=True)).delete()[0]
    codes_deleted = OneTimeCode.objects.filter(expires_at__lt=day_ago).delete()[0]
    sessions = UserSession.objects.filter(ended_at__lt=now - timedelta(days=30)).delete()[0]
    return {"failures": failures, "throttles": throttles, "codes": codes_deleted, "sessions": sessions}
