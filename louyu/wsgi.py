"""WSGI entry point, for HTTP-only app servers in a cluster (see deploy/)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "louyu.settings")
application = get_wsgi_application()
