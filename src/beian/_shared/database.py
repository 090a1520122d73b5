"""Opening a SQL database from a URL: SQLite by default, PostgreSQL for several hosts.

One convention for every part (the registry, the gateway): ``sqlite:///path`` or a plain file
path is a SQLite file opened with :mod:`beian._shared.sqlite`'s settings; ``postgresql://…``
(the psycopg driver) is a server. A PostgreSQL URL may carry its own ``search_path``
(``?options=-csearch_path%3Dname``), or the caller gives ``schema``.

On SQLite every transaction takes the write lock up front (``BEGIN IMMEDIATE``), so a
read-then-write transaction can never act on a stale read; read-only work passes the execution
option ``beian_read`` and begins deferred (never waits for writers, WAL). On PostgreSQL the same
read-then-write transactions call :func:`serialize`, a transaction-scoped advisory lock.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import StaticPool

from beian._shared.sqlite import BUSY_TIMEOUT_S, set_pragmas

__all__ = ["database_url", "is_database_url", "make_engine", "serialize"]


def is_database_url(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` is a URL (``scheme://``) rather than a file path."""
    return "://" in str(target)


def database_url(target: str | os.PathLike[str]) -> str:
    """``target`` as a URL: a URL as it is, a file path as ``sqlite:///<absolute path>``."""
    if is_database_url(target):
        return str(target)
    return f"sqlite:///{Path(target).resolve()}"


def make_engine(
    url: str,
    *,
    schema: str | None = None,
    durable: bool = True,
    busy_timeout_s: float = BUSY_TIMEOUT_S,
    pool_size: int | None = None,
) -> Engine:
    """An engine for ``url``; ``schema`` (PostgreSQL) puts every table into that schema.

    SQLite: ``durable`` syncs every commit (``synchronous=FULL``), else at checkpoints;
    ``busy_timeout_s`` is how long a writer waits for another process's lock. The file's
    folder is created. ``pool_size``: connections kept open, as many as the threads that use
    the engine at once (SQLAlchemy's default keeps 5: under more concurrent threads every
    further connection is opened and closed again per use, which on a busy server costs more
    than the queries).
    """
    kw: dict[str, Any] = {"future": True}
    if pool_size is not None:
        kw["pool_size"] = pool_size
    if url.startswith("sqlite"):
        kw["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_s}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kw["poolclass"] = StaticPool
            kw.pop("pool_size", None)
        else:
            Path(url.removeprefix("sqlite:///").split("?")[0]).parent.mkdir(parents=True, exist_ok=True)
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if schema and not url.startswith("sqlite"):
        kw["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = create_engine(url, **kw)
    if engine.dialect.name == "sqlite":
        busy_ms = int(busy_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" below open transactions
            set_pragmas(dbapi_conn, durable=durable)
            if busy_ms != BUSY_TIMEOUT_S * 1000:
                dbapi_conn.execute(f"PRAGMA busy_timeout={busy_ms}")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            read = conn.get_execution_options().get("beian_read")
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return engine


def serialize(conn: Connection, name: str) -> None:
    """Serialize the rest of this transaction with every other one that calls this with the same
    ``name``, in any process on any host (PostgreSQL: an advisory lock held until commit; SQLite:
    the transaction already holds the write lock)."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(name.encode("utf-8")) - 2**31
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
