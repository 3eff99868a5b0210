"""Card payments through a payment-service provider (PSP): adapters chosen by ABRI_PSP.

- `sandbox` (default, offline): abri.billing.psp.sandbox, with its hosted page in sandbox_views.
- `stripe`: abri.billing.psp.stripe_adapter, with Stripe's official SDK.
"""

from __future__ import annotations

from django.conf import settings

from abri.billing.psp.base import PaymentAdapter


def adapter_for(provider: str) -> PaymentAdapter | None:
    """The adapter of a provider name, or None when unknown or not configured (its webhooks are then a 404)."""
    if provider == "sandbox" and settings.ABRI_PSP == "sandbox":
        from abri.billing.psp.sandbox import SandboxAdapter

        return SandboxAdapter()
    if provider == "stripe" and settings.ABRI_PSP == "stripe" and settings.STRIPE_SECRET_KEY:
        from abri.billing.psp.stripe_adapter import StripeAdapter

        return StripeAdapter()
    return None


def current_adapter() -> PaymentAdapter:
    """The configured PSP (ABRI_PSP)."""
    adapter = adapter_for(settings.ABRI_PSP)
    if adapter is None:
        raise RuntimeError(f"ABRI_PSP={settings.ABRI_PSP!r} is not usable (unknown, or STRIPE_SECRET_KEY missing)")
    return adapter
