"""URLs of the staff pages: the work queue and the case page."""

from django.urls import path

from feedback import file_views, staff_views

urlpatterns = [
    path("viec-cua-toi/", staff_views.work_queue, name="work-queue"),
    path("ho-so/<int:pk>/", staff_views.case_detail, name="case-detail"),
    path(
        "ho-so/<int:pk>/thao-tac/<slug:action>/",
        staff_views.case_action,
        name="case-action",
    ),
    path(
        "ho-so/<int:pk>/tep/<int:attachment_pk>/",
        file_views.case_attachment,
        name="case-attachment",
    ),
]
