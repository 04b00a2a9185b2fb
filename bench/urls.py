"""The bench URLconf: the project's routes, plus the FLOOR view while
``settings.BENCH_FLOOR_VIEW`` is on."""

from django.conf import settings
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from feedback.bench_views import bench_floor

urlpatterns = list(project_urlpatterns)
if getattr(settings, "BENCH_FLOOR_VIEW", False):
    urlpatterns.insert(
        0, path("bench/floor/<int:pk>/", bench_floor, name="bench-floor")
    )
