"""Certificates (attestations) and the log of their public verifications.

The tables keep the names they had when these models lived in the documents app (migration
certificates 0001 moved them in the state only: no data is copied).
"""

from django.db import models
from django.utils import timezone

from abri.certificates.choices import CertificateKind, VerificationOutcome
from abri.core.querysets import CustomerOwnedQuerySet


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
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="certificate"
    )
    child_first_name = models.CharField(max_length=80, blank=True)
    child_last_name = models.CharField(max_length=80, blank=True)
    school_year = models.CharField(max_length=9, blank=True, help_text="e.g. 2026-2027")
    insured_initials = models.CharField(max_length=12, blank=True, help_text="Shown on public verification")
    city = models.CharField(max_length=100, blank=True, help_text="Shown on public verification")
    twoddoc_payload = models.TextField(blank=True, help_text="Signed 2D-Doc barcode content")

    objects = CertificateQuerySet.as_manager()

    class Meta:
        db_table = "documents_certificate"
        verbose_name = "attestation"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issued_at"], name="documents_c_custome_c6fcd0_idx"),
            models.Index(fields=["contract", "revoked_at"], name="documents_c_contrac_b7fa7c_idx"),
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
        db_table = "documents_verificationlog"
        verbose_name = "vérification d'attestation"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.outcome}"
