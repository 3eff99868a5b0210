"""E-mail backend used by default: writes each e-mail to var/mail, readable only by the portal's user.

The e-mails carry codes and links (activation, recovery): the directory is 0700 and each file 0600, whatever
the umask. The outbox table keeps what was sent (the demo outbox reads it there, not from these files).
"""

import os

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

from abri.notifications.private_files import private_append_handle, private_directory


class OutboxCopyEmailBackend(FileEmailBackend):
    """File-based e-mail backend rooted in var/mail, private to the portal's user."""

    def __init__(self, *args, **kwargs):
        file_path = kwargs.setdefault("file_path", str(settings.VAR_DIR / "mail"))
        private_directory(file_path)
        super().__init__(*args, **kwargs)

    def open(self):
        if self.stream is None:
            self.stream = private_append_handle(os.fspath(self._get_filename()), binary=True)
            return True
        return False
