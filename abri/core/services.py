"""Shared write services: the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models

from abri.core.models import AuditLog
from abri.core.request_context import current_request_meta

SECRET_KEYS = {"pin", "password", "otp", "code", "token", "iban", "secret", "challenge"}


def _clean(data: dict[str, Any] | None) -> dict[str, Any]:
    """Drop any value whose key names a secret: the audit log never holds one."""
    if not data:
        return {}
    return {k: v for k, v in data.items() if not any(s in k.lower() for s in SECRET_KEYS)}


def audit_record(
    *,
    actor=None,
    action: str,
    target: models.Model | None = None,
    customer=None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
    actor_label: str = "",
) -> AuditLog:
    """Append one event to the audit log (call inside the business transaction)."""
    meta = current_request_meta()
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    if not actor_label and actor is not None:
        actor_label = getattr(actor, "username", "") or str(actor)
    if customer is None and target is not None:
        customer = getattr(target, "customer", None)
        if customer is None and target.__class__.__name__ == "Customer":
            customer = target
    return AuditLog.objects.create(
        actor=actor,
        actor_label=actor_label[:150],
        customer=customer,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=ip_address or meta.get("ip"),
        request_id=meta.get("request_id", ""),
        data=_clean(data),
    )
