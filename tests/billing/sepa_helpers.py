"""Helpers for the SEPA tests: a mandate written directly (no PDF), bank files filled from the fixtures."""

import datetime as dt
from pathlib import Path

from django.utils import timezone

from abri.billing.direct_debit import IBAN_PURPOSE, iban_fingerprint
from abri.billing.models import SepaMandate
from abri.core.crypto import encrypt_text

FIXTURES = Path(__file__).parent / "fixtures"
ALICE_IBAN = "FR7630006000011234567890189"
BOB_IBAN = "FR1420041010050500013M02606"


def make_mandate(customer, *, iban=ALICE_IBAN, signed=dt.date(2026, 1, 5), status="active", reference=""):
    return SepaMandate.objects.create(
        customer=customer, reference=reference or f"ABRI-{customer.customer_number}-TEST", holder=customer.full_name,
        iban_encrypted=encrypt_text(iban, purpose=IBAN_PURPOSE), iban_first4=iban[:4], iban_last4=iban[-4:],
        iban_fingerprint=iban_fingerprint(iban), bic="", status=status,
        signed_at=timezone.make_aware(dt.datetime.combine(signed, dt.time(10))), consent_text="(test)")


def bank_file(name: str, **values) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.encode()
