"""Plain INSERT and UPDATE statements for the engine's hot path (see docs/runtime.md, "Benchmark").

``Model.save()`` and ``bulk_create`` compile their SQL anew on every call; for the few rows
every action writes (tasks, log entries, documents, the case's changed columns) that costs more
than the database. These write the same columns with the same adaptation (each field's
``pre_save`` and ``get_db_prep_save``, so ``auto_now``, JSON and dates behave as in ``save()``)
through statements built once per model. They send no ``pre_save``/``post_save`` signals: use
them only for the runtime's own models, which have no receivers and no history.

On PostgreSQL these statements are also *prepared*: sent with server-side binding and planned
once per connection, where Django's own queries bind client-side and are parsed and planned on
every call. Planning a statement costs the server more than running one of these. And within
:func:`writes_together` an UPDATE is held back and travels with the next statement, so an action's
writes take as few round trips as their dependencies allow.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager, nullcontext
from functools import cache, lru_cache

import psycopg  # a requirement on every installation (requirements.txt)
from django.db import IntegrityError, connections, models, router
from django.db.models import BigIntegerField, Expression, signals
from django.db.models.base import ModelState
from psycopg import _queries as psycopg_queries  # pinned (requirements.txt); see _FixedShapeQuery


@cache
def _insert_sql(model, vendor: str, quote, count: int, returning: bool, with_pk: bool = False) -> tuple[tuple, str]:
    """The fields' parameter plan (:func:`_plan`) and the statement."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
           + ", ".join([row] * count))
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return _plan(tuple(fields)), sql


@cache
def _update_sql(model, vendor: str, quote, names: tuple, expected: tuple = ()) -> tuple[tuple, str]:
    meta = model._meta
    fields = [meta.get_field(name) for name in names]

    def assignment(f) -> str:
        if f.name not in expected:
            return f"{quote(f.column)} = %s"
        if f.null:
            raise ValueError(f"{f.name} 可为空，不能用作比对写入")
        # compare and set: NULL, which the column refuses (failing the whole statement), when the
        # row no longer holds the value read
        return f"{quote(f.column)} = CASE WHEN {quote(f.column)} = %s THEN %s END"

    return _plan(tuple(fields)), (f"UPDATE {quote(meta.db_table)} SET {', '.join(map(assignment, fields))} "
                                  f"WHERE {quote(meta.pk.column)} = %s")


# psycopg turns ``%s`` into ``$n`` with a regular expression, and caches the result only for
# statements of at most 50 parameters; an action's last statement (its log entries, documents and
# the case's columns) has more. The hot path's statements have few shapes, so all are cached.
_pg_placeholders = lru_cache(maxsize=512)(psycopg_queries._query2pg_nocache)


class _FixedShapeQuery(psycopg_queries.PostgresQuery):
    def convert(self, query, vars) -> None:
        if vars is None or not isinstance(query, str):
            return super().convert(query, vars)
        self.query, self._want_formats, self._order, self._parts = _pg_placeholders(
            self._ensure_bytes(query), self._tx.encoding)
        self.dump(vars)
        return None


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, prepared on first use (psycopg keeps the plans per connection and
    deallocates the least recently used beyond its ``prepared_max``)."""

    _query_cls = _FixedShapeQuery

    def execute(self, query, params=None, *, prepare=True, **kwargs):
        return super().execute(query, params, prepare=prepare, **kwargs)


@lru_cache(maxsize=1024)  # the statements' shapes are few (rows per INSERT vary a little)
def _qmark(sql: str) -> str:
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    return SQLiteCursorWrapper.convert_query(None, sql)


@cache
def _sqlite_cursor_class():
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    class FixedShapeCursor(SQLiteCursorWrapper):
        """Django's SQLite cursor, converting each fixed statement's ``%s`` to ``?`` once per
        process rather than by a regular expression on every call."""

        def convert_query(self, query, *, param_names=None):
            if param_names is not None:
                return super().convert_query(query, param_names=param_names)
            return _qmark(query)

    return FixedShapeCursor


class _DirectCursor:
    """What Django's cursor wrapper does for a statement that no execute wrapper watches and no
    query log records — refuse it in a broken transaction, translate the driver's errors — without
    its layers, which run some forty times a lifecycle: on SQLite, where the database runs in this
    process, they cost about as much as one of the hot path's statements. On PostgreSQL it also
    sends writes :func:`writes_together` holds before the statement, as its execute wrapper would
    (:func:`cursor` skips that wrapper), and the connection's one preparing cursor is reused."""

    __slots__ = ("db", "cursor", "sqlite")

    def __init__(self, db, raw, sqlite: bool):
        self.db, self.cursor, self.sqlite = db, raw, sqlite

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        if self.sqlite:
            self.cursor.close()

    def execute(self, sql: str, params):
        db = self.db
        if not self.sqlite:  # as send_held_first
            if getattr(db, _ALONE, None) is not None:
                with _read_apart(db, sql):
                    return self._execute(sql, params)
            if getattr(db, _HELD, None):  # what send_held_first would send first
                self._execute(*_with_held(db, None, []))
        return self._execute(_qmark(sql) if self.sqlite else sql, params)

    def _execute(self, sql: str, params):
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            return self.cursor.execute(sql, params)

    def fetchone(self):
        with self.db.wrap_database_errors:
            return self.cursor.fetchone()

    def fetchall(self):
        with self.db.wrap_database_errors:
            return self.cursor.fetchall()


def _unwatched(connection) -> bool:
    """No query log records and no execute wrapper but :func:`writes_together`'s own watches."""
    return not connection.queries_logged and all(
        getattr(wrapper, "rows_own", False) for wrapper in connection.execute_wrappers)


_PG_CURSOR = "_rows_pg_cursor"  # on the connection: (driver connection, time zone, preparing cursor)


def cursor(connection):
    """A cursor for the hot path's fixed-shape statements, wrapped as Django wraps its own
    (error translation, execute wrappers, the query log when DEBUG is on)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.validate_thread_sharing()
        if not connection.execute_wrappers and not connection.queries_logged:
            return _DirectCursor(connection, connection.connection.cursor(), True)
        raw = connection.connection.cursor(factory=_sqlite_cursor_class())
        return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if _unwatched(connection):
        kept = getattr(connection, _PG_CURSOR, None)
        if kept is None or kept[0] is not raw or kept[1] is not connection.timezone:
            kept = (raw, connection.timezone, _preparing_cursor(connection, raw))
            setattr(connection, _PG_CURSOR, kept)
        return _DirectCursor(connection, kept[2], False)
    prepared = _preparing_cursor(connection, raw)
    return connection.make_debug_cursor(prepared) if connection.queries_logged else connection.make_cursor(prepared)


def _preparing_cursor(connection, raw) -> _PreparingCursor:
    if raw.prepare_threshold is None:
        # Django turns psycopg's automatic preparation off for its client-side cursors, which
        # cannot prepare anyway; a threshold is needed for ``prepare=True`` to take effect.
        raw.prepare_threshold = 5
    prepared = _PreparingCursor(raw)
    # As Django's create_cursor: the cursor's time zone when the connection's differs.
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, register_tzloader

    if connection.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT).timezone:
        register_tzloader(connection.timezone, prepared)
    return prepared


# --- Writes held back to travel with the next statement (PostgreSQL) ---------------------------

_HELD = "_rows_held"  # on the connection: [(sql, params, (table, pk))] while writes_together runs
_RESERVED = "_rows_reserved"  # on the connection: {model: primary key} while writes_together runs
_ALONE = "_rows_alone"  # on the connection: writes_together(alone=True) runs; its last statement or None


class NeedsTransaction(Exception):
    """Raised within ``writes_together(alone=True)`` where the block would send a write before its
    last statement, or a read after it, or where its one statement failed on a constraint (a
    concurrent action took the case's next log position first). Nothing has been written: run the
    action again in a transaction. ``concurrent``: the statement failed (the action itself can be
    done alone)."""

    def __init__(self, *, concurrent: bool = False):
        super().__init__("须在事务中办理" if not concurrent else "办件已被同时办理")
        self.concurrent = concurrent


def can_act_alone(alias: str = "default") -> bool:
    """Whether ``writes_together(alias, alone=True)`` may write without a transaction: on
    PostgreSQL, outside any ``atomic`` block (each statement commits by itself)."""
    connection = connections[alias]
    return connection.vendor == "postgresql" and not connection.in_atomic_block and connection.get_autocommit()


def acting_alone(model) -> bool:
    """Whether ``model``'s writes are being gathered by ``writes_together(alone=True)``: no lock
    holds the rows the action read, so an update may need to ``expect`` their values."""
    return getattr(connections[router.db_for_write(model)], _ALONE, None) is not None


_LOCKING_READ = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)


def _refuse_unless_apart(connection, sql: str) -> None:
    """Within ``alone``, only a plain read that names none of the held writes' tables (so cannot
    depend on them) goes out, and only before the last statement is made."""
    if getattr(connection, _ALONE) or sql.lstrip()[:6].upper() != "SELECT" or _LOCKING_READ.search(sql) \
            or any(connection.ops.quote_name(table) in sql for _s, _p, (table, _pk) in getattr(connection, _HELD)):
        raise NeedsTransaction


class NextId(Expression):
    """A new primary key of ``model``, drawn from its sequence by the query that selects this (on
    PostgreSQL; NULL elsewhere): a read the action makes anyway reserves the key of the row it
    will insert, so that INSERT need not return it and can travel with a later statement."""

    output_field = BigIntegerField()

    def __init__(self, model):
        super().__init__()
        self.model = model

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return "NULL", []
        return next_id_sql(self.model)


def next_id_sql(model) -> tuple[str, list]:
    """SQL drawing a new primary key of ``model`` from its sequence (PostgreSQL), with its parameters."""
    return "nextval(pg_get_serial_sequence(%s, %s))", [model._meta.db_table, model._meta.pk.column]


def reservable(models_: tuple, alias: str = "default") -> tuple:
    """Of ``models_``, those whose next row's key a statement the action sends anyway may draw
    (``RETURNING …`` :func:`next_id_sql`; then :func:`reserve` it): within :func:`writes_together`
    on PostgreSQL, and not reserved already. Elsewhere none."""
    reserved = getattr(connections[alias], _RESERVED, None)
    return () if reserved is None else tuple(m for m in models_ if m not in reserved)


def reserve(model, pk: int, alias: str = "default") -> None:
    """The key of the next row of ``model`` that :func:`insert` writes in this block: that INSERT
    is then held back to travel with the next statement (:func:`writes_together`)."""
    getattr(connections[alias], _RESERVED)[model] = pk


@contextmanager
def writes_together(alias: str = "default", *, reserved: dict | None = None, alone: bool = False):
    """Within the block, on PostgreSQL, :func:`update` holds its UPDATE back and sends it with the
    connection's next statement: as a data-modifying ``WITH`` part of the next of these INSERTs
    and UPDATEs, or just before any other statement (an execute wrapper sends it first, so every
    query reads the writes made before it). So does :func:`insert` of one row whose key was
    reserved (``reserved``: ``{model: key}`` drawn by :class:`NextId`, or later by :func:`reserve`;
    each used once). A compiled read may carry what is held (:meth:`Prepared.all`). Whatever is
    still held at the end of the block is sent then; an exception drops it with the transaction it
    belonged to. Use inside the transaction (``atomic``) that the writes belong to. Elsewhere
    nothing is held.

    ``alone`` (where :func:`can_act_alone`): the block's writes go out as *one* statement when it
    ends, made by :func:`insert_and_update` with what is held as its parts, with no transaction
    around it (no BEGIN and COMMIT round trips: a single statement is atomic by itself). A plain
    read that names none of the held writes' tables goes out by itself, past them. A write that
    would go out earlier, any other read, a read after the last statement is made, or a block
    without one raises :class:`NeedsTransaction` before anything is written; so does the statement
    failing on a constraint. The caller then does the action again in a transaction, and must make
    the statement fail when another action came between its reads and its write (the runtime
    inserts the case's next log entries, whose position is unique, and completes the task only
    if it is still as read: :func:`update` with ``expect``)."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or getattr(connection, _HELD, None) is not None:
        if alone:
            raise NeedsTransaction
        yield
        return
    if alone and not can_act_alone(alias):
        raise NeedsTransaction
    held: list = []
    setattr(connection, _HELD, held)
    setattr(connection, _RESERVED, {model: pk for model, pk in (reserved or {}).items() if pk is not None})
    setattr(connection, _ALONE, () if alone else None)

    def send_held_first(execute, sql, params, many, context):
        if getattr(connection, _ALONE, None) is not None:
            with _read_apart(connection, sql):
                return execute(sql, params, many, context)
        if held:
            _send(connection, *_with_held(connection, None, []))
        return execute(sql, params, many, context)

    send_held_first.rows_own = True  # rows' own statements send what is held themselves (_DirectCursor)
    try:
        with connection.execute_wrapper(send_held_first):
            yield
            last = getattr(connection, _ALONE, None)
            setattr(connection, _ALONE, None)
            if last:
                _send_alone(connection, *_with_held(connection, *last))
            elif held:
                if alone:  # writes without a last statement (insert_and_update): not alone
                    raise NeedsTransaction
                _send(connection, *_with_held(connection, None, []))
    finally:
        setattr(connection, _HELD, None)
        setattr(connection, _RESERVED, None)
        setattr(connection, _ALONE, None)


@contextmanager
def _read_apart(connection, sql: str):
    """Within ``alone``: a statement that is not the block's one goes out only as a read apart
    from what is held (:func:`_refuse_unless_apart`), past it."""
    _refuse_unless_apart(connection, sql)
    with _past_held(connection):
        yield


@contextmanager
def _past_held(connection):
    """A read within ``alone`` that cannot depend on the held writes goes out without them."""
    held = getattr(connection, _HELD)
    setattr(connection, _HELD, [])
    try:
        yield
    finally:
        setattr(connection, _HELD, held)


def _send_alone(connection, sql: str, params: list) -> None:
    """The one statement of an ``alone`` block: a constraint it fails on (the caller's guards,
    :func:`writes_together`) means another change came between, and it wrote nothing."""
    try:
        _send(connection, sql, params)
    except IntegrityError as error:
        raise NeedsTransaction(concurrent=True) from error


def _with_held(connection, sql: str | None, params: list) -> tuple[str, list]:
    """The held writes (taken: no longer held) as ``WITH`` parts of ``sql`` — or, without it, the
    last held write as the statement and the others as its parts."""
    held = getattr(connection, _HELD, None) or []
    writes = list(held)
    held.clear()
    if sql is None:
        (sql, params, _key), writes = writes[-1], writes[:-1]
    if not writes:
        return sql, params
    parts = ", ".join(f"held_{i} AS ({write_sql})" for i, (write_sql, _p, _k) in enumerate(writes))
    return _join_with(parts, sql), [p for _s, write_params, _k in writes for p in write_params] + list(params)


def _join_with(parts: str, sql: str) -> str:
    """``WITH parts sql``, merging with a ``WITH`` that ``sql`` already has."""
    if sql.startswith("WITH "):
        return f"WITH {parts}, {sql[5:]}"
    return f"WITH {parts} {sql}"


def _refuse_write(connection, *, held: bool = False) -> None:
    """Within ``alone``: a write going out now (``held``: held after the last statement) would
    not be part of the block's one statement."""
    alone = getattr(connection, _ALONE, None)
    if alone if held else alone is not None:
        raise NeedsTransaction


def _send(connection, sql: str, params: list) -> None:
    _refuse_write(connection)
    with cursor(connection) as c:
        c.execute(sql, params)


def insert(objs: list, *, returning: bool = True) -> None:
    """INSERT the new instances of one model in one statement; sets their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    reserved = getattr(connection, _RESERVED, None)
    pk = reserved.pop(model, None) if reserved and len(objs) == 1 and objs[0].pk is None else None
    if pk is not None:  # its key is known: held, to travel with the next statement
        _refuse_write(connection, held=True)
        objs[0].pk = pk
        plan, sql = _insert_sql(model, connection.vendor, connection.ops.quote_name, 1, False, True)
        getattr(connection, _HELD).append((sql, _insert_params(objs, plan, connection), (model._meta.db_table, pk)))
        _inserted(objs, [pk], alias)
        return
    _refuse_write(connection)
    plan, sql = _insert_sql(model, connection.vendor, connection.ops.quote_name, len(objs), returning)
    sql, params = _with_held(connection, sql, _insert_params(objs, plan, connection))
    with cursor(connection) as c:
        c.execute(sql, params)
        pks = [r[0] for r in c.fetchall()] if returning else [None] * len(objs)
    _inserted(objs, pks, alias)


def _insert_params(objs: list, plan: tuple, connection) -> list:
    return _params(objs, plan, connection, True)


# How each field's value becomes a parameter, decided once per field list: the hot path's rows
# hold plain values (str, int, bool, aware datetimes, dates, None), for which Django's per-field
# ``pre_save`` + ``get_db_prep_save`` come down to passing the value on (or the backend's date or
# JSON adapter). Anything else — ``auto_now``, files, an unexpected type — takes that full path.
_STR, _INT, _BOOL, _DATE, _DATETIME, _JSON = range(6)
_KINDS = {
    models.CharField: _STR, models.TextField: _STR,
    models.IntegerField: _INT, models.PositiveIntegerField: _INT, models.PositiveSmallIntegerField: _INT,
    models.SmallIntegerField: _INT, models.BigIntegerField: _INT, models.AutoField: _INT,
    models.BigAutoField: _INT, models.BooleanField: _BOOL, models.DateField: _DATE, models.DateTimeField: _DATETIME,
    models.JSONField: _JSON,
}


_PLAIN_PRE_SAVE = (models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save)


@cache
def _plan(fields: tuple) -> tuple:
    plan = []
    for f in fields:
        target = f.target_field if f.is_relation and f.many_to_one else f
        kind = _KINDS.get(type(target))
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) or type(f).pre_save not in _PLAIN_PRE_SAVE:
            kind = None  # pre_save makes the value (a timestamp, a stored file)
        if kind is _JSON and getattr(f, "encoder", None) is not None:
            kind = None  # its own encoder: the field's path
        plan.append((f.attname, kind, f))
    return tuple(plan)


_MISSING = object()


def _params(objs: list, plan: tuple, connection, add: bool) -> list:
    ops, params = connection.ops, []
    append = params.append
    for obj in objs:
        values = obj.__dict__
        for attname, kind, f in plan:
            value = values.get(attname, _MISSING)
            if value is None and kind is not None:
                append(None)
            elif kind is _STR and isinstance(value, str) or kind is _INT and type(value) is int \
                    or kind is _BOOL and type(value) is bool:
                append(value)
            elif kind is _DATETIME and type(value) is dt.datetime and value.tzinfo is not None:
                append(_adapted_datetime(ops, value))
            elif kind is _DATE and type(value) is dt.date:
                append(ops.adapt_datefield_value(value))
            elif kind is _JSON and (type(value) is dict or type(value) is list):
                append(ops.adapt_json_value(value, None))
            else:
                append(f.get_db_prep_save(f.pre_save(obj, add), connection=connection))
    return params


@lru_cache(maxsize=256)
def _adapted_datetime(ops, value: dt.datetime):
    """The backend's adaptation of an aware date-time (the same instant, so the same value,
    whatever its zone): an action writes its ``now`` into several rows and columns."""
    return ops.adapt_datetimefield_value(value)


def _inserted(objs: list, pks: list, alias: str) -> None:
    for obj, pk in zip(objs, pks, strict=True):
        if pk is not None:
            obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def update(obj, names, *, expect: dict | None = None) -> None:
    """UPDATE the named fields (by name or attname) of one saved instance; held back to travel
    with the next statement within :func:`writes_together`. ``expect``: {field name: value as
    read} of fields among ``names`` that may not be NULL: the statement fails with an
    ``IntegrityError`` unless the row still holds those values (what lets an action done without
    a lock, ``writes_together(alone=True)``, see a concurrent change)."""
    alias = router.db_for_write(type(obj))
    connection = connections[alias]
    held = getattr(connection, _HELD, None)
    if held is None:
        insert_and_update([], obj, names, expect=expect)
        return
    key = (obj._meta.db_table, obj.pk)
    if any(k == key for _s, _p, k in held):  # one statement cannot update a row twice
        _send(connection, *_with_held(connection, None, []))
    _refuse_write(connection, held=True)
    held.append((*_update_statement(obj, names, connection, expect), key))


def _update_statement(obj, names, connection, expect: dict | None = None) -> tuple[str, list]:
    expected = tuple(sorted(expect)) if expect else ()
    plan, sql = _update_sql(type(obj), connection.vendor, connection.ops.quote_name, tuple(names), expected)
    params = _params([obj], plan, connection, False)
    if expect:  # each expected field's value as read goes before its new value
        params = [p for (_attname, _kind, f), value in zip(plan, params, strict=True)
                  for p in ((f.get_db_prep_save(expect[f.name], connection=connection), value) if f.name in expect
                            else (value,))]
    return sql, [*params, obj.pk]


def insert_and_update(inserts: list[list], obj, names, *, expect: dict | None = None) -> None:
    """INSERT new instances (each list one model's; their keys are not read back), then UPDATE
    the named fields of one saved instance: one statement on PostgreSQL (the INSERTs as
    data-modifying ``WITH`` parts), so one round trip; one statement each elsewhere. Only for
    rows that do not depend on each other: on PostgreSQL no part sees another's changes."""
    alias = router.db_for_write(type(obj))
    connection = connections[alias]
    quote = connection.ops.quote_name
    sql, params = _update_statement(obj, names, connection, expect)
    held = getattr(connection, _HELD, None)
    if held and any(k == (obj._meta.db_table, obj.pk) for _s, _p, k in held):  # its INSERT: sent first, seen
        _send(connection, *_with_held(connection, None, []))
    together = connection.vendor == "postgresql"
    alone = together and getattr(connection, _ALONE, None) is not None
    _refuse_write(connection, held=True)
    parts, part_params = [], []
    with cursor(connection) as c:
        for objs in filter(None, inserts):
            insert_plan, insert_sql = _insert_sql(type(objs[0]), connection.vendor, quote, len(objs), False)
            insert_params = _insert_params(objs, insert_plan, connection)
            if together:
                parts.append(f"inserted_{len(parts)} AS ({insert_sql})")
                part_params += insert_params
            else:
                c.execute(insert_sql, insert_params)
        if parts:
            sql, params = f"WITH {', '.join(parts)} {sql}", [*part_params, *params]
        if alone:  # the block's last statement: sent when it ends, with what is held as its parts
            setattr(connection, _ALONE, (sql, params))
        else:
            c.execute(*_with_held(connection, sql, params))
    for objs in inserts:
        _inserted(objs, [None] * len(objs), alias)


# --- Instances without Model.__init__ ----------------------------------------------------------
# ``Model.__init__`` sets each field through its descriptor and sends pre_init/post_init; for the
# hot path's rows (a dozen log entries, tasks and documents per lifecycle, and every row read by a
# compiled SELECT) that costs more than the INSERT. These make the same instance — the same
# ``__dict__``, ``_state`` and cached related objects — directly, for models with Django's own
# ``__init__`` and no receiver of those signals (any other model takes the ordinary path).


@cache
def _plain_init(model) -> bool:
    return (model.__init__ is models.Model.__init__ and not signals.pre_init.has_listeners(model)
            and not signals.post_init.has_listeners(model))


@cache
def _layout(model) -> tuple:
    # the default's maker: Field.get_default only calls it (a field that overrides get_default keeps it)
    return tuple((f.name, f.attname, f.many_to_one, f,
                  f._get_default if type(f).get_default is models.Field.get_default else f.get_default)
                 for f in model._meta.concrete_fields)


def new(model, **values):
    """``model(**values)`` (fields by name or attname; related objects by name): a new instance
    whose missing fields take their defaults."""
    if not _plain_init(model):
        return model(**values)
    obj = model.__new__(model)
    obj._state = state = ModelState()
    row, related = obj.__dict__, state.fields_cache
    for name, attname, many_to_one, f, default in _layout(model):
        if many_to_one and name in values:
            target = values.pop(name)
            row[attname] = None if target is None else getattr(target, f.target_field.attname)
            related[name] = target
            if target is not None and f.one_to_one:  # as the descriptor does: the reverse side too
                f.remote_field.set_cached_value(target, obj)
        elif name in values:
            row[attname] = values.pop(name)
        elif attname in values:
            row[attname] = values.pop(attname)
        else:
            row[attname] = default()
    if values:
        raise TypeError(f"{model.__name__} 没有字段：{', '.join(values)}")
    return obj


def _from_db(model, alias: str, names, values):
    """``model.from_db(alias, names, values)`` (see :func:`new`)."""
    if not _plain_init(model):
        return model.from_db(alias, names, values)
    obj = model.__new__(model)
    obj._state = state = ModelState()
    state.adding, state.db = False, alias
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


class _Populator:
    """Django's ``RelatedPopulator`` (``select_related``), making its instances by :func:`_from_db`."""

    def __init__(self, inner):
        self.inner = inner
        self.related = [_Populator(p) for p in inner.related_populators]

    def populate(self, row, from_obj) -> None:
        p = self.inner
        data = p.reorder_for_init(row) if p.reorder_for_init else row[p.cols_start:p.cols_end]
        obj = None
        if data[p.pk_idx] is not None:
            obj = _from_db(p.model_cls, p.db, p.init_list, data)
            for related in self.related:
                related.populate(row, obj)
        p.local_setter(from_obj, obj)
        if obj is not None:
            p.remote_setter(obj, from_obj)


class Prepared:
    """A SELECT compiled once and run many times with other values: ``build(*values)`` returns
    the queryset; it is compiled with stand-in values the first time on each database, and
    later calls substitute theirs. Rows become instances (with ``select_related`` ones) by the
    ORM's own converters and populators. For fixed-shape lookups only (``filter(pk=…)``)."""

    STAND_INS = (-7_310_581_917, -7_310_581_919, -7_310_581_923)  # integers no row has

    def __init__(self, build):
        self.build = build
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str, arity: int) -> tuple:
        from django.db.models.query import get_related_populators

        stand_ins = self.STAND_INS[:arity]
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = [stand_ins.index(p) if p in stand_ins else None for p in params]
        if sorted(s for s in slots if s is not None) != list(range(arity)):
            raise ValueError("每个参数须在查询中恰好出现一次")
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [f[0].target.attname for f in select[start:end]]
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        populators = [_Populator(p) for p in get_related_populators(klass_info, select, alias)]
        annotations = list(compiler.annotation_col_map.items())
        compiled = (sql, params, slots, compiler, converters, klass_info["model"], start, end, names, populators,
                    annotations)
        self._compiled[alias] = compiled
        return compiled

    def all(self, *values, alias: str = "default", before_held: bool = False) -> list:
        """The rows. Writes held back by :func:`writes_together` travel with this read as its
        ``WITH`` parts when its SQL names none of their tables (subqueries included), so it cannot
        depend on them, or when the caller says so (``before_held``: the caller knows that the
        rows as they were before those writes give the same answer); otherwise they are sent
        first. Either way one round trip fewer than a separate write would take, or none lost.
        Within ``writes_together(alone=True)`` such a read goes out by itself, past what is held
        (which waits for the block's one statement); any other read there is refused
        (:class:`NeedsTransaction`)."""
        compiled = self._compiled.get(alias) or self._compile(alias, len(values))
        sql, params, slots, compiler, converters, model, start, end, names, populators, annotations = compiled
        args = [p if s is None else values[s] for p, s in zip(params, slots, strict=True)]
        connection = connections[alias]
        held = getattr(connection, _HELD, None)
        apart = bool(held) and (before_held or not any(connection.ops.quote_name(table) in sql
                                                       for _s, _p, (table, _pk) in held))
        alone = getattr(connection, _ALONE, None) is not None
        if alone and held and not apart:
            raise NeedsTransaction
        if apart and not alone:
            sql, args = _with_held(connection, sql, args)
        with _past_held(connection) if alone else nullcontext(), cursor(connection) as c:
            c.execute(sql, args)
            fetched = c.fetchall()
        if converters:
            fetched = compiler.apply_converters(fetched, converters)
        objs = []
        for row in fetched:
            obj = _from_db(model, alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, index in annotations:
                setattr(obj, name, row[index])
            objs.append(obj)
        return objs

    def get(self, *values, alias: str = "default"):
        found = self.all(*values, alias=alias)
        if len(found) != 1:
            model = self.build(*self.STAND_INS[: len(values)]).model
            raise model.DoesNotExist(f"{model._meta.object_name} matching {values} does not exist")
        return found[0]
