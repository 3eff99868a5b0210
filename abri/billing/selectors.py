"""Reads for billing, always scoped to a customer."""

from abri.billing.models import ScheduleItem


def schedule_for_customer(*, customer):
    """The customer's instalments, most recent due date first."""
    return ScheduleItem.objects.for_customer(customer).select_related("contract").order_by("-due_date", "-id")


def indemnities_for_customer(*, customer):
    """Indemnities paid to the customer on their claims, newest first."""
    from abri.claims.models import ClaimPayment

    return ClaimPayment.objects.filter(customer=customer).select_related("claim").order_by("-paid_at")
