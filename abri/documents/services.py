"""Writes for documents: the vault's front door (`document_file`), indexing, recording downloads."""

from __future__ import annotations

import io
import logging
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from abri.core.services import audit_record
from abri.documents.choices import GuaranteeCategory
from abri.documents.models import Document, document_upload_to
from abri.documents.renderers import TEXT, renderer_get
from abri.documents.search import search_text_for
from abri.documents.signing import pdf_sign

logger = logging.getLogger(__name__)

MAX_PAGES = 50  # a vault document is a few pages; more is not worth indexing (and bounds the work)
MAX_TEXT_CHARS = 200_000


def document_file(
    *,
    customer,
    kind: str,
    title: str,
    contract=None,
    property=None,  # noqa: A002 - the Document field's name
    claim=None,
    amount: Decimal | None = None,
    guarantee_category: str = GuaranteeCategory.GENERAL,
    issued_on=None,
    text: str = "",
    lines: list[str] | None = None,
    renderer: str = "",
    renderer_args: dict | None = None,
    content: bytes | None = None,
    stored_name: str = "",
    size_bytes: int = 0,
    mime_type: str = "application/pdf",
    filename: str = "document.pdf",
    sign: bool = False,
    sign_reason: str = "",
    unsigned_if_signing_fails: bool = False,
    actor=None,
    audit_data: dict | None = None,
) -> Document:
    """THE front door of the vault: every generated or filed document goes through here.

    Builds the `Document` row (owner, contract, property, claim, kind, title, amount…), indexes it and
    writes one `document.filed` audit row, in the caller's transaction. The file comes from one of:
    - `lines` (a plain tagged text PDF) or `renderer` + `renderer_args` (a renderer registered in
      `abri.documents.renderers`): rendered, signed when `sign`, and stored by the `document_render` task,
      outside any transaction (ADR 0001). Until it ran the row has no file: pages say « en préparation »;
    - `content` (bytes): stored now (small files only; signing `content` also goes to the task);
    - `stored_name`: a file already in storage (an uploaded, re-encoded evidence file), linked as is.

    `text` is what search indexes (default: the title and the lines); without it the PDF's text is
    extracted once the file is stored.
    """
    if lines is not None:
        renderer, renderer_args = TEXT, {"title": title, "lines": lines}
        text = text or "\n".join([title, *lines])
    document = Document(
        customer=customer, contract=contract, property=property, claim=claim, kind=kind, title=title[:200],
        issued_on=issued_on or timezone.localdate(), amount=amount, guarantee_category=guarantee_category,
        mime_type=mime_type, size_bytes=size_bytes, text=text,
    )
    if stored_name:
        document.file.name = stored_name
    elif content is not None and not sign:
        document.file.save(filename, ContentFile(content), save=False)
        document.size_bytes = len(content)
    document.search_text = search_text_for(document) if text else ""
    with transaction.atomic():
        document.save()
        audit_record(
            actor=actor, action="document.filed", target=document, customer=customer,
            data={"kind": kind, "title": document.title, **(audit_data or {})}, actor_label="" if actor else "system",
        )
        if not document.file:
            _render_enqueue(document_id=document.pk, renderer=renderer, renderer_args=renderer_args or {},
                            content=content, filename=filename, sign=sign, sign_reason=sign_reason or title,
                            unsigned_if_signing_fails=unsigned_if_signing_fails)
            document.refresh_from_db(fields=["file", "size_bytes"])  # an immediate backend stored it already
        elif not text:
            document_added(document=document)
    return document


def _render_enqueue(*, document_id: int, renderer: str, renderer_args: dict, content: bytes | None, **options) -> None:
    """Hand the slow work to the task queue.

    With the database task store (the default) the task row is written in the caller's transaction: it
    commits or rolls back with the document, and the worker sees it only once committed. The immediate
    backend (tests, `ABRI_TASKS_IMMEDIATE`) runs it at once. An external queue (RQ) is given the task
    only after the commit, so that its worker never looks for a row that is not there yet.
    """
    from abri.documents.tasks import document_render

    if content is not None:
        renderer, renderer_args = "", {"content_hex": content.hex()}
    args = {"document_id": document_id, "renderer": renderer, "renderer_args": renderer_args, **options}
    if document_render.get_backend().__class__.__module__.startswith("django_tasks_rq"):
        transaction.on_commit(lambda: document_render.enqueue(**args))
    else:
        document_render.enqueue(**args)


def document_render_and_store(*, document_id: int, renderer: str, renderer_args: dict, filename: str,
                              sign: bool, sign_reason: str, unsigned_if_signing_fails: bool = False) -> bool:
    """Render, sign and store a document's file (the `document_render` task); idempotent.

    Runs outside any transaction (slow I/O): only the final conditional update is written, so that two
    runs of the same task store one file. False when the document is gone or already has its file.
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None or document.file:
        return False
    data = bytes.fromhex(renderer_args["content_hex"]) if not renderer else renderer_get(renderer)(**renderer_args)
    if sign:
        try:
            data = pdf_sign(data, reason=sign_reason[:200])
        except Exception:
            if not unsigned_if_signing_fails:
                raise
            # An unsigned acknowledgement beats none (e.g. a termination's: the legal date is what matters).
            logger.exception("document %s could not be signed: stored unsigned", document_id)
    name = default_storage.save(document_upload_to(document, filename), ContentFile(data))
    if not Document.objects.filter(pk=document_id, file="").update(file=name, size_bytes=len(data)):
        default_storage.delete(name)  # a concurrent run stored it first
        return False
    if not document.text:
        document_extract_and_index(document_id=document_id)
    return True


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
