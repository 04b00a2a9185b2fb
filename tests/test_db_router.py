"""The read replica: reads inside ``replica_reads()`` go to the ``replica``
alias when one is configured, everything else to ``default``; writes always
to ``default``."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from config.db_router import REPLICA, replica_reads, replica_view
from feedback.models import Case, Unit
from reports.models import ExportJob


@pytest.fixture
def replica():
    """A ``replica`` alias as the settings add it for ``DATABASE_REPLICA_URL``
    (in tests a mirror of ``default``: the same database)."""
    settings = dict(connections.settings[DEFAULT_DB_ALIAS])
    settings["TEST"] = {**settings.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    connections.settings[REPLICA] = settings
    yield REPLICA
    if hasattr(connections._connections, REPLICA):
        connections[REPLICA].close()
        delattr(connections._connections, REPLICA)
    del connections.settings[REPLICA]


def test_reads_inside_replica_reads_go_to_the_replica(replica):
    assert Case.objects.all().db == DEFAULT_DB_ALIAS
    with replica_reads():
        assert Case.objects.all().db == REPLICA
        assert Unit.objects.filter(is_active=True).db == REPLICA
        assert router.db_for_read(Case) == REPLICA
    assert Case.objects.all().db == DEFAULT_DB_ALIAS
    assert router.db_for_read(Case) == DEFAULT_DB_ALIAS


def test_writes_always_go_to_the_primary(replica):
    with replica_reads():
        assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
        assert router.db_for_write(ExportJob) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Case) == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_a_read_in_a_transaction_or_of_a_job_stays_on_the_primary(replica):
    with replica_reads():
        # The report code writes export jobs and reads them back at once.
        assert ExportJob.objects.all().db == DEFAULT_DB_ALIAS
        with transaction.atomic():
            # It may need to see this transaction's writes.
            assert Case.objects.all().db == DEFAULT_DB_ALIAS


def test_the_decorator_routes_the_views_reads(replica):
    @replica_view
    def view(request):
        return Case.objects.all().db

    assert view(None) == REPLICA
    assert Case.objects.all().db == DEFAULT_DB_ALIAS


def test_nothing_migrates_on_the_replica(replica):
    assert router.allow_migrate(REPLICA, "feedback") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "feedback") is True


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(commune):
    assert REPLICA not in connections.settings
    with replica_reads(), CaptureQueriesContext(connections["default"]) as queries:
        assert Unit.objects.filter(pk=commune.root.pk).exists()
    assert len(queries) == 1
