"""Reads for certificates: the customer's certificates and contracts, the verification log."""

from __future__ import annotations

import datetime as dt

from abri.certificates.models import Certificate, VerificationLog
from abri.contracts.models import Contract


def contracts_certifiable(*, customer):
    """The customer's contracts for which a certificate can be issued (active ones), oldest first."""
    return (
        Contract.objects.for_customer(customer)
        .in_force()
        .select_related("property")
        .order_by("start_date", "id")
    )


def certificates_for_customer(*, customer):
    """The customer's certificates, newest first."""
    return Certificate.objects.for_customer(customer).select_related("contract", "document").order_by("-issued_at", "-id")


def certificate_get(*, customer, number: str) -> Certificate:
    """One of the customer's certificates by number; another customer's answers 404."""
    return Certificate.objects.select_related("document").get_for_customer(customer, number=number)


def verification_logs(*, number: str = "", outcome: str = "", since: dt.datetime | None = None):
    """Public verifications, newest first, for the back-office (filter by number, outcome, date)."""
    logs = VerificationLog.objects.select_related("certificate").order_by("-created_at", "-id")
    if number:
        logs = logs.filter(number__icontains=number.strip()[:40])
    if outcome:
        logs = logs.filter(outcome=outcome)
    if since is not None:
        logs = logs.filter(created_at__gte=since)
    return logs
