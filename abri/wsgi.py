"""WSGI entry point (gunicorn abri.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abri.settings")
application = get_wsgi_application()

# The server's access log (gunicorn.access) writes every request line, secret links included: masked.
from abri.core.logging import install_redaction  # noqa: E402 - after Django is set up

install_redaction()
