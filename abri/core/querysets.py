"""Owner scoping by construction: every customer-owned model's queryset derives from CustomerOwnedQuerySet.

tests/core/test_owner_scoping.py walks every model with a `customer` foreign key and fails when its default
manager does not return one.
"""

from django.db import models

from abri.core.errors import NotYours


class CustomerOwnedQuerySet(models.QuerySet):
    """Rows of customer data, always read through their owner."""

    def for_customer(self, customer):
        """This customer's rows (none at all without a customer: rows with no owner are nobody's)."""
        if customer is None:
            return self.none()
        return self.filter(customer=customer)

    def get_for_customer(self, customer, **lookup):
        """The one row matching `lookup` among this customer's, or NotYours (404) — also when it is another's."""
        try:
            return self.for_customer(customer).get(**lookup)
        except self.model.DoesNotExist as exc:
            raise NotYours(f"No {self.model.__name__} matches this customer.") from exc
