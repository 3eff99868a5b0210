"""Reads for documents, always scoped to a customer."""

from __future__ import annotations

from abri.core.models import AuditLog
from abri.documents.models import Document
from abri.documents.search import documents_search  # noqa: F401 — the vault search is a selector too

DOWNLOAD_ACTION = "document.download"


def documents_for_customer(*, customer):
    """The customer's documents, newest first."""
    return Document.objects.for_customer(customer).select_related("contract").order_by("-issued_on", "-id")


def document_get(*, customer, pk: int) -> Document:
    """One of the customer's documents; another customer's answers 404."""
    return Document.objects.get_for_customer(customer, pk=pk)


def document_open(*, document: Document):
    """The document's file opened for reading, or None when it has no file or the file went missing."""
    if not document.file:
        return None
    try:
        return document.file.open("rb")
    except (FileNotFoundError, OSError):
        return None


def downloads_for_customer(*, customer):
    """The customer's document downloads and previews, newest first (from the audit log)."""
    return (
        AuditLog.objects.for_customer(customer)
        .filter(action=DOWNLOAD_ACTION, target_type="documents.document")
        .order_by("-created_at", "-id")
    )


def attach_documents(*, customer, entries: list[AuditLog]) -> None:
    """Set `entry.document` (the customer's document, or None if deleted) on each entry, in one query."""
    ids = {int(e.target_id) for e in entries if e.target_id.isdigit()}
    documents = Document.objects.for_customer(customer).in_bulk(ids) if ids else {}
    for entry in entries:
        # An attribute for the template only, not a model field (the audit row names its target by id).
        entry.document = documents.get(int(entry.target_id)) if entry.target_id.isdigit() else None  # type: ignore[attr-defined]
