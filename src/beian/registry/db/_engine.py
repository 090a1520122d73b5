"""Engines and migrations: SQLite by default, PostgreSQL via ``BEIAN_DATABASE_URL``."""

from __future__ import annotations

from sqlalchemy import Engine

from beian._shared.database import make_engine

__all__ = ["make_engine", "migrate"]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the Alembic scripts shipped in this package."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "beian.registry.db:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
