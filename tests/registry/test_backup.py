"""Backup → wipe → restore loses nothing (SQLite online backup; pg_dump for PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from beian.errors import InputError
from beian.registry import Registry, Settings, backup, restore
from beian.registry._backup import table_counts
from tests.registry.conftest import World, populate, write_package, zip_dir


def _fill(world: World, tmp_path: Path) -> str:
    reg, a = world.reg, world.actors
    pid = reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "p")),
                                 {"contact_phone": "13900000000"})
    reg.lifecycle.act(a["applicant"], pid, "submit")
    reg.lifecycle.act(a["reviewer"], pid, "start_review")
    reg.lifecycle.act(a["reviewer"], pid, "request_supplement", "补充", today=dt.date(2025, 9, 1))
    reg.applications.add_materials(a["applicant"], pid, [("说明.md", "# 补充\n".encode())])
    return pid


def _snapshot(reg: Registry, pid: str) -> tuple[object, ...]:
    a = reg.accounts.actor("reviewer")
    return (table_counts(reg.core.engine), reg.applications.get(a, pid), reg.applications.events(a, pid),
            reg.applications.materials(a, pid), reg.applications.checklist(a, pid), reg.applications.contact(a, pid)["contact_phone"],
            reg.admin.verify_audit()[0])


def _roundtrip(settings: Settings, tmp_path: Path, wipe: object) -> None:
    reg = Registry.open(settings)
    world = populate(reg)
    pid = _fill(world, tmp_path)
    before = _snapshot(reg, pid)
    reg.close()
    meta = backup(settings, tmp_path / "bk")
    assert meta["blobs"] == 10  # 6 documents, manifest, findings, assessment, supplement
    assert callable(wipe)
    wipe()
    shutil.rmtree(settings.data_dir)
    restore(settings, tmp_path / "bk")
    reg = Registry.open(settings)
    try:
        assert table_counts(reg.core.engine) == meta["counts"]  # every row of every table is back
        after = _snapshot(reg, pid)
        # the snapshot itself audits one read: compare the rest exactly
        audited_before, audited_after = before[-1], after[-1]
        assert isinstance(audited_before, int) and isinstance(audited_after, int)
        assert after[1:-1] == before[1:-1] and audited_after == audited_before + 1
        assert reg.admin.verify_audit()[1] == []
        for m in reg.applications.materials(reg.accounts.actor("reviewer"), pid):
            reg.core.blobs.get(m["sha256"])  # present and intact
    finally:
        reg.close()


def test_sqlite_backup_wipe_restore(settings: Settings, tmp_path: Path) -> None:
    _roundtrip(settings, tmp_path, lambda: None)


@pytest.mark.postgres
def test_postgres_backup_wipe_restore(settings: Settings, tmp_path: Path,
                                      pg_schema: tuple[str, str]) -> None:
    from sqlalchemy import create_engine, text

    url, schema = pg_schema
    settings.database_url, settings.schema = url, schema

    def wipe() -> None:
        eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        eng.dispose()

    _roundtrip(settings, tmp_path, wipe)


def test_restore_refuses_foreign_directory(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    with pytest.raises(InputError, match=r"backup\.json"):
        restore(settings, tmp_path / "junk")


def test_backup_refuses_non_empty_target(settings: Settings, tmp_path: Path) -> None:
    Registry.open(settings).close()
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "x").write_text("x")
    with pytest.raises(InputError, match="非空"):
        backup(settings, tmp_path / "bk")


def test_lost_key_file_is_refused_not_replaced(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("BEIAN_KEYS", "BEIAN_KEY", "BEIAN_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    from beian.errors import ConfigError
    from beian.registry.domain import Policy

    settings = Settings(data_dir=tmp_path / "d", policy=Policy(argon2_time_cost=1,
                                                                argon2_memory_kib=1024))
    reg = Registry.open(settings)
    populate(reg)
    reg.close()
    (settings.data_dir / "keys.json").unlink()  # as after a restore without the key file
    with pytest.raises(ConfigError, match="找不到"):
        Registry.open(settings)
    assert not (settings.data_dir / "keys.json").exists()
