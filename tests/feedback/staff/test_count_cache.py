"""Counts of case lists are cached on a shared cache until the cases change:
the staff list's ``count`` and the deadline buckets of "My work"."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from api.services import api_token_create
from feedback.models import Case, Membership, Unit
from feedback.selectors import counts
from feedback.selectors.cases import local_today
from feedback.services.cases import case_transition
from tests.factories import make_case

# Real commits: the cached figures are voided when a transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

API_LIST = "/api/v1/cases/"
QUEUE = "/viec-cua-toi/"


@pytest.fixture
def shared_cache(tmp_path):
    """A cache every process shares (files: a real backend, no server), with
    counts kept for a minute."""
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        },
        COUNT_CACHE_SECONDS=60,
    ):
        yield


def api_client(user):
    _token, key = api_token_create(owner=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_cache_is_off_unless_shared(settings):
    settings.COUNT_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert counts.count_cache_seconds() == 0
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
    }
    assert counts.count_cache_seconds() == 60
    # Kept by the process until a setting it depends on changes.
    settings.COUNT_CACHE_SECONDS = 30
    assert counts.count_cache_seconds() == 30


def test_list_count_is_served_from_the_cache_until_a_case_changes(
    shared_cache, commune, django_assert_num_queries
):
    make_case(actor=commune.reception, unit=commune.office)
    client = api_client(commune.officer)
    first = client.get(API_LIST)
    assert first.json()["count"] == 1
    # Another page size: the page's rows (ids in a subquery), parties; no
    # COUNT (the token and the memberships are held like reference rows).
    with django_assert_num_queries(2):
        again = client.get(API_LIST, {"page_size": 50})
    assert again.json()["count"] == 1
    make_case(actor=commune.reception, unit=commune.office)
    assert client.get(API_LIST).json()["count"] == 2


def test_a_transition_voids_the_queue_buckets(shared_cache, client, commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    client.force_login(commune.officer)
    assert client.get(QUEUE).context["counts"] == {
        "overdue": 0,
        "soon": 0,
        "on_track": 1,
    }
    case_transition(case_id=case.pk, action="accept", actor=commune.leader, data={})
    assert client.get(QUEUE).context["counts"]["on_track"] == 1
    Case.objects.filter(pk=case.pk).update(
        stage_due_on=local_today() - dt.timedelta(days=3)
    )
    # A queryset update bypasses the signals (seen after COUNT_CACHE_SECONDS);
    # a save through the model voids the counts at once.
    assert client.get(QUEUE).context["counts"]["on_track"] == 1
    Case.objects.get(pk=case.pk).save()
    response = client.get(QUEUE)
    assert response.context["counts"] == {"overdue": 1, "soon": 0, "on_track": 0}
    assert response.context["page"].paginator.count == 1


def test_a_moved_unit_voids_the_counts(shared_cache, commune):
    make_case(actor=commune.reception, unit=commune.office)
    client = api_client(commune.officer)
    assert client.get(API_LIST).json()["count"] == 1
    before = counts.cases_generation()
    Unit.objects.get(pk=commune.hamlet_a.pk).save()
    assert counts.cases_generation() != before


def test_the_cached_filter_form_follows_the_language(shared_cache, client, commune):
    """The rendered filter form is kept per user, query and language."""
    client.force_login(commune.officer)
    assert "Lọc thêm" in client.get(QUEUE).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(QUEUE).content.decode()
    assert "More filters" in page
    assert "Lọc thêm" not in page


# A list's page, kept per viewer and address until the cases change.


def test_the_same_page_is_answered_from_the_cache(
    shared_cache, commune, django_assert_num_queries
):
    make_case(actor=commune.reception, unit=commune.office)
    client = api_client(commune.officer)
    first = client.get(API_LIST, {"status": "received"})
    assert first.status_code == 200
    # Not one read: the page is kept, the token and the viewer's memberships
    # held like reference rows.
    with django_assert_num_queries(0):
        again = client.get(API_LIST, {"status": "received"})
    assert again.json() == first.json()
    assert again["Cache-Control"] == first["Cache-Control"]


def test_a_changed_case_shows_at_once(shared_cache, commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    client = api_client(commune.officer)
    assert [row["title"] for row in client.get(API_LIST).json()["results"]] == [
        "Đường liên xóm xuống cấp"
    ]
    case = Case.objects.get(pk=created.case.pk)
    case.title = "Đèn đường hỏng"
    case.save()
    assert [row["title"] for row in client.get(API_LIST).json()["results"]] == [
        "Đèn đường hỏng"
    ]


def test_viewers_do_not_share_pages(shared_cache, commune):
    make_case(actor=commune.reception, unit=commune.office)
    assert api_client(commune.officer).get(API_LIST).json()["count"] == 1
    assert api_client(commune.officer_a).get(API_LIST).json()["count"] == 0


def test_a_withdrawn_membership_hides_the_cached_page(shared_cache, commune):
    make_case(actor=commune.reception, unit=commune.office)
    client = api_client(commune.officer)
    assert client.get(API_LIST).json()["count"] == 1
    # Withdrawn as the admin does it, through the model.
    membership = Membership.objects.get(user=commune.officer, unit=commune.office)
    membership.role = "reception"
    membership.save()
    assert client.get(API_LIST).json()["count"] == 0


def test_bad_input_is_refused_every_time(shared_cache, commune):
    client = api_client(commune.officer)
    for _ in range(2):
        response = client.get(API_LIST, {"status": "no-such-status"})
        assert response.status_code == 400
        assert "status" in response.json()["error"]["fields"]


def test_a_new_day_reads_the_deadlines_again(shared_cache, commune, monkeypatch):
    created = make_case(actor=commune.reception, unit=commune.office)
    today = local_today()
    Case.objects.filter(pk=created.case.pk).update(
        stage_due_on=today + dt.timedelta(days=1)
    )
    client = api_client(commune.officer)
    assert client.get(API_LIST, {"overdue": "true"}).json()["count"] == 0
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda *args, **kwargs: today + dt.timedelta(days=2),
    )
    assert client.get(API_LIST, {"overdue": "true"}).json()["count"] == 1


def test_my_work_is_answered_from_the_cache_until_a_case_changes(
    shared_cache, client, commune, django_assert_num_queries
):
    created = make_case(actor=commune.reception, unit=commune.office)
    client.force_login(commune.officer)
    first = client.get(QUEUE)
    assert "Đường liên xóm xuống cấp" in first.content.decode()
    # Session, user and the bell (the memberships are held like reference
    # rows): not one read of the cases.
    with django_assert_num_queries(3):
        again = client.get(QUEUE)
    assert again.context["page"].paginator.count == 1
    assert again.context["counts"] == first.context["counts"]
    case = Case.objects.get(pk=created.case.pk)
    case.title = "Đèn đường hỏng"
    case.save()
    page = client.get(QUEUE).content.decode()
    assert "Đèn đường hỏng" in page
    assert "Đường liên xóm xuống cấp" not in page


def test_my_work_pages_are_kept_apart(shared_cache, client, commune):
    for number in range(3):
        make_case(actor=commune.reception, unit=commune.office, title=f"Việc {number}")
    client.force_login(commune.officer)
    assert client.get(QUEUE).context["page"].paginator.count == 3
    response = client.get(QUEUE, {"per_page": 10, "q": "Việc 2"})
    assert [row["title"] for row in response.context["rows"]] == ["Việc 2"]
    assert response.context["page"].paginator.count == 1
