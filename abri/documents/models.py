"""The customer's document vault."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class CertificateKind(models.TextChoices):
    """Kinds of certificate (attestation) a customer can issue (kept here: this app's models own them)."""

    TENANT = "tenant", _("Attestation locative (pour le bailleur)")
    LENDER = "lender", _("Attestation pour l'organisme prêteur")
    TEMPORARY = "temporary", _("Attestation temporaire")
    SCHOOL = "school", _("Attestation responsabilité civile scolaire")


class VerificationOutcome(models.TextChoices):
    """What a public verification found."""

    VALID = "valid", _("Valide")
    NOT_YET_VALID = "not_yet_valid", _("Pas encore en vigueur")
    EXPIRED = "expired", _("Expirée")
    REVOKED = "revoked", _("Révoquée")
    UNKNOWN = "unknown", _("Inconnue")
    MALFORMED = "malformed", _("Numéro mal formé")


class CertificateQuerySet(CustomerOwnedQuerySet):
    """Certificates, scoped to their customer."""


class Certificate(models.Model):
    """A signed certificate (attestation) issued for one contract, verifiable by anyone by its number."""

    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="certificates")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(max_length=12, choices=CertificateKind.choices)
    valid_from = models.DateField()
    valid_until = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=200, blank=True)
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificate"
    )
    child_first_name = models.CharField(max_length=80, blank=True)
    child_last_name = models.CharField(max_length=80, blank=True)
    school_year = models.CharField(max_length=9, blank=True, help_text="e.g. 2026-2027")
    insured_initials = models.CharField(max_length=12, blank=True, help_text="Shown on public verification")
    city = models.CharField(max_length=100, blank=True, help_text="Shown on public verification")
    twoddoc_payload = models.TextField(blank=True, help_text="Signed 2D-Doc barcode content")

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "attestation"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issued_at"]),
            models.Index(fields=["contract", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    def status_on(self, day) -> str:
        """Verification outcome on a given day."""
        if self.revoked_at is not None:
            return VerificationOutcome.REVOKED
        if day < self.valid_from:
            return VerificationOutcome.NOT_YET_VALID
        if day > self.valid_until:
            return VerificationOutcome.EXPIRED
        return VerificationOutcome.VALID


class VerificationLog(models.Model):
    """One public verification of a certificate number (for the back-office), with its outcome and IP."""

    number = models.CharField(max_length=40, help_text="As typed (truncated)")
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.SET_NULL, related_name="verifications"
    )
    outcome = models.CharField(max_length=16, choices=VerificationOutcome.choices)
    channel = models.CharField(max_length=8, default="web")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "vérification d'attestation"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.outcome}"
