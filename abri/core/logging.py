"""Logging filter that masks PINs, OTPs, tokens, IBANs and secret URLs in any log message.

It runs on every handler of the portal (settings.LOGGING) and on the access and error logs of the
server (gunicorn, runserver: `install_redaction()`, called by abri.wsgi), so that a request line such as
``GET /identifiants-oublies/lien/<token>/`` is written ``GET /identifiants-oublies/lien/[masqué]/``,
in the request and in the Referer of the next one.
"""

import logging
import re

MASK = "[masqué]"
_PATTERNS = [
    (re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}\s?[A-Z0-9]{1,4}\b"), "[IBAN masqué]"),
    # A path segment after a word that announces a secret link (recovery link, tokens, calendar feeds).
    (re.compile(r"(?i)(/(?:lien|liens|link|links|token|tokens|jeton|jetons|ical|calendrier|calendar|feed)/)"
                r"[^/?#&\s\"']+"), rf"\1{MASK}"),
    # Any other path segment that looks like a random token (32+ URL-safe characters, not a UUID). No digit
    # is required: one random token in ~200 has none (it then leaked, e.g. in a Referer), and no page of
    # the portal has a 32-character path segment that is not a secret.
    (re.compile(r"(?<=/)(?![0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-]))"
                r"(?=[\w-]*[A-Za-z])[\w-]{32,}(?=[/?#\s\"']|$)"), MASK),
    # key=value or key: value, in query strings, JSON and messages.
    (re.compile(r"(?i)(pin|password|passwd|otp|code|token|jeton|secret|authorization|challenge|signature|sig"
                r"|api_?key|sessionid|csrftoken|iban)(['\"]?\s*[:=]\s*['\"]?)[^\s,'\"&;}]+"),
     rf"\1\2{MASK}"),
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"), f"Bearer {MASK}"),
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


# Loggers whose records carry request lines or paths, whatever handler an operator attaches to them.
REQUEST_LOGGERS = ("gunicorn.access", "gunicorn.error", "django.server", "django.request", "django.security")


def install_redaction() -> None:
    """Attach the filter to the loggers that write request lines (idempotent)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
            logger.addFilter(RedactSecretsFilter())
