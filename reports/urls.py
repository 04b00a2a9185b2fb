"""URLs of the report pages; mounted at ``/bao-cao/`` in ``config/urls.py``."""

from django.urls import path

from reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("thong-ke/", views.summary_view, name="report-summary"),
    path("ho-so/", views.cases_view, name="report-cases"),
    path("hoat-dong/", views.activity_view, name="report-activity"),
    path("xuat/", views.export_view, name="report-export"),
    path("xuat/<int:pk>/", views.job_view, name="report-job"),
    path("xuat/<int:pk>/tai-ve/", views.job_file, name="report-job-file"),
    path("gui/", views.submit_view, name="report-submit"),
    path("da-gui/", views.submitted_list, name="report-submitted-list"),
    path("da-gui/<int:pk>/", views.submitted_detail, name="report-submitted-detail"),
    path(
        "da-gui/<int:pk>/tai-ve/",
        views.submitted_file,
        name="report-submitted-file",
    ),
]
