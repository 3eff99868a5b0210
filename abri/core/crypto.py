"""Field encryption for secrets kept at rest (full IBAN): Fernet keyed from the pepper, outside the database."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet(purpose: str) -> Fernet:
    key = hashlib.sha256(f"{purpose}:{settings.ABRI_PIN_PEPPER}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_text(value: str, *, purpose: str) -> str:
    """Encrypt a short secret for storage."""
    return _fernet(purpose).encrypt(value.encode()).decode()


def decrypt_text(token: str, *, purpose: str) -> str | None:
    """Decrypt, or None when the key changed or the value was tampered with."""
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
