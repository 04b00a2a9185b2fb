from django.urls import include, path

from feedback import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("feedback.staff_urls")),
    path("", include("feedback.public_urls")),
    path("", include("feedback.notification_urls")),
]
