"""Report settings in the admin: one valid row per day and unit."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from reports.models import ReportSettings

pytestmark = pytest.mark.django_db

FORM = {
    "issuing_body": "Ban Chỉ đạo công tác dân vận chính quyền xã",
    "symbol": "BCĐ",
    "place": "Xuân Thành",
    "signer_position": "Trưởng ban",
    "signer_name": "Phan Hoàng Thụ",
    "quarter_window": "calendar",
    "half_year_window": "cutoff",
    "nine_months_window": "calendar",
    "year_window": "cutoff",
    "recipients-TOTAL_FORMS": "1",
    "recipients-INITIAL_FORMS": "0",
    "recipients-0-position": "1",
    "recipients-0-name": "Ban Dân vận Huyện ủy",
    "recipients-0-purpose": "b/c",
}


@pytest.fixture
def root_client(client):
    root = get_user_model().objects.create_superuser(
        "root", "root@example.com", "secret-pass-1"
    )
    client.force_login(root)
    return client


def test_settings_with_recipients_are_added(root_client, commune):
    response = root_client.post(
        "/admin/reports/reportsettings/add/",
        {**FORM, "unit": commune.root.pk, "valid_to": "30/06/2025"},
    )
    assert response.status_code == 302
    settings = ReportSettings.objects.get()
    assert settings.valid_to == dt.date(2025, 6, 30)
    assert [r.name for r in settings.recipients.all()] == ["Ban Dân vận Huyện ủy"]


def test_overlapping_settings_are_refused_in_vietnamese(root_client, commune):
    ReportSettings.objects.create(
        unit=commune.root,
        valid_to=dt.date(2025, 6, 30),
        issuing_body="BCĐ",
        symbol="BCĐ",
        place="X",
        signer_position="Trưởng ban",
        signer_name="A",
    )
    response = root_client.post(
        "/admin/reports/reportsettings/add/",
        {**FORM, "unit": commune.root.pk, "valid_from": "01/06/2025"},
    )
    assert response.status_code == 200
    assert "còn hiệu lực trong khoảng thời gian này" in response.content.decode()
    ok = root_client.post(
        "/admin/reports/reportsettings/add/",
        {**FORM, "unit": commune.root.pk, "valid_from": "01/07/2025"},
    )
    assert ok.status_code == 302
    assert ReportSettings.objects.count() == 2
