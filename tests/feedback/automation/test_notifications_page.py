"""The bell in the header and the notifications page behind it."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone

from feedback.context_processors import notifications as bell_context
from feedback.models import Notification
from feedback.selectors.notifications import case_link
from tests.factories import UserFactory, make_case

pytestmark = [
    pytest.mark.django_db,
]


def notify(user, count, *, case=None, read=False, title="Sắp đến hạn", days_ago=0):
    start = timezone.now() - dt.timedelta(days=days_ago, hours=count)
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            case=case,
            kind="reminder",
            title=f"{title} {number}",
            body="Đường liên xóm xuống cấp — hạn 17/03/2025.",
            created_at=start + dt.timedelta(hours=number),
            read_at=timezone.now() if read else None,
        )
        for number in range(count)
    )


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_the_bell_counts_unread_notifications_with_one_query(
    commune, rf, django_assert_num_queries
):
    notify(commune.officer, 3)
    notify(commune.officer, 2, read=True)
    notify(commune.leader, 4)
    request = rf.get("/")
    request.user = fresh(commune.officer)

    with django_assert_num_queries(1):
        context = bell_context(request)
        assert context == {"unread_notifications": 3}
        assert bell_context(request) == context


def test_the_bell_counts_no_further_than_it_shows(
    commune, rf, django_assert_num_queries
):
    """Past 99 the badge reads "99+": the count stops at 100 rather than
    reading every unread reminder on every page."""
    notify(commune.officer, 130)
    request = rf.get("/")
    request.user = fresh(commune.officer)
    with django_assert_num_queries(1):
        context = bell_context(request)
    assert context == {"unread_notifications": 100}
    html = render_to_string(
        "feedback/notifications/bell.html",
        {"user": commune.officer, **context},
    )
    assert '<span class="badge late">99+</span>' in html
    assert 'aria-label="Thông báo: hơn 99 chưa đọc"' in html


def test_no_bell_for_visitors_or_non_staff(rf, django_assert_num_queries, db):
    request = rf.get("/")
    citizen = UserFactory(is_staff=False)
    with django_assert_num_queries(0):
        request.user = AnonymousUser()
        assert bell_context(request) == {}
        request.user = citizen
        assert bell_context(request) == {}


def test_the_bell_links_to_the_page_and_shows_the_count(commune):
    html = render_to_string(
        "feedback/notifications/bell.html",
        {"user": commune.officer, "unread_notifications": 3},
    )
    assert 'href="/thong-bao/"' in html
    assert "Thông báo" in html and '<span class="badge late">3</span>' in html
    assert 'aria-label="Thông báo: 3 chưa đọc"' in html
    quiet = render_to_string(
        "feedback/notifications/bell.html",
        {"user": commune.officer, "unread_notifications": 0},
    )
    assert "badge" not in quiet


@pytest.mark.parametrize("count", [3, 60])
def test_the_page_costs_the_same_queries_at_any_size(
    client, commune, django_assert_num_queries, settings, count
):
    settings.NOTIFICATIONS_PAGE_SIZE = 25
    case = make_case(actor=commune.reception, unit=commune.office).case
    notify(commune.officer, count, case=case)
    client.force_login(commune.officer)

    # Session, user, the page's count and rows, the unread count, and the
    # user's memberships (the menu shows the desk to reception staff only).
    with django_assert_num_queries(6):
        response = client.get("/thong-bao/")

    assert response.status_code == 200
    assert response.content.decode().count(case.display_code) == min(count, 25)


def test_the_page_lists_only_ones_own_newest_first_in_vietnamese(client, commune):
    notify(commune.officer, 2, title="Của tôi")
    notify(commune.leader, 1, title="Của lãnh đạo")
    client.force_login(commune.officer)

    page = client.get("/thong-bao/").content.decode()

    assert "<h1>Thông báo</h1>" in page
    assert page.index("Của tôi 1") < page.index("Của tôi 0")
    assert "Của lãnh đạo" not in page
    assert "Đánh dấu tất cả là đã đọc" in page


def test_pages_and_the_unread_filter(client, commune, settings):
    settings.NOTIFICATIONS_PAGE_SIZE = 2
    notify(commune.officer, 3, title="Mới")
    notify(commune.officer, 1, read=True, title="Cũ đã đọc", days_ago=1)
    client.force_login(commune.officer)

    second = client.get("/thong-bao/?page=2").content.decode()
    unread = client.get("/thong-bao/?unread=1").content.decode()

    assert "Cũ đã đọc 0" in second and "Trang 2/2" in second
    assert "Cũ đã đọc" not in unread and "Chưa đọc (3)" in unread


def test_mark_one_as_read(client, commune):
    notify(commune.officer, 2)
    mine = Notification.objects.filter(recipient=commune.officer).first()
    client.force_login(commune.officer)

    response = client.post(
        f"/thong-bao/{mine.pk}/da-doc/", {"next": "/thong-bao/?page=1"}
    )

    assert response.status_code == 302 and response["Location"] == "/thong-bao/?page=1"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert client.get(f"/thong-bao/{mine.pk}/da-doc/").status_code == 405


def test_someone_elses_notification_is_not_found(client, commune):
    notify(commune.leader, 1)
    theirs = Notification.objects.get()
    client.force_login(commune.officer)

    assert client.post(f"/thong-bao/{theirs.pk}/da-doc/").status_code == 404
    assert client.get(f"/thong-bao/{theirs.pk}/mo/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_outside_next_address_is_not_followed(client, commune):
    notify(commune.officer, 1)
    mine = Notification.objects.get()
    client.force_login(commune.officer)

    response = client.post(
        f"/thong-bao/{mine.pk}/da-doc/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/thong-bao/"


def test_mark_all_as_read(client, commune):
    notify(commune.officer, 3)
    notify(commune.leader, 1)
    client.force_login(commune.officer)

    response = client.post("/thong-bao/da-doc-tat-ca/", follow=True)

    assert "Đã đánh dấu đã đọc 3 thông báo." in response.content.decode()
    assert not Notification.objects.filter(
        recipient=commune.officer, read_at__isnull=True
    ).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    notify(commune.officer, 1, case=case)
    mine = Notification.objects.get()
    client.force_login(commune.officer)

    response = client.get(f"/thong-bao/{mine.pk}/mo/")

    assert response.status_code == 302
    assert response["Location"] == case_link(case.pk) != ""
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/thong-bao/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
