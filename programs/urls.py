"""Pages of the work program, mounted at ``/chuong-trinh/``."""

from django.urls import path

from programs import views

urlpatterns = [
    path("", views.program_list, name="programs"),
    path("<int:pk>/", views.program_detail, name="program-detail"),
    path("moi/", views.program_create, name="program-create"),
    path("<int:pk>/sua/", views.program_edit, name="program-edit"),
    path("<int:pk>/nhiem-vu/moi/", views.task_create, name="program-task-create"),
    path("nhiem-vu/<int:pk>/sua/", views.task_edit, name="program-task-edit"),
    path(
        "<int:pk>/kiem-tra/moi/",
        views.inspection_plan,
        name="program-inspection-plan",
    ),
    path(
        "kiem-tra/<int:pk>/ket-qua/",
        views.inspection_record,
        name="program-inspection-record",
    ),
    path(
        "kiem-tra/<int:pk>/ket-luan/",
        views.inspection_conclude,
        name="program-inspection-conclude",
    ),
    path("nhiem-vu/<int:pk>/", views.task_progress, name="program-task-progress"),
    path("bang-chung/<int:pk>/", views.evidence_file, name="program-evidence-file"),
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
