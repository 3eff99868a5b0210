"""PIN and password hashing: Argon2id over HMAC-SHA256(pepper, secret).

The pepper lives outside the database (environment, or var/ locally), so a database dump
alone does not allow an offline brute force of the 10^6 possible PINs.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


def pepper(secret: str) -> str:
    """HMAC the secret with the pepper, hex-encoded."""
    key = settings.ABRI_PIN_PEPPER.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


class PepperedArgon2Hasher(Argon2PasswordHasher):
    """Argon2id (Django's parameters, see docs/security.md) over a peppered HMAC."""

    algorithm = "argon2p"
    time_cost = 2
    memory_cost = 19456  # KiB: OWASP's Argon2id minimum (19 MiB, t=2, p=1)
    parallelism = 1

    def encode(self, password, salt):
        return super().encode(pepper(password), salt)

    def verify(self, password, encoded):
        return super().verify(pepper(password), encoded)

    def harden_runtime(self, password, encoded):
        return None
