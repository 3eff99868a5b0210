"""E-mail backend used by default: writes each e-mail to var/mail (a copy stays readable on the demo outbox)."""

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class OutboxCopyEmailBackend(FileEmailBackend):
    """File-based e-mail backend rooted in var/mail; the outbox table keeps what was sent."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", str(settings.VAR_DIR / "mail"))
        super().__init__(*args, **kwargs)
