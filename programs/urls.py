"""Pages of the work program, mounted at ``/chuong-trinh/``."""

from django.urls import path

from programs import views

urlpatterns = [
    path("", views.program_list, name="programs"),
    path("<int:pk>/", views.program_detail, name="program-detail"),
    path("nhiem-vu/<int:pk>/", views.task_progress, name="program-task-progress"),
    path(
        "diem-sang/dang-ky/",
        views.bright_spot_register,
        name="bright-spot-register",
    ),
    path(
        "diem-sang/<int:pk>/<slug:action>/",
        views.bright_spot_action,
        name="bright-spot-action",
    ),
    path(
        "kiem-tra/viec/<int:pk>/xong/",
        views.follow_up_complete,
        name="follow-up-complete",
    ),
]
