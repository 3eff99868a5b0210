"""Reads for billing, always scoped to a customer."""

from abri.billing.models import ScheduleItem


def schedule_for_customer(*, customer):
    """The customer's instalments, most recent due date first."""
    return ScheduleItem.objects.for_customer(customer).select_related("contract").order_by("-due_date", "-id")
