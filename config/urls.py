"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.views import auth as api_auth
from feedback import file_views
from feedback.account_views import LoginView

urlpatterns = [
    path(".well-known/security.txt", file_views.security_txt, name="security-txt"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dang-nhap/", LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/ma-api/", api_auth.token_page, name="account-api-tokens"),
    path(
        "tai-khoan/ma-api/<int:pk>/thu-hoi/",
        api_auth.token_page_revoke,
        name="account-api-token-revoke",
    ),
    path("tai-khoan/", include("feedback.account_urls")),
    path("api/", include("api.urls")),
    path("tiep-cong-dan/", include("petitions.urls")),
    path("doi-thoai/", include("dialogues.urls")),
    path("bao-cao/", include("reports.urls")),
    path("chuong-trinh/", include("programs.urls")),
    path("", include("feedback.urls")),
]
