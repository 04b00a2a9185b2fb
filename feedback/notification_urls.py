"""URLs of the staff notifications page (``/thong-bao/``)."""

from django.urls import path

from feedback import notification_views as views

urlpatterns = [
    path("thong-bao/", views.notification_list, name="notifications"),
    path(
        "thong-bao/<int:notification_id>/mo/",
        views.notification_open,
        name="notification-open",
    ),
    path(
        "thong-bao/<int:notification_id>/da-doc/",
        views.notification_read,
        name="notification-read",
    ),
    path(
        "thong-bao/da-doc-tat-ca/",
        views.notification_read_all,
        name="notifications-read-all",
    ),
]
