"""Shared fixtures: a small commune with staff in every role."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from feedback.models import UnitKind
from tests.factories import UnitFactory, staff


@pytest.fixture
def commune(db):
    """Province → commune → People's Committee → office; two hamlets.

    Staff: reception at the People's Committee; officer and leader of the
    office and of each hamlet; a supervisor of the commune.
    """
    province = UnitFactory(code="P", name="Tỉnh", kind=UnitKind.PROVINCE)
    root = UnitFactory(code="C", name="Xã", kind=UnitKind.COMMUNE, parent=province)
    committee = UnitFactory(
        code="UB", name="UBND xã", kind=UnitKind.PEOPLES_COMMITTEE, parent=root
    )
    office = UnitFactory(
        code="DC", name="Địa chính", kind=UnitKind.OFFICE, parent=committee
    )
    hamlet_a = UnitFactory(code="HA", name="Xóm A", kind=UnitKind.HAMLET, parent=root)
    hamlet_b = UnitFactory(code="HB", name="Xóm B", kind=UnitKind.HAMLET, parent=root)
    ns = SimpleNamespace(
        province=province,
        root=root,
        committee=committee,
        office=office,
        hamlet_a=hamlet_a,
        hamlet_b=hamlet_b,
    )
    ns.reception = staff(committee, "reception", username="reception")
    ns.officer = staff(office, "officer", username="officer")
    ns.leader = staff(office, "leader", username="leader")
    ns.supervisor = staff(root, "supervisor", username="supervisor")
    ns.admin = staff(root, "admin", username="unitadmin")
    ns.officer_a = staff(hamlet_a, "officer", username="officer_a")
    ns.leader_a = staff(hamlet_a, "leader", username="leader_a")
    ns.officer_b = staff(hamlet_b, "officer", username="officer_b")
    ns.leader_b = staff(hamlet_b, "leader", username="leader_b")
    return ns


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language.  A request in English leaves
    English active on its thread (``LocaleMiddleware`` activates each
    request's language and nothing deactivates it), so a test that follows
    on the same worker and calls code outside a request would otherwise
    speak whatever the last request spoke."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a completed log-in: for staff
    who must use two-factor log-in, the session is also verified with an
    authenticator (created for them). Tests of the log-in flow itself go
    through the log-in pages instead."""
    from django.test import Client

    from tests.two_factor import needs_second_factor, verify_session

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if needs_second_factor(user):
            verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


REFERENCE_SEEDS = (
    "feedback.migrations.0002_seed_reference_data",
    "feedback.migrations.0004_seed_legal_grounds",
)


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests (browser, live server) end with a flush that also
    empties the tables data migrations fill — fields, deadline policies, legal
    grounds. Seed them again (the seeds are idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    from importlib import import_module

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module in REFERENCE_SEEDS:
        import_module(module).seed(apps, None)
