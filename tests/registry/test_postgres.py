"""The same registry on PostgreSQL: migrations, the lifecycle, the audit chain, scoping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text, update

from beian.registry import Registry, Settings
from beian.registry.db import AuditRow
from tests.registry import test_lifecycle as lifecycle
from tests.registry.conftest import World, populate

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_world(settings: Settings, pg_schema: tuple[str, str]) -> Iterator[World]:
    settings.database_url, settings.schema = pg_schema
    reg = Registry.open(settings)
    assert reg.core.engine.dialect.name == "postgresql"
    yield populate(reg)
    reg.close()


def test_lifecycle_on_postgres(pg_world: World, tmp_path: Path) -> None:
    lifecycle.test_full_filing_walk_records_events(pg_world, tmp_path)
    with pg_world.reg.core.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        assert conn.execute(text("SELECT current_schema()")).scalar() == pg_world.reg.settings.schema


def test_scoping_on_postgres(pg_world: World, tmp_path: Path) -> None:
    lifecycle.test_scoping_of_lists(pg_world, tmp_path)


def test_audit_tamper_on_postgres(pg_world: World, tmp_path: Path) -> None:
    lifecycle.test_registration_path_gets_its_own_number(pg_world, tmp_path)
    assert pg_world.reg.admin.verify_audit()[1] == []
    with pg_world.reg.core.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 4).values(target="app:forged"))
    assert [p.seq for p in pg_world.reg.admin.verify_audit()[1]] == [4]


def test_racing_decisions_on_postgres(pg_world: World, tmp_path: Path) -> None:
    lifecycle.test_racing_decisions_on_one_application(pg_world, tmp_path)


def test_long_inputs_are_400s_on_postgres(pg_world: World, tmp_path: Path) -> None:
    from tests.registry import test_intake_public as intake

    intake.test_too_long_manifest_field_is_a_400(pg_world, tmp_path / "a")
    intake.test_objections_deduped_and_rate_limited(pg_world, tmp_path / "b")


def test_keyed_chain_and_tick_savepoints_on_postgres(pg_world: World, tmp_path: Path) -> None:
    from tests.registry import test_audit as audit

    lifecycle.test_one_bad_application_does_not_stop_the_tick(pg_world, tmp_path / "b")
    audit.test_probe_rewrite_with_db_access_is_detected(pg_world, tmp_path / "a")
