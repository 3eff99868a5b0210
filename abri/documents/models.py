"""The customer's document vault."""

import builtins

from django.db import models
from django.utils import timezone

from abri.core.querysets import CustomerOwnedQuerySet
from abri.documents.choices import DocumentKind, GuaranteeCategory


class DocumentQuerySet(CustomerOwnedQuerySet):
    """The vault, scoped to its customer."""


def document_upload_to(instance, filename: str) -> str:
    """Files are stored under an opaque path, never under the name as uploaded."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix[:5]}"


class Document(models.Model):
    """A document the customer received or sent, with searchable text and metadata."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="documents")
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    property = models.ForeignKey(
        "contracts.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    claim = models.ForeignKey(
        "claims.Claim", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    issued_on = models.DateField(default=timezone.localdate)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    guarantee_category = models.CharField(
        max_length=16, choices=GuaranteeCategory.choices, default=GuaranteeCategory.GENERAL
    )
    file = models.FileField(upload_to=document_upload_to, blank=True)
    mime_type = models.CharField(max_length=80, default="application/pdf")
    size_bytes = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True, help_text="Extracted text, for search")
    search_text = models.TextField(blank=True, help_text="Normalised words (no accents, stemmed) for search")
    created_at = models.DateTimeField(default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["customer", "-issued_on"])]

    def __str__(self) -> str:
        return self.title

    @builtins.property  # in this class body, `property` is the foreign key to the insured home
    def is_pending(self) -> bool:
        """Filed, but its file is still being rendered and signed by the task (« en préparation »)."""
        return not self.file
