"""What only PostgreSQL has: the schema the migrations ran in, the audit chain there.

The lifecycle scenarios run on both backends through the ``any_world`` fixture
(tests/registry/test_lifecycle.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text, update

from beian.registry.db import AuditRow
from tests.registry.conftest import World
from tests.registry.test_lifecycle import registration_walk

pytestmark = pytest.mark.postgres


def test_migrations_ran_in_the_configured_schema(pg_world: World) -> None:
    with pg_world.reg.core.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        assert conn.execute(text("SELECT current_schema()")).scalar() == pg_world.reg.settings.schema


def test_audit_tamper_on_postgres(pg_world: World, tmp_path: Path) -> None:
    registration_walk(pg_world, tmp_path)
    assert pg_world.reg.admin.verify_audit()[1] == []
    with pg_world.reg.core.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 4).values(target="app:forged"))
    assert [p.seq for p in pg_world.reg.admin.verify_audit()[1]] == [4]
