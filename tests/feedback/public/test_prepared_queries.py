"""Queries compiled once per connection answer what the ORM answers.

``PreparedQuery`` builds a queryset's SQL once and runs it again with other
values; the reads built on it (the tracking look-up, the desk, the hamlet and
the field of a letter, the count of an address's recent letters) must give
the ORM's rows, whatever the values."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.authentication import TOKEN_BY_HASH
from api.models import ApiToken
from api.services import api_token_create
from feedback.models import Case, Field, PublicSubmission, Unit, UnitKind
from feedback.prepared import PreparedQuery
from feedback.selectors import public as selectors
from feedback.services.cases import case_transition
from feedback.services.public import _recent_submissions
from tests.factories import UnitFactory, make_case

pytestmark = pytest.mark.django_db


def fields_of(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_model_instances_come_with_their_related_objects(commune):
    token, _key = api_token_create(owner=commune.officer, name="t")
    found = TOKEN_BY_HASH.first(key_hash=token.key_hash)
    orm = ApiToken.objects.select_related("owner").get(key_hash=token.key_hash)
    assert fields_of(found) == fields_of(orm)
    with CaptureQueriesContext(connection) as queries:
        assert fields_of(found.owner) == fields_of(orm.owner)
        assert found._state.adding is False and found._state.db == "default"
    assert len(queries) == 0  # the owner came with the token
    assert TOKEN_BY_HASH.first(key_hash="0" * 64) is None


def test_values_lists_and_flat_ones(commune):
    units = PreparedQuery(
        lambda kind: (
            Unit.objects.filter(kind=kind).order_by("code").values_list("code", "depth")
        ),
        kind="\x00kind\x00",
    )
    codes = PreparedQuery(
        lambda kind: (
            Unit.objects.filter(kind=kind)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        kind="\x00kind\x00",
    )
    for kind in (UnitKind.HAMLET, UnitKind.OFFICE, "nothing"):
        orm = Unit.objects.filter(kind=kind).order_by("code")
        assert units.rows(kind=kind) == list(orm.values_list("code", "depth"))
        assert codes.rows(kind=kind) == list(orm.values_list("code", flat=True))


def test_each_run_is_one_query_counted_like_any_other(commune):
    hamlets = PreparedQuery(
        lambda pk: Unit.objects.filter(pk=pk, kind=UnitKind.HAMLET), pk=-987_654_321
    )
    with CaptureQueriesContext(connection) as queries:
        assert hamlets.first(pk=commune.hamlet_a.pk) == commune.hamlet_a
        assert hamlets.first(pk=commune.office.pk) is None
    assert len(queries) == 2
    assert str(commune.hamlet_a.pk) in queries[0]["sql"]


def test_a_placeholder_must_reach_the_sql():
    query = PreparedQuery(lambda code: Unit.objects.all(), code="\x00code\x00")
    with pytest.raises(ValueError, match="placeholder"):
        query.rows(code="x")


@pytest.mark.parametrize("marked", ["committee", "office", "root", None])
def test_the_hamlet_of_a_letter_is_one_the_form_offers(commune, marked):
    outside = UnitFactory(
        code="XK", name="Xóm khác", kind=UnitKind.HAMLET, parent=commune.province
    )
    closed = UnitFactory(
        code="XD", name="Xóm cũ", kind=UnitKind.HAMLET, parent=commune.root
    )
    closed.is_active = False
    closed.save()
    desk = getattr(commune, marked) if marked else None
    offered = {pk for pk, _name in selectors.public_hamlets(desk=desk)}
    for unit in Unit.objects.all():
        chosen = selectors.public_hamlet(desk=desk, pk=unit.pk)
        assert (chosen is not None) == (unit.pk in offered), unit
        if chosen is not None:
            assert fields_of(chosen) == fields_of(unit)
    assert outside.pk not in offered or desk is None
    assert selectors.public_hamlet(desk=desk, pk="1") is None
    assert selectors.public_hamlet(desk=desk, pk=None) is None


def test_the_field_of_a_letter_is_an_active_one(db):
    active = Field.objects.filter(is_active=True).first()
    retired = Field.objects.exclude(pk=active.pk).first()
    retired.is_active = False
    retired.save()
    assert fields_of(selectors.public_field(active.pk)) == fields_of(active)
    assert selectors.public_field(retired.pk) is None
    assert selectors.public_field(10**9) is None
    assert selectors.public_field(str(active.pk)) is None


def test_the_desk_is_the_highest_active_unit_receiving_letters(commune):
    assert selectors.public_desk_unit() is None
    for unit in (commune.office, commune.committee):
        unit.receives_public_submissions = True
        unit.save()
    assert selectors.public_desk_unit() == commune.committee
    commune.committee.is_active = False
    commune.committee.save()
    assert selectors.public_desk_unit() == commune.office


def test_the_recent_letters_of_an_address_are_counted_as_the_orm_counts(commune):
    now = timezone.now()
    for minutes, address in [(1, "203.0.113.5"), (30, "203.0.113.5"), (90, "::1")]:
        case = make_case(actor=commune.reception, unit=commune.office).case
        submission = PublicSubmission.objects.create(
            token=f"t{case.pk:030d}", case=case, ip_address=address
        )
        PublicSubmission.objects.filter(pk=submission.pk).update(
            created_at=now - dt.timedelta(minutes=minutes)
        )
    for address in ("203.0.113.5", "::1", "0:0:0:0:0:0:0:1", "198.51.100.1"):
        for minutes in (5, 60, 120):
            for limit in (1, 2, 10):
                since = now - dt.timedelta(minutes=minutes)
                orm = PublicSubmission.objects.filter(
                    created_at__gte=since, ip_address=address
                )[:limit].count()
                assert _recent_submissions(address, since, limit) == orm


def test_the_recent_letters_of_an_address_are_found_by_address(commune):
    """The rate check reads one address's letters through the index that
    leads with the address, not everybody's last hour through the time
    index (PostgreSQL's choice on a big table, forced here on a small one).
    """
    query = (
        "SELECT 1 FROM feedback_publicsubmission "
        "WHERE created_at >= %s AND ip_address = %s LIMIT 10"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {query}", [timezone.now(), "203.0.113.5"])
        else:
            cursor.execute(
                f"EXPLAIN QUERY PLAN {query}", [timezone.now(), "203.0.113.5"]
            )
        # The plan's text is the last column of each row on both.
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "submission_ip_recent_idx" in plan


@pytest.fixture
def timeline_case(commune):
    created = make_case(actor=commune.reception, unit=commune.office)
    case = created.case
    for text, public in [("Ghi chú công khai", True), ("Nội bộ", False)]:
        case_transition(
            case_id=case.pk,
            action="note",
            actor=commune.leader,
            data={"text": text, "is_public": public},
        )
    return case


def test_the_aggregated_timeline_is_the_joined_one(commune, timeline_case, answered):
    codes = [timeline_case.code, answered.case.code, "2222222222222"]
    codes += list(Case.objects.values_list("code", flat=True))
    joined = {code: selectors._LOOKUP_BY_JOIN.rows(code=code) for code in codes}
    width = len(selectors.TRACKED_COLUMNS)
    for code in codes:
        aggregated = selectors.tracked_case(code)
        rows = joined[code]
        if not rows:
            assert aggregated is None
            continue
        events = tuple(tuple(row[width:]) for row in rows if row[-1] is not None)
        assert aggregated == selectors.TrackedCase(*rows[0][:width], events=events)
    assert len(selectors.tracked_case(timeline_case.code).events) == 2


def test_instances_are_built_as_from_db_builds_them(commune):
    case = make_case(actor=commune.reception, unit=commune.office).case
    by_pk = PreparedQuery(lambda pk: Case.objects.filter(pk=pk), pk=-1)
    [built] = by_pk.rows(pk=case.pk)
    orm = Case.objects.get(pk=case.pk)
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(orm).items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.responsible_unit == commune.office  # relations load as usual


def test_instances_are_built_by_from_db_while_init_receivers_listen(commune):
    """A ``post_init`` receiver (as an image field connects) hears every
    instance the query builds."""
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append(instance.code)

    by_code = PreparedQuery(lambda code: Unit.objects.filter(code=code), code="\x00")
    signals.post_init.connect(receiver, sender=Unit)
    try:
        [unit] = by_code.rows(code=commune.office.code)
    finally:
        signals.post_init.disconnect(receiver, sender=Unit)
    assert heard == [commune.office.code]
    assert unit.pk == commune.office.pk
