"""WSGI entry point (gunicorn abri.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abri.settings")
application = get_wsgi_application()
