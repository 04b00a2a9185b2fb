"""URLs of the staff account pages, under ``/tai-khoan/``.

``verify``, ``enrol`` and ``recovery-codes`` stay reachable by a session that
still owes its second factor (see ``feedback.middleware``).
"""

from django.urls import path

from feedback import account_views as views

app_name = "account"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("xac-minh/", views.verify, name="verify"),
    path("hai-lop/dang-ky/", views.enrol, name="enrol"),
    path("hai-lop/ma-du-phong/", views.recovery_codes, name="recovery-codes"),
    path(
        "hai-lop/ma-du-phong/tao-lai/",
        views.recovery_codes_regenerate,
        name="recovery-codes-regenerate",
    ),
    path("hai-lop/tat/", views.two_factor_disable, name="two-factor-disable"),
    path("phien/<int:pk>/dang-xuat/", views.session_end, name="session-end"),
    path(
        "phien/dang-xuat-noi-khac/",
        views.sessions_end_others,
        name="sessions-end-others",
    ),
]
