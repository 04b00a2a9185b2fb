"""Fixtures of the integration tests (see ``processes.py``)."""

import pytest

from tests.integration.processes import own_database


@pytest.fixture
def database(request, tmp_path):
    """A fresh database of the test's own, named after its module."""
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    db = own_database(tmp_path, label.split("_")[0])
    try:
        yield db
    finally:
        db.drop()
