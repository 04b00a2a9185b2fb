"""Queries compiled once per database connection (``PreparedQuery``), for
the few that the busiest requests run on every visit: a token's owner, a
viewer's memberships, a tracked case."""

from __future__ import annotations

import collections
import contextlib
import contextvars
import dataclasses
import inspect
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.fields import BooleanField, CharField, Field, TextField
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.query_utils import DeferredAttribute


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]
    compiler: object
    converters: dict
    # Model instances: the model, the attribute names of its columns, where
    # they are in a row, and the populators of ``select_related`` objects.
    model: type | None = None
    init_list: tuple[str, ...] = ()
    model_columns: slice | None = None
    related_populators: tuple = ()
    # Builds an instance faster than ``model.from_db`` when it can.
    make: Callable | None = None
    flat: bool = False


class PreparedQuery:
    """A query that the ORM compiles to SQL once per database connection and
    that then runs again with other values.

    Building the SQL of even a look-up by primary key costs the ORM more CPU
    than the database spends answering it, and the busiest requests run the
    same few queries over and over.  ``make`` builds the queryset from keyword
    arguments; ``placeholders`` gives each a value of its type (a string or an
    integer, which reach the SQL parameters unchanged) that real values never
    equal.  ``rows(**values)`` answers what iterating the queryset would:
    model instances with their ``select_related`` objects, or ``values_list``
    tuples (or values, ``flat``).  The query goes through the connection's
    cursor like any other (logged, counted, wrapped).  Connections live in
    their thread, and so do their compiled queries.
    """

    def __init__(self, make: Callable[..., QuerySet], **placeholders):
        self._make = make
        self._placeholders = placeholders
        self._model = None
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __deepcopy__(self, memo):
        # Shared like a constant (DRF deep-copies its fields' arguments).
        return self

    @property
    def model(self):
        if self._model is None:
            self._model = self._make(**self._placeholders).model
        return self._model

    def _compile(self, connection) -> _Compiled:
        queryset = self._make(**self._placeholders)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = {
            name: tuple(
                index
                for index, param in enumerate(params)
                if type(param) is type(value) and param == value
            )
            for name, value in self._placeholders.items()
        }
        if not all(slots.values()):
            raise ValueError(f"A placeholder did not reach the SQL: {slots}")
        columns = [column for column, _sql, _alias in compiler.select]
        compiled = {
            "sql": sql,
            "params": tuple(params),
            "slots": slots,
            "compiler": compiler,
            "converters": compiler.get_converters(columns[: compiler.col_count]),
        }
        iterable = queryset._iterable_class
        if iterable is ModelIterable and not compiler.annotation_col_map:
            info = compiler.klass_info
            model_columns = slice(
                info["select_fields"][0], info["select_fields"][-1] + 1
            )
            compiled.update(
                model=info["model"],
                init_list=tuple(
                    column.target.attname for column in columns[model_columns]
                ),
                model_columns=model_columns,
                related_populators=tuple(
                    get_related_populators(info, compiler.select, connection.alias)
                ),
            )
            compiled["make"] = _plain_maker(info["model"], compiled["init_list"])
        elif iterable in (ValuesListIterable, FlatValuesListIterable):
            # What those iterables do: the columns in the order asked for.
            compiled["flat"] = iterable is FlatValuesListIterable
        else:
            raise ValueError("Only model instances (not annotated) or values_list().")
        return _Compiled(**compiled)

    def _compiled_for(self, connection) -> _Compiled:
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        return compiled

    def rows(self, **values) -> list:
        return self.build(*self.fetch(**values))

    def fetch(self, **values) -> tuple[str, tuple]:
        """The database alias read and the rows it answered, as stored
        values (converted, not yet objects): what ``build`` turns into the
        answer of ``rows``."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        compiled = self._compiled_for(connection)
        params = list(compiled.params)
        for name, slots in compiled.slots.items():
            for index in slots:
                params[index] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return alias, tuple(tuple(row) for row in rows)

    def build(self, alias: str, rows: tuple) -> list:
        """``rows`` (from ``fetch``) as ``rows()`` answers them: new objects
        at every call."""
        compiled = self._compiled_for(connections[alias])
        if compiled.model is None:
            if compiled.flat:
                return [row[0] for row in rows]
            return list(rows)
        objects = []
        make = compiled.make
        for row in rows:
            values = row[compiled.model_columns]
            obj = make(alias, values) if make is not None else None
            if obj is None:
                obj = compiled.model.from_db(alias, compiled.init_list, values)
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    def first(self, **values):
        """The first of ``rows(**values)``, or ``None``."""
        rows = self.rows(**values)
        return rows[0] if rows else None


# Descriptors of concrete fields that store a value set on an instance
# as it is (``Model.__init__`` sets each column's value through them).
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def builds_plainly(model) -> bool:
    """Whether an instance of ``model`` may be built by ``plain_instance``
    now: the model keeps ``Model.__init__`` and no ``pre_init`` or
    ``post_init`` receiver listens (nothing could tell the two apart)."""
    return (
        model.__init__ is Model.__init__
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
    )


def plain_instance(model, values=(), alias: str | None = None):
    """An instance of ``model`` holding ``values`` (attribute names and
    values: every concrete field's, as ``Model.__init__`` would set them)
    without ``__init__``'s work per field; loaded from ``alias`` when given,
    else one being added.  For models that ``builds_plainly``."""
    obj = model.__new__(model)
    obj.__dict__.update(values)
    state = obj._state = ModelState()
    if alias is not None:
        state.adding = False
        state.db = alias
    return obj


def _plain_maker(model, attnames: tuple[str, ...]):
    """A function building an instance of ``model`` loaded from a database
    alias with the values of all its columns (``attnames``, in that order),
    as ``Model.from_db`` does but without ``__init__``'s work per field; or
    ``None`` when ``from_db`` is to build it: some columns deferred, or a
    field whose attribute is more than stored (a file, say).  The function
    answers ``None`` while the model is not one that ``builds_plainly`` (an
    ``__init__`` of its own, ``pre_init`` or ``post_init`` receivers)."""
    fields = model._meta.concrete_fields
    if (
        len(attnames) != len(fields)
        or {field.attname for field in fields} != set(attnames)
        or any(
            type(inspect.getattr_static(model, field.attname, None))
            not in _PLAIN_DESCRIPTORS
            for field in fields
        )
    ):
        return None

    def make(alias: str, values):
        if not builds_plainly(model):
            return None
        return plain_instance(model, zip(attnames, values, strict=True), alias)

    return make


# The types of value that fields of these kinds send to the database as
# they are: ``get_db_prep_save`` answers a text, a boolean or ``None``
# unchanged (and numbers not, as psycopg's dumpers get them by size).
_TEXT_FIELD_TYPES = frozenset({str, type(None)})
_BOOLEAN_FIELD_TYPES = frozenset({bool, type(None)})


def _written_as_is(field) -> frozenset:
    """The types of value ``field.get_db_prep_save`` answers unchanged: for
    text and boolean fields that keep Django's conversions, their own."""
    kind = type(field)
    if (
        kind.get_db_prep_save is not Field.get_db_prep_save
        or kind.get_db_prep_value is not Field.get_db_prep_value
    ):
        return frozenset()
    for base, types in (
        (CharField, _TEXT_FIELD_TYPES),
        (TextField, _TEXT_FIELD_TYPES),
        (BooleanField, _BOOLEAN_FIELD_TYPES),
    ):
        if (
            isinstance(field, base)
            and kind.get_prep_value is base.get_prep_value
            and kind.to_python is base.to_python
        ):
            return types
    return frozenset()


class PreparedInsert:
    """The INSERT of one row, its SQL built by the ORM once per database
    connection, model, column list and conflict rule.

    The ORM builds the whole statement for every row it inserts, which for a
    model of fifty columns costs three times what preparing the values does
    (a new case and its history row are inserted on every intake).  Here the
    values go through the fields as the ORM sends them (``pre_save`` on
    insert, then ``get_db_prep_save``) into SQL built the first time; a row
    holding an expression, or a column whose placeholder is not plain,
    goes through the ORM as before.  Answers the values of the returning
    fields as the ORM does: ``[row]``, or ``[]`` when the insert wrote nothing
    (a conflict it was told to ignore)."""

    def __init__(self):
        self._statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def statement(self, obj, fields, returning_fields, connection, on_conflict=None):
        """The SQL of the insert, its compiler, and whether its values are
        plain placeholders (built once per connection and shape)."""
        key = (
            type(obj),
            tuple(field.attname for field in fields),
            tuple(field.attname for field in returning_fields),
            on_conflict,
        )
        statements = self._statements.setdefault(connection, {})
        statement = statements.get(key)
        if statement is None:
            compiler = self._query(obj, fields, on_conflict).get_compiler(
                connection=connection
            )
            compiler.returning_fields = returning_fields
            [(sql, _params)] = compiler.as_sql()
            plain = not compiler.returning_params and not any(
                hasattr(field, "get_placeholder") for field in fields
            )
            as_is = tuple(_written_as_is(field) for field in fields)
            statement = statements[key] = (sql, compiler, plain, as_is)
        return statement

    def insert(
        self, obj, *, fields, returning_fields, using: str, on_conflict=None
    ) -> list:
        model = type(obj)
        connection = connections[using]
        sql, compiler, plain, as_is = self.statement(
            obj, fields, returning_fields, connection, on_conflict
        )
        deferred = deferred_for(using)
        # After the SQL was built (which runs them too): the values written
        # are those an ``auto_now`` field leaves on the object.
        values = [field.pre_save(obj, True) for field in fields]
        if not plain or any(hasattr(value, "resolve_expression") for value in values):
            if deferred is not None:
                raise ValueError("A deferred insert takes plain values only.")
            query = self._query(obj, fields, on_conflict)
            rows = query.get_compiler(connection=connection).execute_sql(
                returning_fields
            )
            return [row for row in rows if row is not None]
        params = [
            value
            if type(value) in kept
            else field.get_db_prep_save(value, connection=connection)
            for field, kept, value in zip(fields, as_is, values, strict=True)
        ]
        if deferred is not None:
            return deferred.add(obj, fields, params, returning_fields, on_conflict)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if not returning_fields:
                return []
            row = cursor.fetchone()
        if row is None:
            return []
        columns = [field.get_col(model._meta.db_table) for field in returning_fields]
        converters = compiler.get_converters(columns)
        if converters:
            return [tuple(next(iter(compiler.apply_converters([row], converters))))]
        return [tuple(row)]

    @staticmethod
    def _query(obj, fields, on_conflict):
        from django.db.models.sql import InsertQuery

        query = InsertQuery(type(obj), on_conflict=on_conflict)
        query.insert_values(fields, [obj])
        return query


_inserts = PreparedInsert()
insert_row = _inserts.insert


# --------------------------------------------------------------------------
# Inserts written by one statement
# --------------------------------------------------------------------------


@dataclass
class _DeferredRow:
    obj: object
    fields: tuple
    params: list
    on_conflict: object
    # The primary key is drawn by the database: set on ``obj`` after.
    pk_unknown: bool


@dataclass
class DeferredInserts:
    """The rows a ``deferred_inserts`` block inserted, in order; after the
    block, ``written`` tells whether they were (see ``deferred_inserts``)."""

    using: str
    rows: list[_DeferredRow] = dataclasses.field(default_factory=list)
    written: bool | None = None
    _after: list[Callable[[], None]] = dataclasses.field(default_factory=list)

    def on_written(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` right after the statement that writes the rows (in
        the transaction, if there is one).  Outside a transaction,
        ``transaction.on_commit`` in the block runs its function at once,
        before the rows exist: such work registers here instead."""
        self._after.append(hook)

    def add(self, obj, fields, params, returning_fields, on_conflict) -> list:
        """Keep the row; answer what the insert would (``insert_row``): the
        primary key when the row has it already, else nothing (it is set
        on the object after the statement)."""
        pk = obj._meta.pk
        if any(field is not pk for field in returning_fields):
            raise ValueError("A deferred insert returns its primary key only.")
        if on_conflict is not None and self.rows:
            raise ValueError("Only the first deferred row may have a conflict rule.")
        known = getattr(obj, pk.attname)
        self.rows.append(
            _DeferredRow(obj, tuple(fields), params, on_conflict, known is None)
        )
        if known is None or not returning_fields:
            return []
        return [(known,)]

    def _sql(self, connection) -> str:
        """One statement inserting every row, each in a data-modifying CTE
        (built once per connection and shape).  When the first row has a
        conflict rule, the others are inserted only if it was."""
        key = tuple(
            (
                type(row.obj),
                tuple(field.attname for field in row.fields),
                row.on_conflict,
                row.pk_unknown,
            )
            for row in self.rows
        )
        statements = _COMBINED.setdefault(connection, {})
        sql = statements.get(key)
        if sql is not None:
            return sql
        quote = connection.ops.quote_name
        guarded = self.rows[0].on_conflict is not None
        parts, answers = [], []
        for number, row in enumerate(self.rows):
            pk = row.obj._meta.pk
            insert, _compiler, _plain, _as_is = _inserts.statement(
                row.obj, list(row.fields), [pk], connection, row.on_conflict
            )
            if number and guarded:
                head, rest = insert.split(" VALUES (", 1)
                values, returning = rest.rsplit(") RETURNING ", 1)
                # Names and placeholders the ORM built: no value is in the SQL.
                insert = (
                    f"{head} SELECT {values} WHERE EXISTS (SELECT FROM b0) "  # noqa: S608
                    f"RETURNING {returning}"
                )
            parts.append(f"b{number} AS ({insert})")
            if (number == 0 and guarded) or row.pk_unknown:
                answers.append(
                    f"SELECT {number}, {quote(pk.column)} FROM b{number}"  # noqa: S608
                )
        answer = " UNION ALL ".join(answers) or "SELECT 0, 0 WHERE FALSE"
        sql = statements[key] = f"WITH {', '.join(parts)} {answer}"
        return sql

    def write(self) -> None:
        if not self.rows:
            self.written = True
            return
        connection = connections[self.using]
        sql = self._sql(connection)
        params = [param for row in self.rows for param in row.params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            answered = dict(cursor.fetchall())
        self.written = self.rows[0].on_conflict is None or 0 in answered
        if not self.written:
            return
        for number, row in enumerate(self.rows):
            if row.pk_unknown:
                setattr(row.obj, row.obj._meta.pk.attname, answered[number])


_COMBINED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_DEFERRED: contextvars.ContextVar[DeferredInserts | None] = contextvars.ContextVar(
    "deferred_inserts", default=None
)


def deferred_for(using: str) -> DeferredInserts | None:
    """The ``deferred_inserts`` block holding the inserts into ``using``."""
    deferred = _DEFERRED.get()
    return deferred if deferred is not None and deferred.using == using else None


def deferred_inserts_supported(using: str) -> bool:
    """Whether ``deferred_inserts`` and ``draw_ids`` work on the database
    (PostgreSQL: SQLite has neither data-modifying CTEs nor sequences)."""
    return connections[using].vendor == "postgresql"


@contextlib.contextmanager
def deferred_inserts(using: str) -> Iterator[DeferredInserts]:
    """Hold the rows that ``insert_row`` (``insert_new``, and ``save()`` of
    models that insert through it) inserts into ``using`` in the block, and
    write them all with one statement when it ends: one round trip, and on
    its own one transaction, in place of one statement per row.

    The block must not read what it inserts, and the rows' values must be
    plain (no expressions).  Rows saved through ``save()`` need their primary
    key set before (``draw_ids``); the keys of rows inserted with
    ``insert_new`` without one are set after the statement.  When the first
    row has a conflict rule (``ON CONFLICT DO NOTHING``) and meets a
    conflict, no row is written and ``written`` is false.  If the block
    raises, nothing is written.

    Outside a transaction the statement is one by itself.  A hook that must
    see the rows registers with ``on_written``: ``transaction.on_commit``
    would run it at once, before they are written."""
    if _DEFERRED.get() is not None:
        raise RuntimeError("deferred_inserts blocks do not nest.")
    if not deferred_inserts_supported(using):
        raise RuntimeError("deferred_inserts needs PostgreSQL.")
    deferred = DeferredInserts(using)
    token = _DEFERRED.set(deferred)
    try:
        yield deferred
    finally:
        _DEFERRED.reset(token)
    deferred.write()
    if deferred.written:
        for hook in deferred._after:
            hook()


# Keys drawn from the sequences per round trip (``draw_ids``).
KEYS_DRAWN_AT_ONCE = 16
# {database connection: {model labels: keys drawn and not yet handed out}}.
# Keyed by the driver's connection, so that a new connection (after a
# restore, say) never hands out keys drawn before it.
_drawn: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def draw_ids(using: str, *models) -> tuple[int, ...]:
    """A new primary key from the sequence of each of ``models``
    (PostgreSQL).

    Keys are drawn ``KEYS_DRAWN_AT_ONCE`` at a time, in one query, and
    handed out in order by the connection that drew them: a round trip per
    sixteen new cases rather than one each.  Keys are unique, never reused
    (a rolled-back transaction does not give them back, as with any
    sequence), and increase on each connection for the same ``models``
    (each set of models has keys of its own); across connections a key no
    longer tells which case was logged first (``created_at`` does)."""
    if not deferred_inserts_supported(using):
        raise RuntimeError("draw_ids needs PostgreSQL.")
    connection = connections[using]
    connection.ensure_connection()
    drawn = _drawn.setdefault(connection.connection, {})
    labels = tuple(model._meta.label for model in models)
    keys = drawn.get(labels)
    if not keys:
        # Placeholders only: the tables' names go as parameters.
        draws = ", ".join(
            "nextval(pg_get_serial_sequence(%s, %s))" for _model in models
        )
        sql = f"SELECT {draws} FROM generate_series(1, %s) ORDER BY 1"  # noqa: S608
        params = [
            value
            for model in models
            for value in (model._meta.db_table, model._meta.pk.column)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, KEYS_DRAWN_AT_ONCE])
            keys = drawn[labels] = collections.deque(
                tuple(row) for row in cursor.fetchall()
            )
    return keys.popleft()


def forget_drawn_ids(using: str) -> None:
    """Let the connection's next ``draw_ids`` draw afresh: the keys it holds
    are never handed out (for tests that count its round trips)."""
    connection = connections[using]
    if deferred_inserts_supported(using) and connection.connection is not None:
        _drawn.pop(connection.connection, None)


# The most parameters of a statement whose conversion to PostgreSQL's form
# psycopg keeps (it keeps none of more than 50): the one statement that
# writes a new case's rows (``deferred_inserts``) has about 130, and
# converting it again costs more than writing it.
STATEMENT_PARAMS_CACHED = 256


def cache_wide_statements() -> None:
    """Let psycopg keep the converted form of statements of up to
    ``STATEMENT_PARAMS_CACHED`` parameters (run once, at start-up).  The
    limit guards its cache of 128 statements against one-off statements
    with a parameter per row; the wide statements here are the same on
    every request."""
    try:
        from psycopg import _queries
    except ImportError:  # no PostgreSQL driver: nothing to tune
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < STATEMENT_PARAMS_CACHED:
        _queries.MAX_CACHED_STATEMENT_PARAMS = STATEMENT_PARAMS_CACHED


def insert_new(obj, using: str | None = None) -> None:
    """Insert the new model instance ``obj`` as ``save()`` would, through a
    statement built once (``insert_row``), without ``save()``'s machinery:
    for rows that are only ever inserted and that nothing listens to (see
    ``insert_new_allowed``).  Sets the returned columns (the primary key) on
    ``obj`` and marks it saved."""
    model = type(obj)
    meta = model._meta
    using = using or router.db_for_write(model, instance=obj)
    obj._prepare_related_fields_for_save(operation_name="save")
    fields = [field for field in meta.local_concrete_fields if not field.generated]
    if obj._get_pk_val(meta) is None:
        fields = [field for field in fields if field is not meta.auto_field]
    returning = meta.db_returning_fields
    rows = insert_row(obj, fields=fields, returning_fields=returning, using=using)
    for value, field in zip(rows[0] if rows else (), returning, strict=False):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using


def insert_new_allowed(model) -> bool:
    """Whether ``insert_new`` writes what ``save()`` would for ``model``: no
    parent table, and no ``pre_save`` or ``post_save`` listener."""
    return not (
        model._meta.parents
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    )
