"""Reads for documents, always scoped to a customer."""

from django.shortcuts import get_object_or_404

from abri.documents.models import Document


def documents_for_customer(*, customer):
    """The customer's documents, newest first."""
    return Document.objects.for_customer(customer).select_related("contract").order_by("-issued_on", "-id")


def document_get(*, customer, pk: int) -> Document:
    """One of the customer's documents; another customer's answers 404."""
    return get_object_or_404(Document.objects.for_customer(customer), pk=pk)
