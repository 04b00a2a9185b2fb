"""URLs of the reception desk, mounted at ``/tiep-cong-dan/``."""

from django.urls import path

from petitions import views

urlpatterns = [
    path("", views.desk, name="reception-desk"),
    path("so-tiep-cong-dan/", views.register, name="reception-register"),
    path("luot-tiep/moi/", views.visit_create, name="reception-visit-create"),
    path("luot-tiep/<int:visit_id>/", views.visit_detail, name="reception-visit"),
    path("tiep-nhan-don/", views.case_create, name="reception-case-create"),
    path("vu-viec/<int:case_id>/bien-nhan/", views.receipt, name="reception-receipt"),
    path(
        "vu-viec/<int:case_id>/luu-don/",
        views.case_archive,
        name="reception-case-archive",
    ),
]
