"""URLs of the meeting pages, mounted at ``/doi-thoai/``."""

from django.urls import path

from dialogues import views

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("moi/", views.meeting_create, name="meeting-create"),
    path("lich/", views.calendar_current, name="meetings-calendar-current"),
    path("lich/<int:year>/", views.meeting_calendar, name="meetings-calendar"),
    path("diem-nong/", views.hot_spots, name="meetings-hot-spots"),
    path("ket-qua/", views.public_results, name="meetings-public-results"),
    path(
        "ket-qua/<int:pk>/",
        views.public_result_detail,
        name="meetings-public-result",
    ),
    path("<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("<int:pk>/sua/", views.meeting_edit, name="meeting-edit"),
    path(
        "<int:pk>/thao-tac/<slug:action>/",
        views.meeting_transition,
        name="meeting-transition",
    ),
    path("<int:pk>/bien-ban/", views.meeting_record, name="meeting-record"),
    path(
        "<int:pk>/bien-ban/tep/",
        views.meeting_minutes_file,
        name="meeting-minutes-file",
    ),
    path("<int:pk>/y-kien/them/", views.meeting_items_add, name="meeting-items-add"),
    path(
        "<int:pk>/y-kien/xu-ly/",
        views.meeting_items_process,
        name="meeting-items-process",
    ),
    path("<int:pk>/y-kien/gop/", views.meeting_items_merge, name="meeting-items-merge"),
    path(
        "<int:pk>/y-kien/<int:item_pk>/tach/",
        views.item_unmerge,
        name="meeting-item-unmerge",
    ),
    path(
        "<int:pk>/y-kien/<int:item_pk>/diem-nong/",
        views.item_hot_spot,
        name="meeting-item-hot-spot",
    ),
    path("<int:pk>/cong-khai/", views.meeting_publish, name="meeting-publish"),
    path("<int:pk>/bao-cao/", views.meeting_report_back, name="meeting-report-back"),
]
