"""Shared kernel models: the append-only audit log and the worker heartbeat."""

from django.conf import settings
from django.db import models

from abri.core.querysets import CustomerOwnedQuerySet


class AuditLogQuerySet(CustomerOwnedQuerySet):
    """Append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):  # noqa: D102
        raise PermissionError("Le journal d'audit est en ajout seul.")

    def delete(self):  # noqa: D102
        raise PermissionError("Le journal d'audit est en ajout seul.")


class AuditLog(models.Model):
    """One security- or business-relevant event; never updated, never deleted."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    customer = models.ForeignKey(
        "accounts.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        # Append-only: an existing row is never rewritten.
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionError("Le journal d'audit est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal d'audit est en ajout seul.")


class WorkerHeartbeat(models.Model):
    """Last time each background worker proved it was alive (read by /healthz)."""

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%H:%M:%S}"


class RateCounter(models.Model):
    """One rate-limit window shared by every process (abri.core.ratelimit, when the store is the database)."""

    # sha256 of the limiter's key: an address or an e-mail never appears in the table.
    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    # Unix time (seconds) at which this window ends; a later hit starts a new window.
    expires_at = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count}"
