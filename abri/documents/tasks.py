"""Background tasks for documents."""

from django_tasks import task

from abri.documents.services import document_extract_and_index, document_render_and_store


@task()
def document_extract_text(document_id: int) -> bool:
    """Extract a new document's PDF text (pypdf) and fill `text` and `search_text` (idempotent)."""
    return document_extract_and_index(document_id=document_id)


@task()
def document_render(document_id: int, renderer: str, renderer_args: dict, filename: str, sign: bool, sign_reason: str,
                    unsigned_if_signing_fails: bool = False) -> bool:
    """Render, sign and store a document filed by `document_file` (idempotent: a second run stores nothing)."""
    return document_render_and_store(
        document_id=document_id, renderer=renderer, renderer_args=renderer_args, filename=filename, sign=sign,
        sign_reason=sign_reason, unsigned_if_signing_fails=unsigned_if_signing_fails,
    )
