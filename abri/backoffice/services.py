"""Back-office writes: the staff login steps, their audit rows and the demo code in the outbox.

The back-office has no models of its own: every state change here goes through another app's
service (accounts.mfa for TOTP, notifications for the outbox, core for the audit log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from abri.accounts.mfa import recovery_code_use, recovery_codes_generate, totp_verify
from abri.backoffice import throttle
from abri.backoffice.selectors import staff_demo_totp_code
from abri.core.middleware import client_ip
from abri.core.services import audit_record
from abri.notifications.choices import Channel
from abri.notifications.services import outbox_enqueue

User = get_user_model()

STAFF_BACKEND = "abri.accounts.backends.StaffEmailBackend"
SESSION_MFA_KEY = "backoffice_mfa_at"
RECOVERY_CODE_RE = re.compile(r"^\d{5}-?\d{5}$")
DEMO_CODE_SUBJECT = gettext_lazy("Code de vérification back-office")


@dataclass(frozen=True)
class StepOutcome:
    """Result of one login step: the staff user when it passed, or why it did not."""

    user: object | None = None
    throttled: bool = False


def _email_label(email: str) -> str:
    return (email or "").strip()[:150]


def staff_password_check(*, request, email: str, password: str) -> StepOutcome:
    """First step: e-mail + password for a staff login (customers never pass), throttled and audited."""
    ip = client_ip(request)
    if throttle.login_is_throttled(email=email, ip=ip):
        audit_record(action="staff.auth.throttled", actor_label=_email_label(email), data={"step": "password"})
        return StepOutcome(throttled=True)
    user = authenticate(request, email=email, password=password)
    if user is None or not user.is_staff or user.is_customer:
        throttle.login_failure_count(email=email, ip=ip)
        audit_record(action="staff.auth.login_failed", actor_label=_email_label(email), data={"step": "password"})
        return StepOutcome()
    audit_record(actor=user, action="staff.auth.password_ok")
    return StepOutcome(user=user)


def staff_code_check(*, request, user, code: str, enrol: bool = False) -> StepOutcome:
    """Second step: a TOTP code (each used once), or a recovery code; confirms the device when enrolling."""
    ip = client_ip(request)
    if throttle.login_is_throttled(email=user.email, ip=ip):
        audit_record(actor=user, action="staff.auth.throttled", data={"step": "totp"})
        return StepOutcome(throttled=True)
    code = (code or "").strip().replace(" ", "")
    accepted = totp_verify(user=user, code=code, confirm=enrol)
    used_recovery = False
    if not accepted and not enrol and RECOVERY_CODE_RE.match(code):
        accepted = used_recovery = recovery_code_use(user=user, code=code)
    if not accepted:
        throttle.login_failure_count(email=user.email, ip=ip)
        audit_record(actor=user, action="staff.auth.totp_failed", data={"enrolment": enrol})
        return StepOutcome()
    if enrol:
        audit_record(actor=user, action="staff.auth.totp_enrolled")
    if used_recovery:
        audit_record(actor=user, action="staff.auth.recovery_code_used")
    return StepOutcome(user=user)


def staff_login_complete(*, request, user) -> None:
    """Open the staff session (rotated by login()) once both factors passed."""
    login(request, user, backend=STAFF_BACKEND)
    request.session[SESSION_MFA_KEY] = int(timezone.now().timestamp())
    throttle.login_failures_reset(email=user.email)
    audit_record(actor=user, action="staff.auth.login")


def staff_recovery_codes_issue(*, user) -> list[str]:
    """Fresh recovery codes after enrolment, shown once."""
    codes = recovery_codes_generate(user=user)
    audit_record(actor=user, action="staff.auth.recovery_codes_issued")
    return codes


def staff_logout(*, request) -> None:
    """End the staff session."""
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="staff.auth.logout")
    logout(request)


@transaction.atomic
def staff_demo_code_send(*, user):
    """Demo mode only: put the code the authenticator would show into the demo outbox."""
    if not settings.ABRI_DEMO or not user.email:
        return None
    code = staff_demo_totp_code(user=user)
    if code is None:
        body = gettext(
            "Un code vient déjà d'être utilisé pour ce compte. Attendez 30 secondes puis demandez un "
            "nouveau code sur la page de vérification."
        )
    else:
        # totp_verify accepts the step before and after the server's (VALID_WINDOW), as authenticator
        # apps do: the code keeps working while the next one shows, and once only.
        body = gettext(
            "Votre code de vérification back-office : {code}\n\n"
            "Comme dans une application d'authentification, un nouveau code s'affiche toutes les 30 secondes "
            "et le précédent reste accepté pendant l'affichage du suivant : vous avez le temps de le recopier. "
            "Il ne sert qu'une fois.\n"
            "Mode démonstration : en production, ce code est lu dans votre application d'authentification."
        ).format(code=code)
    audit_record(actor=user, action="staff.auth.demo_code_sent")
    return outbox_enqueue(channel=Channel.EMAIL, to=user.email, subject=str(DEMO_CODE_SUBJECT), body=body)
