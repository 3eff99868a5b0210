"""Reads for claims, always scoped to a customer (or to staff with the claims permission)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from abri.billing.ports import Indemnity
from abri.claims.choices import OPEN_STATUSES, ClaimStatus
from abri.claims.models import (
    Claim,
    ClaimDraft,
    ClaimMessage,
    ClaimPayment,
    ClaimRequest,
    ClaimStep,
    Evidence,
)


def claims_for_customer(*, customer):
    """The customer's claims, newest first."""
    return (
        Claim.objects.for_customer(customer)
        .select_related("contract", "contract__property")
        .order_by("-declared_at")
    )


def claim_get(*, customer, number: str) -> Claim:
    """One of the customer's claims with everything its page shows; another customer's answers 404."""
    qs = claims_for_customer(customer=customer).select_related("handler").prefetch_related(
        Prefetch("steps", queryset=ClaimStep.objects.order_by("created_at", "id")),
        Prefetch("requests", queryset=ClaimRequest.objects.order_by("created_at", "id")),
        Prefetch("messages", queryset=ClaimMessage.objects.select_related("author").order_by("created_at", "id")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("received_at", "id")),
        "payments",
        "documents",
    )
    return qs.get_for_customer(customer, number=number)


def drafts_for_customer(*, customer):
    """Declarations in progress, most recent first."""
    return ClaimDraft.objects.for_customer(customer).filter(submitted_at__isnull=True).annotate(
        files=Count("evidence")).order_by("-updated_at")


def draft_get(*, customer, key) -> ClaimDraft:
    """One of the customer's drafts; another customer's answers 404."""
    return ClaimDraft.objects.get_for_customer(customer, key=key)


def evidence_get(*, customer, key) -> Evidence:
    """One of the customer's files; another customer's answers 404."""
    return Evidence.objects.get_for_customer(customer, key=key)


# --- Staff ----------------------------------------------------------------------------------
def claims_queue(*, event: str = "", status: str = "", older_than_days: int | None = None, min_amount=None,
                 deadline_risk: bool = False, handler=None):
    """The handler's queue with filters; deadline risk = no answer within the legal month (loi 2021-1837)."""
    qs = Claim.objects.select_related("customer", "contract", "handler").order_by("declared_at")
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if event:
        qs = qs.filter(event_type=event)
    if older_than_days:
        qs = qs.filter(declared_at__lte=timezone.now() - timedelta(days=older_than_days))
    if min_amount is not None:
        qs = qs.filter(estimated_amount__gte=min_amount)
    if deadline_risk:
        qs = qs.filter(
            Q(status__in=[ClaimStatus.RECEIVED, ClaimStatus.UNDER_REVIEW],
              declared_at__lte=timezone.now() - timedelta(days=21))
            | Q(status=ClaimStatus.REPORT_RECEIVED, updated_at__lte=timezone.now() - timedelta(days=21))
            | Q(status=ClaimStatus.ACCEPTED, updated_at__lte=timezone.now() - timedelta(days=14))
        )
    if handler is not None:
        qs = qs.filter(handler=handler)
    return qs


def claim_for_staff(*, number: str) -> Claim:
    """Any claim, for staff (the view checks the permission)."""
    qs = Claim.objects.select_related("customer", "contract", "contract__property", "handler").prefetch_related(
        Prefetch("steps", queryset=ClaimStep.objects.select_related("actor").order_by("created_at", "id")),
        "requests", Prefetch("messages", queryset=ClaimMessage.objects.select_related("author")),
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("received_at", "id")),
        "payments", "contract__guarantees",
    )
    return get_object_or_404(qs, number=number)


def indemnified_claims_since(contract, since) -> int:
    """Claims on a contract declared since `since` and settled with an indemnity (the pricing's claims history).

    Registered as contracts' claims-history port by `ClaimsConfig.ready()` (ADR 0010)."""
    return Claim.objects.filter(contract=contract, declared_at__gte=since, status__in=[ClaimStatus.PAID, ClaimStatus.CLOSED],
                                settled_amount__gt=0).count()


class ClaimIndemnities:
    """The indemnities paid on claims, for billing's payment history (billing's `IndemnitySource` port, ADR 0010)."""

    def indemnities(self, *, customer, contract_number: str | None = None) -> list[Indemnity]:
        payments = ClaimPayment.objects.for_customer(customer)
        if contract_number:
            payments = payments.filter(claim__contract__number=contract_number)
        return [Indemnity(*row) for row in payments.values_list(
            "pk", "amount", "paid_at", "reference", "claim__number", "claim__contract_id", "claim__contract__number")]

    def indemnity_years(self, *, customer) -> set[int]:
        return {day.year for day in ClaimPayment.objects.for_customer(customer).dates("paid_at", "year")}


def claim_documents_besides_evidence(*, claim: Claim):
    """The claim's documents that are not a copy of its evidence (each photo is listed once, with its thumbnail).

    evidence_file_in_vault files each piece of evidence in the customer's documents too, on the same stored file.
    """
    evidence_files = [name for name in claim.evidence.values_list("file", flat=True) if name]
    return claim.documents.exclude(file__in=evidence_files)
