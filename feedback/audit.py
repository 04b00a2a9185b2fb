"""The tamper-evident audit trail of a case.

NĐ 55/2022 forbids altering petition records, so a change made behind the
application's back (an ``UPDATE`` in a database console, a deleted row) must
at least be detectable.  Every row that records what happened to a case is a
link of a hash chain of that case:

* **Two chains per case.**  The *events* chain holds the case's
  ``CaseEvent`` rows; the *history* chain holds the django-simple-history rows
  of the case and of the models that belong to it (``Answer``,
  ``CaseCollaborator``, ``Party``, ``Attachment``, and
  ``dialogues.MeetingItem``: every historical model built on
  ``AuditChained`` whose record names a case), mixed in the order they were
  written.  Two chains keep each append to one lock and one head;
  together they cover every row.
* **A link** stores ``audit_seq`` (1, 2, 3 … within its chain, which makes the
  order unambiguous even between tables and rows written in the same
  microsecond), ``prev_hash`` (the previous link's ``row_hash``; 64 zeros for
  the first) and ``row_hash`` = SHA-256 of ``prev_hash``, a newline and the
  canonical serialization of the row: compact JSON with sorted keys of
  ``{"table": "<app.Model>", "fields": {attname: value}}`` over every column
  but the primary key and the two hashes (so ``audit_seq`` is covered);
  datetimes in UTC ISO 8601, dates ISO, decimals as strings.  A value that is
  null, empty text, false or an empty JSON object/list is left out, so that a
  column added later with such a default leaves older hashes valid (a column
  added with another default, or renamed, needs its migration to re-seal).
* **The head** (``AuditHead``, one row per case and chain) holds the last
  link's sequence number and hash.  Appending locks it (``SELECT … FOR
  UPDATE``) before reading it, so two writers can never take the same place,
  whether or not they hold the case row lock.  The services do hold it (they
  lock the case first, then its children, and the head comes last: always
  that order, so no deadlock); a writer that does not (an identity view, a
  meeting item) still queues on the head.  The head also shows when rows
  were cut off a chain's end.  Seeding in bulk and the data migrations write
  heads themselves, and so does ``case_create`` (``new_case_chains``): the
  chains of a case not yet committed are nobody else's, so its first rows
  are sealed against heads held in memory, inserted once at the end.
* **Writers cannot forget it**: ``AuditChained.save()`` seals each new row
  (every path that saves a ``CaseEvent`` or makes simple-history write a
  record), ``CaseEvent.objects.bulk_create`` seals each object, and the bulk
  path of ``seed_demo`` computes the same hashes with ``seal_values``.  Rows
  are never updated; a row without a hash is reported as a break.

``verify`` (``manage.py verify_audit``) streams every chain in (case,
sequence) order in one snapshot, recomputes each link, and reports the first
broken link of each case's chain.  The chain shows silent edits, deletions,
insertions and re-ordering by anyone who does not also recompute every later
hash and the head.  Someone who can rewrite the whole database can rebuild
the chains too: against that, ``verify_audit --save-anchor FILE`` records
every head, to be kept where the database's users cannot write, and
``--anchor FILE`` later checks that each chain still holds those hashes.

Meeting items (``dialogues``) join the history chain of the case they became;
their versions from before that belong to the meeting and are not chained.
Historical models of records that belong to no single case (units,
memberships, deadline policies, meetings, reception visits and visitors) are
not chained.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import hashlib
import heapq
import itertools
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from simple_history.signals import pre_create_historical_record

from feedback.prepared import insert_new

GENESIS = "0" * 64
EVENTS = "events"
HISTORY = "history"
AUDIT_COLUMNS = frozenset({"prev_hash", "row_hash"})
CHUNK = 5000


# --------------------------------------------------------------------------
# The canonical serialization and the link hash (pure functions: the data
# migration that backfilled the chains uses them too; changing them breaks
# every stored chain)
# --------------------------------------------------------------------------


def _plain(value):
    """``value`` as JSON can hold it, the same whether it comes from a model
    instance about to be saved or from the database."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            if settings.USE_TZ:
                value = timezone.make_aware(value, timezone.get_default_timezone())
            else:
                return value.isoformat()
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"Cannot serialize {type(value).__name__} for the audit chain.")


_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
)


def canonical(table: str, names: Iterable[str], values: Iterable) -> bytes:
    """The bytes a row's hash covers: its table and its non-empty values
    (null, false, empty text and empty JSON objects or lists are left out;
    zero is kept)."""
    fields = {
        name: value
        for name, value in zip(names, values, strict=True)
        if not (
            value is None
            or value is False
            or value == ""
            or value == {}
            or value == []
            or value == ()
        )
    }
    return _ENCODER.encode({"table": table, "fields": fields}).encode()


def link_hash(prev_hash: str, table: str, names, values) -> str:
    """The ``row_hash`` of a row whose predecessor's hash is ``prev_hash``."""
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(b"\n")
    digest.update(canonical(table, names, values))
    return digest.hexdigest()


# --------------------------------------------------------------------------
# Which models are chained, and how
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Audited:
    model: type[models.Model]
    chain: str
    case_attr: str  # the column naming the case
    fields: tuple  # the hashed fields, in attname order

    @property
    def table(self) -> str:
        return self.model._meta.label

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        # Read at every seal; the fields never change.
        return tuple(field.attname for field in self.fields)


def content_fields(model) -> tuple:
    """The fields a row's hash covers: every column but the primary key and
    the hashes themselves."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in AUDIT_COLUMNS
    ]
    return tuple(sorted(fields, key=lambda field: field.attname))


def _case_attr(model) -> str | None:
    instance_type = getattr(model, "instance_type", None)
    if instance_type is not None and instance_type._meta.label == "feedback.Case":
        return "id"
    names = {field.attname for field in model._meta.concrete_fields}
    return "case_id" if "case_id" in names else None


def describe(model) -> Audited:
    """How rows of ``model`` are chained."""
    cached = _DESCRIBED.get(model)
    if cached is not None:
        return cached
    chain = HISTORY if hasattr(model, "instance_type") else EVENTS
    case_attr = _case_attr(model)
    if case_attr is None:
        raise TypeError(f"{model._meta.label} names no case to chain it in.")
    audited = Audited(model, chain, case_attr, content_fields(model))
    _DESCRIBED[model] = audited
    return audited


_DESCRIBED: dict = {}
_DEFAULTS: dict = {}


def audited_models() -> list[Audited]:
    """Every chained model: ``CaseEvent`` and each historical model built on
    ``AuditChained`` that names a case, in a stable order."""
    from feedback.models import AuditChained

    found = [
        describe(model)
        for model in apps.get_models()
        if issubclass(model, AuditChained) and _case_attr(model) is not None
    ]
    return sorted(found, key=lambda audited: (audited.chain, audited.table))


# --------------------------------------------------------------------------
# Appending
# --------------------------------------------------------------------------


def _db_value(field, value):
    """The value as it will read back from the database."""
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DecimalField):
        value = field.to_python(value)
        return value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    return field.to_python(value)


def _lock_head(case_id: int, chain: str):
    from feedback.models import AuditHead

    head = (
        AuditHead.objects.select_for_update()
        .filter(case_id=case_id, chain=chain)
        # (case, chain) is unique: no ordering, so no join to the case for
        # the model's default ordering.
        .order_by()
        .first()
    )
    if head is None:
        head = AuditHead(case_id=case_id, chain=chain, seq=0, row_hash=GENESIS)
    return head


class _NewCase:
    """The chains of a case being created in the current transaction: their
    heads live here until ``new_case_chains`` inserts them."""

    def __init__(self, case):
        self.case = case
        self.heads: dict[tuple[int, str], models.Model] = {}

    def head(self, case_id: int, chain: str):
        """The in-memory head of ``chain`` when ``case_id`` is the new case,
        else ``None``."""
        if case_id != self.case.pk:
            return None
        from feedback.models import AuditHead

        key = (case_id, chain)
        head = self.heads.get(key)
        if head is None:
            head = self.heads[key] = AuditHead(
                case_id=case_id, chain=chain, seq=0, row_hash=GENESIS
            )
        return head


_NEW_CASE: contextvars.ContextVar[_NewCase | None] = contextvars.ContextVar(
    "audit_new_case", default=None
)


@contextlib.contextmanager
def new_case_chains(case):
    """Seal the rows of ``case``, which is being created in the current
    transaction, without reading or updating its heads row by row.

    Nobody else can append to the chains of a case that is not committed
    yet (no other transaction sees it), so there is nothing to lock: the
    heads are kept in memory while the rows are sealed and inserted in one
    statement when the block ends.  The history rows of the case itself are
    sealed as simple-history builds them (``_seal_new_case_history``), so
    that ``AuditChained.save`` needs no savepoint around seal and insert.
    Use inside the transaction that inserts the case, around its saves; if
    the block raises, nothing is inserted (the transaction rolls back).
    """
    new_case = _NewCase(case)
    token = _NEW_CASE.set(new_case)
    try:
        yield
    finally:
        _NEW_CASE.reset(token)
    # The new case's heads only (two at most): row by row through a
    # statement built once costs less than ``bulk_create``'s machinery.
    for head in new_case.heads.values():
        insert_new(head)


def _seal_new_case_history(sender, history_instance, **kwargs) -> None:
    """``pre_create_historical_record``: seal a history row of the case that
    ``new_case_chains`` is creating (the rows of other cases are sealed by
    ``AuditChained.save`` as always)."""
    new_case = _NEW_CASE.get()
    if new_case is None:
        return
    from feedback.models import AuditChained

    if not isinstance(history_instance, AuditChained) or history_instance.row_hash:
        return
    audited = describe(type(history_instance))
    case_id = getattr(history_instance, audited.case_attr)
    if case_id is not None and case_id == new_case.case.pk:
        seal(history_instance)


pre_create_historical_record.connect(
    _seal_new_case_history, dispatch_uid="audit-seal-new-case-history"
)


def seal(row) -> None:
    """Give the unsaved ``row`` its place and hashes in its case's chain and
    move the chain's head to it.  Call inside the transaction that inserts
    the row (``AuditChained.save`` does).  A historical row that names no
    case (none of the chained models allows that today) is left unsealed."""
    audited = describe(type(row))
    case_id = getattr(row, audited.case_attr)
    if case_id is None:
        return
    new_case = _NEW_CASE.get()
    head = new_case.head(case_id, audited.chain) if new_case is not None else None
    in_memory = head is not None
    if head is None:
        head = _lock_head(case_id, audited.chain)
    row.audit_seq = head.seq + 1
    row.prev_hash = head.row_hash
    values = [_db_value(field, getattr(row, field.attname)) for field in audited.fields]
    row.row_hash = link_hash(row.prev_hash, audited.table, audited.names, values)
    head.seq = row.audit_seq
    head.row_hash = row.row_hash
    if in_memory:
        return
    if head.pk is None:
        head.save()
    else:
        head.save(update_fields=["seq", "row_hash"])


def seal_values(model, rows: list[dict], *, start_seq: int = 0, prev=GENESIS):
    """Seal rows about to be written in bulk (plain ``{attname: value}``
    dicts, in chain order, all of one case), filling in ``audit_seq``,
    ``prev_hash`` and ``row_hash``; missing fields take their default as
    ``seed_demo``'s ``RowWriter`` does.  Returns ``(last_seq, last_hash)``
    for the case's ``AuditHead``."""
    audited = describe(model)
    names = audited.names
    table = audited.table
    pairs = _DEFAULTS.get(model)
    if pairs is None:
        # Read only, never stored: one set of defaults serves every row.
        pairs = _DEFAULTS[model] = [
            (field.attname, field.get_default()) for field in audited.fields
        ]
    seq = start_seq
    for row in rows:
        seq += 1
        row["audit_seq"] = seq
        row["prev_hash"] = prev
        values = [row.get(name, default) for name, default in pairs]
        prev = row["row_hash"] = link_hash(prev, table, names, values)
    return seq, prev


# --------------------------------------------------------------------------
# Verifying
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first broken link of one chain of one case."""

    case_id: int
    case_code: str
    chain: str
    table: str
    row_id: int | None
    seq: int | None
    problem: str
    expected: str
    stored: str

    def __str__(self):
        where = f"{self.table} id={self.row_id}" if self.row_id else self.table
        return (
            f"{self.case_code or self.case_id} [{self.chain}] {where} "
            f"seq={self.seq}: {self.problem} (expected {self.expected}, "
            f"stored {self.stored})"
        )


@dataclass
class Summary:
    cases: int = 0
    rows: int = 0


def _rows(audited: Audited, case_id: int | None) -> Iterator[tuple]:
    """``(case_id, seq, pk, prev_hash, row_hash, audited, values)`` of every
    row of one model, in (case, sequence) order, streamed."""
    model = audited.model
    case_attr = audited.case_attr
    queryset = model._default_manager.filter(**{f"{case_attr}__isnull": False})
    if case_id is not None:
        queryset = queryset.filter(**{case_attr: case_id})
    columns = (case_attr, "audit_seq", model._meta.pk.attname, "prev_hash", "row_hash")
    names = audited.names
    width = len(columns)
    for record in (
        queryset.order_by(case_attr, "audit_seq", model._meta.pk.attname)
        .values_list(*columns, *names)
        .iterator(chunk_size=CHUNK)
    ):
        yield (*record[:width], audited, record[width:])


def _heads(chain: str, case_id: int | None) -> Iterator[tuple[int, int, str]]:
    from feedback.models import AuditHead

    queryset = AuditHead.objects.filter(chain=chain)
    if case_id is not None:
        queryset = queryset.filter(case_id=case_id)
    return (
        queryset.order_by("case_id")
        .values_list("case_id", "seq", "row_hash")
        .iterator(chunk_size=CHUNK)
    )


def _check_case(rows, head, anchor) -> tuple[int, tuple | None]:
    """Walk one case's chain; the number of rows and the first break.
    ``head`` and ``anchor`` are ``(seq, hash)`` or ``None``."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    first = None
    last_table = ""
    for _case, seq, pk, prev_hash, row_hash, audited, values in rows:
        count += 1
        if first is not None:
            continue
        table = audited.table
        last_table = table
        if not row_hash:
            first = (table, pk, seq, "row not sealed", "a hash", "none")
        elif seq != expected_seq:
            problem = (
                "row missing before this one"
                if (seq or 0) > expected_seq
                else "sequence out of order"
            )
            first = (table, pk, seq, problem, f"seq {expected_seq}", f"seq {seq}")
        elif prev_hash != expected_prev:
            first = (table, pk, seq, "previous hash differs", expected_prev, prev_hash)
        else:
            computed = link_hash(expected_prev, table, audited.names, values)
            if computed != row_hash:
                first = (table, pk, seq, "content changed", computed, row_hash)
            elif anchor is not None and anchor[0] == seq and anchor[1] != row_hash:
                first = (
                    table,
                    pk,
                    seq,
                    "chain rewritten since the anchor",
                    anchor[1],
                    row_hash,
                )
            else:
                expected_prev = row_hash
                expected_seq += 1
    if first is not None:
        return count, first
    last_seq = expected_seq - 1
    head_seq, head_hash = head if head is not None else (0, GENESIS)
    if head is None and count:
        return count, (last_table, None, None, "chain head missing", "a head", "none")
    if head_seq != last_seq or head_hash != expected_prev:
        return count, (
            "feedback.AuditHead",
            None,
            head_seq,
            "rows missing at the end of the chain",
            f"seq {head_seq} {head_hash}",
            f"seq {last_seq} {expected_prev}",
        )
    if anchor is not None and anchor[0] > last_seq:
        return count, (
            "anchor",
            None,
            anchor[0],
            "rows missing since the anchor",
            f"seq {anchor[0]} {anchor[1]}",
            f"seq {last_seq} {expected_prev}",
        )
    return count, None


class _Side:
    """A stream of ``(case_id, seq, hash)`` sorted by case, read alongside
    the rows: heads, anchors."""

    def __init__(self, entries):
        self.entries = iter(entries)
        self.pending = next(self.entries, None)

    def before(self, case) -> Iterator[tuple]:
        """Entries of cases before ``case`` (all that are left if None)."""
        while self.pending is not None and (case is None or self.pending[0] < case):
            yield self.pending
            self.pending = next(self.entries, None)

    def take(self, case) -> tuple | None:
        if self.pending is not None and self.pending[0] == case:
            found = self.pending[1:]
            self.pending = next(self.entries, None)
            return found
        return None


def _verify_chain(chain, case_id, summary, anchors) -> list:
    streams = [
        _rows(audited, case_id)
        for audited in audited_models()
        if audited.chain == chain
    ]
    merged = heapq.merge(*streams, key=lambda row: (row[0], row[1] or 0))
    heads = _Side(_heads(chain, case_id))
    anchored = _Side(anchors)
    found = []

    def orphan_anchors_before(case):
        for anchor_case, seq, _row_hash in anchored.before(case):
            problem = ("rows missing since the anchor", f"seq {seq}", "no rows")
            found.append((anchor_case, chain, ("anchor", None, seq, *problem)))

    def rowless_before(case):
        # Cases with a head or an anchor but no rows: fine when empty.
        for head_case, seq, _row_hash in heads.before(case):
            orphan_anchors_before(head_case)
            anchor = anchored.take(head_case)
            if seq != 0:
                problem = ("every row of the chain is missing", f"seq {seq}", "none")
                found.append(
                    (head_case, chain, ("feedback.AuditHead", None, seq, *problem))
                )
            elif anchor is not None:
                problem = ("rows missing since the anchor", f"seq {anchor[0]}", "none")
                found.append((head_case, chain, ("anchor", None, anchor[0], *problem)))
        orphan_anchors_before(case)

    for case, rows in itertools.groupby(merged, key=lambda row: row[0]):
        rowless_before(case)
        count, first = _check_case(rows, heads.take(case), anchored.take(case))
        summary.rows += count
        if first is not None:
            found.append((case, chain, first))
    rowless_before(None)
    return found


ANCHOR_HEADER = "# lang-nghe audit anchor v1"


def _read_anchor(path, chain, case_id) -> Iterator[tuple[int, int, str]]:
    """The ``(case_id, seq, hash)`` recorded for ``chain`` in the anchor file
    at ``path``, by case."""
    with open(path, encoding="utf-8") as stream:
        header = stream.readline()
        if not header.startswith(ANCHOR_HEADER):
            raise ValueError(f"{path} is not an audit anchor file.")
        for line in stream:
            line_chain, case, seq, row_hash = line.rstrip("\n").split("\t")[:4]
            if line_chain != chain or (case_id is not None and int(case) != case_id):
                continue
            yield int(case), int(seq), row_hash


def write_anchor(stream) -> int:
    """Write every chain's head to ``stream`` as an anchor file; the number
    of heads written.  Kept where the database's users cannot write, it lets
    a later ``verify_audit --anchor`` show that no chain was rebuilt since:
    whoever rewrites a chain cannot make its old links' hashes come back."""
    from feedback.models import AuditHead

    stream.write(f"{ANCHOR_HEADER} {timezone.now().isoformat()}\n")
    written = 0
    for chain, case, seq, row_hash in (
        AuditHead.objects.filter(seq__gt=0)
        .order_by("chain", "case_id")
        .values_list("chain", "case_id", "seq", "row_hash")
        .iterator(chunk_size=CHUNK)
    ):
        stream.write(f"{chain}\t{case}\t{seq}\t{row_hash}\n")
        written += 1
    return written


def verify(
    case_code: str | None = None,
    summary: Summary | None = None,
    *,
    anchor=None,
    save_anchor=None,
) -> list[Break]:
    """Recompute every case's chains (or only the case with tracking code
    ``case_code``) and return the first broken link of each broken chain.
    ``summary``, when given, is filled in with the cases and rows checked.
    ``anchor``: the path of an anchor file (``write_anchor``) whose hashes
    the chains must still contain.  ``save_anchor``: a text stream to write
    a new anchor to, from the same snapshot, when nothing is broken.

    Streams the rows in (case, sequence) order: memory stays constant
    whatever the number of cases.
    """
    if transaction.get_connection().in_atomic_block:
        return _verify(case_code, summary, anchor, save_anchor)
    # One snapshot for every stream, so that rows appended meanwhile are
    # neither half seen nor taken for cut-off ones.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _verify(case_code, summary, anchor, save_anchor)


def _verify(case_code, summary, anchor, save_anchor) -> list[Break]:
    from feedback.models import Case

    summary = summary if summary is not None else Summary()
    case_id = None
    if case_code is not None:
        case_id = (
            Case.objects.filter(code=case_code).values_list("pk", flat=True).first()
        )
        if case_id is None:
            raise Case.DoesNotExist(case_code)
        summary.cases = 1
    else:
        summary.cases = Case.objects.count()
    found = []
    for chain in (EVENTS, HISTORY):
        anchors = _read_anchor(anchor, chain, case_id) if anchor else ()
        found.extend(_verify_chain(chain, case_id, summary, anchors))
    codes = dict(
        Case.objects.filter(
            pk__in={case for case, _chain, _first in found}
        ).values_list("pk", "code")
    )
    breaks = [
        Break(case, codes.get(case, ""), chain, *first) for case, chain, first in found
    ]
    if not breaks and save_anchor is not None:
        write_anchor(save_anchor)
    return sorted(breaks, key=lambda item: (item.case_id, item.chain))


# --------------------------------------------------------------------------
# Sealing rows stored before the chain existed (data migrations)
# --------------------------------------------------------------------------


def backfill(apps, *, chain: str, tables, case_ids=None, batch: int = 1000):
    """Seal, in order, every row of ``chain`` of the cases ``case_ids`` (a
    queryset of case primary keys; every case when ``None``) and set their
    heads, replacing whatever hashes and heads they had.  For data
    migrations: ``apps`` is the migration's app registry, ``tables`` a list
    of ``(app_label, model_name, case column, order_by)`` in tie-break
    order; rows are ordered by their ``order_by`` columns' first value (the
    time they were written), then by table, then by primary key.  Works a
    ``batch`` of cases at a time."""
    Case = apps.get_model("feedback", "Case")
    AuditHead = apps.get_model("feedback", "AuditHead")
    models_ = [
        (apps.get_model(app_label, name), column, order)
        for app_label, name, column, order in tables
    ]
    cases = Case.objects.all()
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    cases = cases.order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        ids = list(cases.filter(pk__gt=last)[:batch])
        if not ids:
            return
        last = ids[-1]
        found = {}
        for position, (model, column, order) in enumerate(models_):
            fields = content_fields(model)
            names = [field.attname for field in fields]
            pk = model._meta.pk.attname
            for record in (
                model._default_manager.filter(**{f"{column}__in": ids})
                .order_by(column, *order, pk)
                .values_list(pk, *names)
            ):
                values = dict(zip(names, record[1:], strict=True))
                key = (values[order[0]], position, record[0])
                found.setdefault(values[column], []).append(
                    (key, record[0], model, names, values)
                )
        updates = {}
        heads = []
        for case_id in ids:
            prev, seq = GENESIS, 0
            for _key, pk, model, names, values in sorted(
                found.get(case_id, []), key=lambda item: item[0]
            ):
                seq += 1
                values["audit_seq"] = seq
                row_hash = link_hash(
                    prev, model._meta.label, names, [values[n] for n in names]
                )
                updates.setdefault(model, []).append(
                    model(pk=pk, audit_seq=seq, prev_hash=prev, row_hash=row_hash)
                )
                prev = row_hash
            heads.append(
                AuditHead(case_id=case_id, chain=chain, seq=seq, row_hash=prev)
            )
        # Clear the old places first: the new ones may swap with them.
        for model, _column, _order in models_:
            objects = updates.get(model)
            if objects:
                model._default_manager.filter(
                    pk__in=[obj.pk for obj in objects]
                ).update(audit_seq=None)
                model._default_manager.bulk_update(
                    objects, ["audit_seq", "prev_hash", "row_hash"], batch_size=batch
                )
        AuditHead.objects.filter(case_id__in=ids, chain=chain).delete()
        AuditHead.objects.bulk_create(heads, batch_size=batch)


# The history tables of the case core, for ``backfill``.
CORE_HISTORY_TABLES = [
    ("feedback", "HistoricalCase", "id", ["history_date"]),
    ("feedback", "HistoricalParty", "case_id", ["history_date"]),
    ("feedback", "HistoricalAnswer", "case_id", ["history_date"]),
    ("feedback", "HistoricalCaseCollaborator", "case_id", ["history_date"]),
    ("feedback", "HistoricalAttachment", "case_id", ["history_date"]),
]
EVENT_TABLES = [("feedback", "CaseEvent", "case_id", ["created_at"])]
