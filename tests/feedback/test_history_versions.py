"""Versions are built from the saved instance's values directly
(``feedback.history``): each holds what simple-history's own build of it
would, sealed in the case's audit chain as before."""

import pytest
from django.db.models.signals import post_init

from feedback import audit
from feedback.models import Case, Unit
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# Differ between any two versions, however built.
PER_VERSION = {
    "history_id",
    "history_date",
    "updated_at",
    "audit_seq",
    "prev_hash",
    "row_hash",
}


def _noop(**kwargs) -> None:
    pass


def last_two_versions(model, pk) -> tuple[dict, dict]:
    versions = list(model.history.filter(id=pk).order_by("-history_id").values()[:2])
    return tuple(
        {name: value for name, value in version.items() if name not in PER_VERSION}
        for version in reversed(versions)
    )


def save_twice(instance, change) -> tuple[dict, dict]:
    """Save ``instance`` once built here and once, after the same ``change``,
    the way simple-history builds a version (a ``post_init`` receiver of the
    historical model sends it there); both versions, as stored."""
    change(instance)
    instance.save()
    history_model = type(instance).history.model
    post_init.connect(_noop, sender=history_model)
    try:
        instance.save()
    finally:
        post_init.disconnect(_noop, sender=history_model)
    return last_two_versions(type(instance), instance.pk)


def test_a_case_version_holds_what_simple_history_would_store(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case

    def change(case):
        case.title = "Đường liên thôn bị sạt lở"
        case._history_user = commune.leader
        case._change_reason = "Sửa tiêu đề"

    built_here, built_by_simple_history = save_twice(case, change)
    assert built_here == built_by_simple_history
    assert built_here["title"] == "Đường liên thôn bị sạt lở"
    assert built_here["history_user_id"] == commune.leader.pk
    assert built_here["history_change_reason"] == "Sửa tiêu đề"
    assert built_here["history_type"] == "~"
    # Both sealed in turn: the chain holds.
    versions = list(case.history.order_by("history_id"))
    assert [version.audit_seq for version in versions] == [1, 2, 3]
    assert audit.verify() == []


def test_a_version_leaves_out_the_excluded_fields(commune):
    unit = Unit.objects.get(pk=commune.office.pk)

    def change(unit):
        unit.name = "Phòng Kinh tế"

    built_here, built_by_simple_history = save_twice(unit, change)
    assert built_here == built_by_simple_history
    assert "path" not in built_here
    assert built_here["name"] == "Phòng Kinh tế"


def test_a_new_case_has_its_first_version(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    version = case.history.get()
    assert version.history_type == "+"
    assert version.code == case.code
    assert isinstance(version, Case.history.model)
