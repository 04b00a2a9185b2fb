"""API test fixtures: clients authenticated with a token, as each role."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import api_token_create
from tests.factories import make_case


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def client_for(db):
    """``client_for(user)``: an API client sending the user's token."""

    def make(user, **headers):
        _token, key = api_token_create(owner=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **headers)
        return client

    return make


@pytest.fixture
def denunciation(commune):
    """A denunciation logged by reception for the land office."""
    return make_case(
        actor=commune.reception,
        unit=commune.office,
        kind="denunciation",
        title="Tố cáo cán bộ địa chính",
    ).case


@pytest.fixture
def feedback_case(commune):
    """A feedback case logged by reception for the land office."""
    return make_case(actor=commune.reception, unit=commune.office).case
