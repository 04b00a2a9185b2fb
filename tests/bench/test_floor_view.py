"""The benchmark's FLOOR view: off (404) unless ``BENCH_FLOOR_VIEW`` is on,
routed only by the bench URLconf, and one query when on."""

import importlib

import pytest
from django.urls import NoReverseMatch, clear_url_caches, resolve, reverse
from django.urls.exceptions import Resolver404

from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(commune):
    return make_case(actor=commune.reception, unit=commune.office).case


@pytest.mark.urls("tests.bench.urls")
def test_floor_is_404_while_the_flag_is_off(client, settings, case):
    settings.BENCH_FLOOR_VIEW = False

    response = client.get(f"/bench/floor/{case.pk}/")

    assert response.status_code == 404


@pytest.mark.urls("tests.bench.urls")
def test_floor_answers_three_fields_with_one_query(
    client, settings, case, django_assert_num_queries
):
    settings.BENCH_FLOOR_VIEW = True

    with django_assert_num_queries(1):
        response = client.get(f"/bench/floor/{case.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": case.pk,
        "status": case.status,
        "final_due_on": case.final_due_on.isoformat() if case.final_due_on else None,
    }


@pytest.mark.urls("tests.bench.urls")
def test_floor_is_404_for_a_missing_case(client, settings, case):
    settings.BENCH_FLOOR_VIEW = True

    assert client.get(f"/bench/floor/{case.pk + 1000}/").status_code == 404


@pytest.mark.urls("tests.bench.urls")
def test_floor_refuses_other_methods(client, settings, case):
    settings.BENCH_FLOOR_VIEW = True

    assert client.post(f"/bench/floor/{case.pk}/").status_code == 405


def test_project_urls_do_not_route_the_floor(settings):
    settings.BENCH_FLOOR_VIEW = True

    with pytest.raises(NoReverseMatch):
        reverse("bench-floor", args=[1])


@pytest.mark.parametrize("flag", [False, True])
def test_bench_urlconf_routes_the_floor_only_with_the_flag(settings, flag):
    settings.BENCH_FLOOR_VIEW = flag
    module = importlib.reload(importlib.import_module("bench.urls"))
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    try:
        if flag:
            assert resolve("/bench/floor/7/").url_name == "bench-floor"
        else:
            with pytest.raises(Resolver404):
                resolve("/bench/floor/7/")
        # The project's own routes stay.
        assert resolve("/healthz").url_name == "healthz"
    finally:
        clear_url_caches()
