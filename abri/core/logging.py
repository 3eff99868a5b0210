"""Logging filter that masks PINs, OTPs, tokens and IBANs in any log message."""

import logging
import re

_PATTERNS = [
    (re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}\s?[A-Z0-9]{1,4}\b"), "[IBAN masqué]"),
    (re.compile(r"(?i)(pin|password|otp|code|token|secret|authorization|challenge)(['\"]?\s*[:=]\s*['\"]?)[^\s,'\"&}]+"),
     r"\1\2[masqué]"),
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [masqué]"),
]


def redact(text: str) -> str:
    """Mask secrets in a string."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record's message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not break logging
            return True
        record.msg = redact(message)
        record.args = ()
        return True
