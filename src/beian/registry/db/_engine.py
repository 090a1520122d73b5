"""Engines and migrations: SQLite by default, PostgreSQL via ``BEIAN_DATABASE_URL``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from beian._shared.sqlite import BUSY_TIMEOUT_S, set_pragmas

__all__ = ["make_engine", "migrate"]


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for ``url``; ``schema`` (PostgreSQL) puts every table into that schema."""
    kw: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kw["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kw["poolclass"] = StaticPool
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if schema and not url.startswith("sqlite"):
        kw["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = create_engine(url, **kw)
    if engine.dialect.name == "sqlite":

        # Every transaction takes SQLite's write lock up front (BEGIN IMMEDIATE): a read-then-
        # write transaction (check a state, then change it) can then never act on a stale read,
        # which is what row locks (SELECT … FOR UPDATE) give on PostgreSQL. Read-only ones
        # (execution option ``beian_read``) begin deferred and never wait for writers (WAL).
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" below open transactions
            set_pragmas(dbapi_conn, durable=True)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            read = conn.get_execution_options().get("beian_read")
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the Alembic scripts shipped in this package."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "beian.registry.db:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
