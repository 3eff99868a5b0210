"""Public verification of certificates: a landlord, a bank or a school checks a number (logged, rate-limited)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from abri.certificates.choices import VerificationOutcome
from abri.certificates.models import Certificate, VerificationLog
from abri.certificates.rules import certificate_number_is_valid, certificate_number_normalize
from abri.core import ratelimit


@dataclass(frozen=True)
class VerificationResult:
    """What a third party may learn: the outcome and the minimum about the certificate."""

    number: str
    outcome: str
    kind_label: str = ""
    insured_initials: str = ""
    city: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @property
    def outcome_label(self) -> str:
        return str(VerificationOutcome(self.outcome).label)


def verification_rate_limit(*, ip: str) -> int | None:
    """Count one verification for this IP; the seconds to wait when over the limit, else None."""
    limit = int(getattr(settings, "ABRI_VERIFY_RATE_LIMIT", 30))
    window = int(getattr(settings, "ABRI_VERIFY_RATE_WINDOW", 600))
    decision = ratelimit.hit(f"verify-rate:{ip or 'unknown'}", limit=limit, window_seconds=window)
    return None if decision.allowed else decision.retry_after_seconds


def _valid_ip(ip: str | None) -> str | None:
    # A proxy misconfiguration must not turn a verification into a database error (inet columns).
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def certificate_verify(*, raw_number: str, ip: str | None, channel: str = "web") -> VerificationResult:
    """Look a number up for a third party and log the verification (outcome and IP)."""
    number = certificate_number_normalize(raw_number)
    certificate = None
    if not certificate_number_is_valid(number):
        outcome = VerificationOutcome.MALFORMED
    else:
        certificate = Certificate.objects.filter(number=number).first()
        outcome = (
            certificate.status_on(timezone.localdate()) if certificate is not None else VerificationOutcome.UNKNOWN
        )
    VerificationLog.objects.create(
        number=(raw_number or "")[:40], certificate=certificate, outcome=outcome, channel=channel[:8],
        ip_address=_valid_ip(ip),
    )
    if certificate is None:
        return VerificationResult(number=number, outcome=outcome)
    return VerificationResult(
        number=number, outcome=outcome, kind_label=str(certificate.get_kind_display()),
        insured_initials=certificate.insured_initials, city=certificate.city,
        valid_from=certificate.valid_from, valid_until=certificate.valid_until,
    )


def verification_log_document(*, check, raw_number: str, ip: str | None, channel: str = "web") -> None:
    """Log the verification of another document's number (an invoice's: abri.documents.verification)."""
    VerificationLog.objects.create(
        number=(raw_number or "")[:40], certificate=None,
        outcome=VerificationOutcome.VALID if check.authentic else VerificationOutcome.UNKNOWN, channel=channel[:8],
        ip_address=_valid_ip(ip),
    )
