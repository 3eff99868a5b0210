"""Writes for documents: indexing a new document for search, recording downloads."""

from __future__ import annotations

import io
import logging

from django.db import transaction

from abri.core.services import audit_record
from abri.documents.models import Document
from abri.documents.search import search_text_for

logger = logging.getLogger(__name__)

MAX_PAGES = 50  # a vault document is a few pages; more is not worth indexing (and bounds the work)
MAX_TEXT_CHARS = 200_000


def document_added(*, document: Document) -> None:
    """Call after creating a document: its text is extracted and indexed in the background once committed."""
    from abri.documents.tasks import document_extract_text

    document_id = document.pk
    transaction.on_commit(lambda: document_extract_text.enqueue(document_id))


def pdf_text(data: bytes) -> str:
    """The text of a PDF (pypdf), bounded in pages and characters; "" when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        chunks, size = [], 0
        for page in reader.pages[:MAX_PAGES]:
            chunk = page.extract_text() or ""
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_TEXT_CHARS:
                break
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.warning("document text extraction failed: %s", exc.__class__.__name__)
        return ""
    return "\n".join(chunks)[:MAX_TEXT_CHARS]


def document_extract_and_index(*, document_id: int) -> bool:
    """Extract a PDF document's text into `text` and recompute `search_text`; False if it is gone.

    The file is read outside any transaction (slow I/O); only the final update is written.
    """
    document = Document.objects.select_related("contract__property", "property").filter(pk=document_id).first()
    if document is None:
        return False
    if document.file and document.mime_type == "application/pdf":
        try:
            with document.file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError):
            logger.warning("document %s: file missing, indexing metadata only", document_id)
        else:
            extracted = pdf_text(data)
            if extracted.strip():
                document.text = extracted
    document.search_text = search_text_for(document)
    Document.objects.filter(pk=document_id).update(text=document.text, search_text=document.search_text)
    return True


@transaction.atomic
def document_download_record(*, actor, document: Document, preview: bool, channel: str = "web") -> None:
    """Record one download (or in-browser preview) of a document in the audit log, to the microsecond."""
    audit_record(
        actor=actor,
        action="document.download",
        target=document,
        customer=document.customer,
        data={"title": document.title[:200], "preview": preview, "channel": channel},
    )
