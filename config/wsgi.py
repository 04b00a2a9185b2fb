"""WSGI entry point.

Each process loads the whole application here, before its first request:
the settings and apps, then the URLs with every view they import (else the
first request of each process would wait for them).  Then what is loaded is
set aside from the garbage collector (``gc.freeze``): those objects live as
long as the process, and without it every full collection walks all of them
again (a couple of hundred thousand, tens of milliseconds a pass).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view now
gc.freeze()
