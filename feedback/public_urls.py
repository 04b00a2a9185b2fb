"""URLs of the public pages (Vietnamese paths: they are printed on receipts
and read aloud at the desk)."""

from django.urls import path

from feedback import public_views

urlpatterns = [
    path("gui-y-kien/", public_views.submit, name="public-submit"),
    path("quyen-rieng-tu/", public_views.privacy, name="public-privacy"),
    path("tra-cuu/", public_views.track, name="public-track"),
    path("tra-cuu/danh-gia/", public_views.rate, name="public-rate"),
    path("cong-khai/", public_views.answers, name="public-answers"),
    path("thong-ke/", public_views.scorecard_page, name="public-scorecard"),
]
