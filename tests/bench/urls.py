"""The project's URLconf plus an unconditional FLOOR route, to test the
view's own flag check."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from feedback.bench_views import bench_floor

urlpatterns = [
    path("bench/floor/<int:pk>/", bench_floor, name="bench-floor"),
    *project_urlpatterns,
]
