"""The gateway's database: one schema (SQLAlchemy Core) for SQLite and PostgreSQL, and the engines.

Every store of the gateway (records, opt-outs, consents, rights tickets, complaints and their
links, admin lockouts) lives in one database named by ``records.url`` (or the SQLite file
``records.path``). Several gateway processes, on one host or many, share it; on PostgreSQL that
is how several hosts behind a load balancer keep one 6-month log, one opt-out state and one
complaint queue.

The schema is the one the SQLite files of earlier versions have (same tables, columns, types and
index names), plus what :func:`ensure_schema` adds in place: the complaints' token and user
columns, and the exchanges' ``host``/``pid`` (the process serving an exchange in progress, which
replaced the separate ``inflight`` table; its rows are folded in when an old file opens).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.sql import ClauseElement, Insert, Select
from sqlalchemy.sql.compiler import SQLCompiler

from beian._shared.database import database_url, is_database_url, make_engine, serialize
from beian.errors import ConfigError

__all__ = [
    "IN_PROGRESS",
    "DirectReader",
    "DirectWriter",
    "acquire_engine",
    "dialect_upsert",
    "ensure_schema",
    "insert_ignore",
    "metadata",
    "open_database",
    "release_engine",
    "shown_url",
    "upsert",
]

IN_PROGRESS = "in_progress"
metadata = MetaData()


def _seq() -> Column[int]:
    return Column("seq", Integer, primary_key=True, autoincrement=True)


meta = Table("meta", metadata, Column("key", Text, primary_key=True),
             Column("value", Text, nullable=False))  # fmt: skip
exchanges = Table(
    "exchanges", metadata,
    Column("id", Text, primary_key=True),
    Column("user_hash", Text), Column("user_enc", Text),
    Column("started", Float, nullable=False), Column("finished", Float, nullable=False),
    Column("model", Text), Column("stream", Integer, nullable=False),
    Column("outcome", Text, nullable=False), Column("http_status", Integer, nullable=False),
    Column("decisions", Text, nullable=False), Column("training_opt_out", Integer, nullable=False),
    Column("request_enc", Text, nullable=False), Column("response_enc", Text, nullable=False),
    Column("error_enc", Text),
    # the process serving the exchange (host name, process id): what a crash leaves behind
    Column("host", Text), Column("pid", Integer),
)  # fmt: skip
Index("exchanges_started", exchanges.c.started)
Index("exchanges_user", exchanges.c.user_hash)
_in_progress = exchanges.c.outcome == IN_PROGRESS
Index("exchanges_in_progress", exchanges.c.host, exchanges.c.pid,
      sqlite_where=_in_progress, postgresql_where=_in_progress)  # fmt: skip
processes = Table(  # every gateway process's last sign of life (crash recovery across hosts)
    "gateway_processes", metadata,
    Column("host", Text, primary_key=True), Column("pid", Integer, primary_key=True),
    Column("started", Float, nullable=False), Column("seen", Float, nullable=False),
)  # fmt: skip
opt_outs = Table(
    "opt_outs", metadata, Column("user_hash", Text, primary_key=True),
    Column("opted_out", Integer, nullable=False), Column("updated", Float, nullable=False),
)  # fmt: skip
opt_out_events = Table(
    "opt_out_events", metadata, _seq(), Column("user_hash", Text, nullable=False),
    Column("opted_out", Integer, nullable=False), Column("at", Float, nullable=False),
    Column("via", Text, nullable=False), sqlite_autoincrement=True,
)  # fmt: skip
purges = Table(
    "purges", metadata, _seq(), Column("at", Float, nullable=False),
    Column("cutoff", Float, nullable=False), Column("removed", Integer, nullable=False), sqlite_autoincrement=True,
)  # fmt: skip
admin_failures = Table(
    "admin_failures", metadata,
    Column("client", Text, nullable=False), Column("at", Float, nullable=False),
)  # fmt: skip
Index("admin_failures_client", admin_failures.c.client)
admin_lockouts = Table(
    "admin_lockouts", metadata, Column("client", Text, primary_key=True),
    Column("until", Float, nullable=False),
)  # fmt: skip
complaints = Table(
    "complaints", metadata,
    Column("ticket", Text, primary_key=True), Column("created", Float, nullable=False),
    Column("due", Float, nullable=False), Column("updated", Float, nullable=False),
    Column("status", Text, nullable=False), Column("category", Text, nullable=False),
    Column("record_id", Text), Column("content_enc", Text, nullable=False),
    Column("contact_enc", Text), Column("token_hash", Text), Column("user_hash", Text),
)  # fmt: skip
Index("complaints_token", complaints.c.token_hash, unique=True)
Index("complaints_user", complaints.c.user_hash)
complaint_events = Table(
    "complaint_events", metadata, _seq(), Column("ticket", Text, nullable=False),
    Column("at", Float, nullable=False), Column("status", Text, nullable=False),
    Column("note_enc", Text), sqlite_autoincrement=True,
)  # fmt: skip
complaint_clients = Table(
    "complaint_clients", metadata,
    Column("client", Text, nullable=False), Column("at", Float, nullable=False),
)  # fmt: skip
Index("complaint_clients_client", complaint_clients.c.client, complaint_clients.c.at)
complaint_links = Table(
    "complaint_links", metadata, _seq(), Column("ticket", Text, nullable=False),
    Column("kind", Text, nullable=False), Column("target", Text, nullable=False),
    Column("value", Text, nullable=False), Column("risk", Text, nullable=False),
    Column("at", Float, nullable=False),
    # the review of a keyword candidate: 已采纳 (moved into ``lexicon``) or 不采纳, when, why
    Column("status", Text), Column("decided_at", Float), Column("decision_note", Text),
    Column("lexicon", Text), sqlite_autoincrement=True,
)  # fmt: skip
Index("complaint_links_ticket", complaint_links.c.ticket)
consents = Table(
    "consents", metadata, _seq(), Column("user_hash", Text, nullable=False),
    Column("notice_version", Text, nullable=False), Column("action", Text, nullable=False),
    Column("at", Float, nullable=False), Column("via", Text, nullable=False), sqlite_autoincrement=True,
)  # fmt: skip
Index("consents_user", consents.c.user_hash, consents.c.seq)
rights_requests = Table(
    "rights_requests", metadata,
    Column("ticket", Text, primary_key=True), Column("user_hash", Text, nullable=False),
    Column("kind", Text, nullable=False), Column("created", Float, nullable=False),
    Column("due", Float, nullable=False), Column("due_date", Text, nullable=False),
    Column("due_estimated", Integer, nullable=False), Column("status", Text, nullable=False),
    Column("updated", Float, nullable=False), Column("detail_enc", Text), Column("result", Text),
)  # fmt: skip
Index("rights_requests_user", rights_requests.c.user_hash, rights_requests.c.created)
erasures = Table(
    "erasures", metadata,
    Column("id", Text, primary_key=True), Column("at", Float, nullable=False),
    Column("ticket", Text, nullable=False), Column("request_hmac", Text, nullable=False),
    Column("response_hmac", Text, nullable=False),
)  # fmt: skip
corrections = Table(
    "corrections", metadata, _seq(), Column("record_id", Text, nullable=False),
    Column("user_hash", Text, nullable=False), Column("at", Float, nullable=False),
    Column("ticket", Text, nullable=False), Column("text_enc", Text, nullable=False), sqlite_autoincrement=True,
)  # fmt: skip


_upserts: dict[tuple[str, str, str | tuple[str, ...]], Insert] = {}


def upsert(conn: Connection, table: Table, key: str | tuple[str, ...]) -> Insert:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` setting every other column (the dialect's; built
    once, as building it costs more than writing a batch)."""
    return dialect_upsert(conn.dialect.name, table, key)


def dialect_upsert(dialect: str, table: Table, key: str | tuple[str, ...]) -> Insert:
    """:func:`upsert` for the dialect named ``dialect``."""
    got = _upserts.get(k := (dialect, table.name, key))
    if got is None:
        keys = (key,) if isinstance(key, str) else key
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        rest = {c.name: ins.excluded[c.name] for c in table.c if c.name not in keys}
        got = _upserts[k] = ins.on_conflict_do_update(index_elements=list(keys), set_=rest)
    return got


_compiled: dict[tuple[str, ClauseElement], tuple[str, tuple[str, ...] | None]] = {}


def _params(order: tuple[str, ...] | None, rows: list[dict[str, Any]]) -> list[Any]:
    """``rows`` as the driver takes them: as they are (named) or as tuples in ``order``."""
    if order is None:
        return rows
    if len(order) == 1:
        return [(r[order[0]],) for r in rows]
    get = itemgetter(*order)  # in C: a generator per row cost as much as SQLite's insert
    return [get(r) for r in rows]


def _compile(dialect: Dialect, stmt: ClauseElement) -> tuple[str, tuple[str, ...] | None]:
    got = _compiled.get(k := (dialect.name, stmt))  # the statement held: its id never reused
    if got is None:
        c = cast(SQLCompiler, stmt.compile(dialect=dialect))
        got = _compiled[k] = (str(c), tuple(c.positiontup or ()) if c.positional else None)
    return got


class _Direct:
    """A driver connection of its own, taken out of ``engine``'s pool (see the subclasses)."""

    _autocommit = True

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._conn: Any = None
        self.errors: tuple[type[BaseException], ...] = (engine.dialect.loaded_dbapi.Error,)

    def _open(self) -> Any:
        raw = self._engine.raw_connection()
        raw.detach()  # ours alone: its autocommit setting never reaches the pool
        conn = raw.dbapi_connection
        if self._engine.dialect.name == "postgresql":
            conn.autocommit = self._autocommit  # type: ignore[union-attr]
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()


class DirectWriter(_Direct):
    """The record writer's own connection: each batch is one transaction of ``executemany``
    calls with statements compiled once per dialect, on the driver's cursor (SQLite:
    ``BEGIN IMMEDIATE`` … ``COMMIT``; PostgreSQL: the driver's transaction). SQLAlchemy's
    connection and transaction objects around a batch cost as much as SQLite's own work for a
    few rows. On an error the transaction is rolled back, the connection dropped (the next
    batch opens a new one: a restarted server) and the error raised (the caller retries)."""

    _autocommit = False

    def write(self, steps: list[tuple[ClauseElement, list[dict[str, Any]]]]) -> None:
        """Run every ``(statement, rows)`` of ``steps`` (rows empty: skipped), all or none."""
        dialect = self._engine.dialect
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._open()
                cur = self._conn.cursor()
                try:
                    if dialect.name == "sqlite":
                        cur.execute("BEGIN IMMEDIATE")
                    for stmt, rows in steps:
                        if rows:
                            sql, order = _compile(dialect, stmt)
                            cur.executemany(sql, _params(order, rows))
                    self._conn.commit()
                finally:
                    cur.close()
            except BaseException:
                if self._conn is not None:
                    with contextlib.suppress(Exception):
                        self._conn.rollback()
                self._drop()
                raise


class DirectReader(_Direct):
    """One connection of its own for a tiny query asked on the request path (the opt-out, the
    admin lockout): the query is compiled once and run on the driver's cursor, without a pool
    checkout or a transaction around it (SQLite: autocommit under WAL, never waits for writers;
    PostgreSQL: autocommit). That costs about what the plain ``sqlite3`` call did; a broken
    connection (a restarted server) is replaced once, then the error is raised."""

    def scalar(self, stmt: Select[Any], params: dict[str, Any]) -> Any:
        sql, order = _compile(self._engine.dialect, stmt)
        args: Any = params if order is None else tuple(params[n] for n in order)
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn is None:
                        self._conn = self._open()
                    cur = self._conn.cursor()
                    try:
                        cur.execute(sql, args)
                        row = cur.fetchone()
                    finally:
                        cur.close()
                    return row[0] if row else None
                except self.errors:
                    self._drop()
                    if attempt == 2:
                        raise
        return None  # not reached


def insert_ignore(conn: Connection, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` (the dialect's)."""
    ins = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    return ins.on_conflict_do_nothing()


# columns added after a table's first release: added in place when an older database opens
_ADDED = {"complaints": ("token_hash", "user_hash"), "exchanges": ("host", "pid"),
          "complaint_links": ("status", "decided_at", "decision_note", "lexicon")}


_ready: set[int] = set()  # id() of the engines whose schema is checked (see acquire_engine)


def ensure_schema(engine: Engine, host: str | None = None) -> None:
    """Create what is missing (tables, columns added since, indexes) and fold an old file's
    ``inflight`` rows into ``exchanges`` (they were served on ``host``, by default this one);
    safe when several processes open the database at once; once per engine."""
    if id(engine) in _ready:
        return
    host = socket.gethostname() if host is None else host
    with engine.begin() as conn:
        serialize(conn, "beian-gateway-schema")
        metadata.create_all(conn)
        insp = inspect(conn)
        for name, cols in _ADDED.items():
            have = {c["name"] for c in insp.get_columns(name)}
            for col in cols:
                if col not in have:
                    c = metadata.tables[name].c[col]
                    decl = c.type.compile(conn.dialect)
                    conn.execute(text(f"ALTER TABLE {name} ADD COLUMN {col} {decl}"))
        for table in metadata.sorted_tables:
            for ix in table.indexes:
                ix.create(conn, checkfirst=True)
        if insp.has_table("inflight"):  # the separate table of earlier versions
            conn.execute(text(
                "UPDATE exchanges SET host = :host, pid = "
                "(SELECT pid FROM inflight WHERE inflight.id = exchanges.id) "
                "WHERE id IN (SELECT id FROM inflight)"), {"host": host})  # fmt: skip
            conn.execute(text("DROP TABLE inflight"))
    _ready.add(id(engine))


_engines: dict[tuple[str, float, int], tuple[Engine, int]] = {}
_keys: dict[int, tuple[str, float, int]] = {}  # id(engine) -> its key in _engines
_engines_lock = threading.Lock()


def acquire_engine(target: str | os.PathLike[str], *, busy_timeout_s: float = 30.0) -> Engine:
    """The engine of a database (a URL or a SQLite file path), shared by the stores of this
    process that open the same database; give it back with :func:`release_engine`."""
    key = (database_url(target), busy_timeout_s, os.getpid())  # never one from before a fork
    with _engines_lock:
        engine, n = _engines.get(key) or (None, 0)
        if engine is None:
            engine = make_engine(key[0], durable=False, busy_timeout_s=busy_timeout_s)
            _keys[id(engine)] = key
        _engines[key] = (engine, n + 1)
        return engine


def release_engine(engine: Engine) -> None:
    """One user of ``engine`` is done; the last one closes its connections."""
    with _engines_lock:
        key = _keys.get(id(engine))
        got = _engines.get(key) if key is not None else None
        if key is None or got is None or got[0] is not engine:
            _ready.discard(id(engine))
            engine.dispose()
        elif got[1] > 1:
            _engines[key] = (engine, got[1] - 1)
        else:
            del _engines[key], _keys[id(engine)]
            _ready.discard(id(engine))
            engine.dispose()


def shown_url(target: str | os.PathLike[str]) -> str:
    """``target`` as it may be shown (a URL's password hidden)."""
    if not is_database_url(target):
        return str(target)
    try:
        return make_url(str(target)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return str(target).split("://", 1)[0] + "://…"


def open_database(target: str | os.PathLike[str], *, busy_timeout_s: float = 30.0) -> Engine:
    """:func:`acquire_engine` with the schema ensured; an unreachable or unusable database is a
    :class:`ConfigError` naming it (password hidden)."""
    try:
        engine = acquire_engine(target, busy_timeout_s=busy_timeout_s)
    except (ArgumentError, ValueError, ImportError) as exc:
        raise ConfigError(f"记录库地址无效：{exc}", where=shown_url(target),
                          fix="写 SQLite 文件路径，或 postgresql://用户@主机:端口/库名") from exc  # fmt: skip
    try:
        ensure_schema(engine)
    except DBAPIError as exc:
        release_engine(engine)
        reason = str(exc.orig or exc).strip().splitlines()[0][:200]
        raise ConfigError(f"无法打开记录库：{reason}", where=shown_url(target),
                          fix="检查数据库地址、服务是否运行、用户名与权限") from exc  # fmt: skip
    except BaseException:
        release_engine(engine)
        raise
    return engine
