"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("api.urls")),
    path("tiep-cong-dan/", include("petitions.urls")),
    path("doi-thoai/", include("dialogues.urls")),
    path("bao-cao/", include("reports.urls")),
    path("chuong-trinh/", include("programs.urls")),
    path("", include("feedback.urls")),
]
