"""The project's URLs plus the notifications page, as the tests need them
whether or not ``feedback.urls`` includes it yet."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("", include("feedback.notification_urls")),
    *project_urlpatterns,
]
