"""Factories for documents."""

from django.core.files.base import ContentFile

from abri.documents.models import Document
from abri.documents.rendering import render_text_pdf


def make_document(*, customer, title="Attestation", kind="certificate", text="attestation d'assurance", **kwargs):
    """A real PDF document in the customer's vault."""
    pdf = render_text_pdf(title=title, lines=[text])
    doc = Document(customer=customer, kind=kind, title=title, text=f"{title}\n{text}", size_bytes=len(pdf), **kwargs)
    doc.file.save("doc.pdf", ContentFile(pdf), save=False)
    doc.save()
    return doc
