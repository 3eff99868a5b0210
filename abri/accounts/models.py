"""Identities: the user account behind every login, the customer profile, API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from abri.accounts.choices import Civility, StaffRole


class User(AbstractUser):
    """A login: customers use their customer number as username, staff their e-mail."""

    is_customer = models.BooleanField(default=False, db_index=True)
    staff_role = models.CharField(max_length=20, choices=StaffRole.choices, blank=True)

    class Meta:
        verbose_name = "utilisateur"


class CustomerQuerySet(models.QuerySet):
    """Customer lookups."""


class Customer(models.Model):
    """A policyholder: identity, contact details and the login they own."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer")
    customer_number = models.CharField(max_length=9, unique=True)
    civility = models.CharField(max_length=3, choices=Civility.choices, blank=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, db_index=True)
    birth_date = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    preferred_language = models.CharField(max_length=5, default="fr")
    dashboard_layout = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = "client"
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.customer_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def masked_phone(self) -> str:
        digits = "".join(c for c in self.phone if c.isdigit())
        return f"•• •• •• {digits[-4:-2]} {digits[-2:]}" if len(digits) >= 4 else ""

    @property
    def masked_email(self) -> str:
        if "@" not in self.email:
            return ""
        local, domain = self.email.split("@", 1)
        return f"{local[:1]}•••@{domain}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that still open the API: not revoked, within 12 hours, used within the idle timeout."""
        now = timezone.now()
        idle_cutoff = now - timedelta(seconds=settings.ABRI_SESSION_IDLE_SECONDS)
        return self.filter(revoked_at__isnull=True, expires_at__gt=now).filter(
            models.Q(last_used_at__gt=idle_cutoff) | models.Q(last_used_at__isnull=True, created_at__gt=idle_cutoff))


class ApiToken(models.Model):
    """A bearer token for the API (one signed-in app or script); only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True, help_text="Device, from the User-Agent at login")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)
    step_up_at = models.DateTimeField(null=True, blank=True, help_text="Last second factor passed with this token")

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"token {self.pk} for {self.user_id}"


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238) bound to a login, customer or staff; secret encrypted at rest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    encrypted_secret = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0, help_text="Last accepted time step: a code is used once")

    def __str__(self) -> str:
        return f"TOTP for {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use recovery code for a TOTP device (only its peppered hash is stored)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class LoginThrottle(models.Model):
    """Login policy state per customer number (known or not, so that throttling reveals nothing)."""

    customer_number = models.CharField(max_length=9, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="login_throttles"
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    retry_not_before = models.DateTimeField(null=True, blank=True)
    # Wrong second-factor codes (SMS, e-mail, TOTP, recovery codes), counted apart from wrong PINs so
    # that a correct PIN never wipes them (docs/security.md §5); same thresholds, same lock.
    factor_failures = models.PositiveIntegerField(default=0)
    factor_retry_not_before = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    lock_reason = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"throttle {self.customer_number}"


class LoginFailure(models.Model):
    """One failed login (wrong PIN or unknown number) or wrong second-factor code, for the 24-hour and
    per-IP counts."""

    class Kind(models.TextChoices):
        PIN = "pin", "code secret"
        SECOND_FACTOR = "second_factor", "second facteur"

    customer_number = models.CharField(max_length=9)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PIN)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["customer_number", "created_at"]),
            models.Index(fields=["ip_address", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"failure {self.customer_number} @ {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A single-use code or link (login OTP, step-up, activation, recovery); only digests are stored."""

    class Purpose(models.TextChoices):
        LOGIN = "login", "login"
        STEP_UP = "step_up", "step-up"
        ACTIVATION = "activation", "activation"
        RECOVERY = "recovery", "recovery"

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "e-mail"
        POST = "post", "courrier"
        TOTP = "totp", "TOTP"

    # No user: a decoy, opened when an activation or recovery matched nothing; it behaves like a real code
    # (3 tries, expiry, counted against the number typed) but no code can ever match it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="one_time_codes")
    customer_number = models.CharField(max_length=9, blank=True, help_text="Number typed (activation, recovery)")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    challenge_digest = models.CharField(max_length=64, unique=True)
    code_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    factor_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Wrong authenticator codes at the final step (recovery, activation): 3 consume it")
    used_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True, help_text="Code checked, final step pending")

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} code {self.pk} ({self.channel})"


class TrustedDevice(models.Model):
    """A browser or app the customer chose to trust after a second factor (signed cookie, digest stored)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_devices")
    token_digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"device {self.pk} of {self.user_id}"


class UserSession(models.Model):
    """One signed-in browser session, listed on « Sécurité » and endable from another session."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions")
    sid_digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user_id}"
