"""The one error for "this object is not yours": another customer's object answers 404, never 403."""

from django.http import Http404


class NotYours(Http404):
    """Raised when a customer reaches for an object that does not exist for them (it may exist for another).

    A subclass of Http404, so views answer 404 and the API answers a 404 problem+json: a customer can never
    tell "someone else's" from "does not exist".
    """


def ensure_owner(obj, customer) -> None:
    """Raise NotYours unless `obj` (any model with a `customer` foreign key) belongs to `customer`."""
    if customer is None or obj.customer_id != customer.pk:
        raise NotYours(f"No {type(obj).__name__} matches this customer.")
