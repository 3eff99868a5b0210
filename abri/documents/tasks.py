"""Background tasks for documents."""

from django_tasks import task

from abri.documents.services import document_extract_and_index


@task()
def document_extract_text(document_id: int) -> bool:
    """Extract a new document's PDF text (pypdf) and fill `text` and `search_text` (idempotent)."""
    return document_extract_and_index(document_id=document_id)
