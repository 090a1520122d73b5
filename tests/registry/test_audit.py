"""Hash-chained audit log; sensitive fields encrypted at rest; key rotation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from beian.crypto import KeyRing
from beian.registry import Registry, Settings
from beian.registry._audit import GENESIS, row_hash
from beian.registry.db import Application, AuditHead, AuditRow
from tests.registry.conftest import World, write_package, zip_dir


def _app_with_contact(world: World, tmp_path: Path) -> str:
    pid = world.reg.applications.create(
        world.actors["applicant"], zip_dir(write_package(tmp_path / "p")),
        {"contact_name": "王五", "contact_phone": "13800138000",
         "contact_id_number": "11010519491231002X", "address": "北京市海淀区中关村大街1号"})
    world.reg.lifecycle.act(world.actors["applicant"], pid, "submit")
    return pid


def test_chain_verifies_and_detects_a_tampered_row(world: World, tmp_path: Path) -> None:
    _app_with_contact(world, tmp_path)
    n, problems = world.reg.admin.verify_audit()
    assert n > 5 and problems == []
    with world.reg.core.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 3).values(actor="mallory"))
    n2, problems = world.reg.admin.verify_audit()
    assert n2 == n and [p.seq for p in problems] == [3]
    assert "篡改" in problems[0].problem


def test_chain_detects_deleted_rows(world: World, tmp_path: Path) -> None:
    _app_with_contact(world, tmp_path)
    n, _ = world.reg.admin.verify_audit()
    with world.reg.core.engine.begin() as conn:
        conn.execute(delete(AuditRow).where(AuditRow.seq == n))  # the last row
    assert any("链尾" in p.problem for p in world.reg.admin.verify_audit()[1])
    with world.reg.core.engine.begin() as conn:
        conn.execute(delete(AuditRow).where(AuditRow.seq == 2))
    assert {p.seq for p in world.reg.admin.verify_audit()[1]} >= {3}


def test_sensitive_fields_encrypted_and_reads_audited(world: World, tmp_path: Path) -> None:
    pid = _app_with_contact(world, tmp_path)
    with world.reg.core.engine.connect() as conn:
        row = conn.execute(text("SELECT contact_phone, contact_id_number, address "
                                "FROM applications")).one()
    assert all(v is not None and v.startswith("enc:v1:aes-256-gcm:") for v in row)
    assert "13800138000" not in "".join(v or "" for v in row)
    got = world.reg.applications.contact(world.actors["reviewer"], pid)
    assert got["contact_phone"] == "13800138000" and (got["address"] or "").startswith("北京市")
    with world.reg.core.tx() as db:
        last = db.scalars(select(AuditRow).order_by(AuditRow.seq.desc())).first()
    assert last is not None and last.action == "sensitive.read" and last.actor == "reviewer"
    from beian.registry import Forbidden

    with pytest.raises(Forbidden):
        world.reg.applications.contact(world.actors["inspector"], pid)  # inspectors lack read_sensitive


def test_rotate_keys_rewraps_every_field(world: World, tmp_path: Path,
                                         settings: Settings) -> None:
    pid = _app_with_contact(world, tmp_path)
    kid, n = world.reg.admin.rotate_keys()
    assert kid == "k2" and n >= 3 + 6  # three contact fields + TOTP secrets of registrar users
    assert KeyRing.load(settings.key_file).active == "k2"  # type: ignore[arg-type]
    with world.reg.core.engine.connect() as conn:
        tokens = conn.execute(select(Application.contact_phone)).scalars().all()
    assert all(t is not None and ":k2:" in t for t in tokens)
    reopened = Registry.open(settings)
    try:
        assert reopened.applications.contact(reopened.accounts.actor("reviewer"), pid)["contact_phone"] == "13800138000"
        assert world.reg.admin.rewrap_all() == 0  # idempotent
    finally:
        reopened.close()


def _recompute_plain(conn: Any) -> None:
    """What the probe did with database write access: rebuild the chain as plain SHA-256."""
    prev = GENESIS
    rows = conn.execute(select(AuditRow).order_by(AuditRow.seq)).all()
    for i, r in enumerate(rows, 1):
        h = row_hash(prev, i, r.at, r.actor, r.action, r.target, r.detail)
        conn.execute(update(AuditRow).where(AuditRow.seq == r.seq).values(
            seq=i, prev_hash=prev, hash=h))
        prev = h
    conn.execute(update(AuditHead).values(seq=len(rows), last_hash=prev))


def test_probe_rewrite_with_db_access_is_detected(any_world: World, tmp_path: Path) -> None:
    _app_with_contact(any_world, tmp_path)
    with any_world.reg.core.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 3).values(actor="mallory"))
        conn.execute(delete(AuditRow).where(AuditRow.seq == 5))
        _recompute_plain(conn)
    problems = any_world.reg.admin.verify_audit()[1]
    assert problems and any("篡改" in p.problem for p in problems)


def test_rows_record_their_key_and_survive_rotation(world: World, tmp_path: Path) -> None:
    _app_with_contact(world, tmp_path)
    world.reg.admin.rotate_keys()
    world.reg.lifecycle.tick()
    with world.reg.core.tx() as db:
        kids = {r.key_id for r in db.scalars(select(AuditRow))}
    assert kids == {"k1", "k2"}
    assert world.reg.admin.verify_audit()[1] == []


def test_checkpoints_catch_a_cut_off_tail(world: World, tmp_path: Path) -> None:
    _app_with_contact(world, tmp_path)
    cps = tmp_path / "outside" / "audit-checkpoints.jsonl"
    cp = world.reg.admin.checkpoint(cps)
    assert cps.stat().st_mode & 0o777 == 0o600
    assert world.reg.admin.verify_audit(checkpoints=cps)[1] == []
    # drop the last two rows and point the head at the row before: the chain alone agrees
    with world.reg.core.engine.begin() as conn:
        conn.execute(delete(AuditRow).where(AuditRow.seq > cp.seq - 2))
        last = conn.execute(select(AuditRow.hash).where(AuditRow.seq == cp.seq - 2)).scalar()
        conn.execute(update(AuditHead).values(seq=cp.seq - 2, last_hash=last))
    assert world.reg.admin.verify_audit()[1] == []
    problems = world.reg.admin.verify_audit(checkpoints=cps)[1]
    assert problems and "删除" in problems[0].problem


def test_forged_checkpoint_is_refused(world: World, tmp_path: Path) -> None:
    cps = tmp_path / "cp.jsonl"
    world.reg.admin.checkpoint(cps)
    data = json.loads(cps.read_text("utf-8"))
    data["seq"] = 1
    cps.write_text(json.dumps(data) + "\n", "utf-8")
    assert "签名无效" in world.reg.admin.verify_audit(checkpoints=cps)[1][0].problem


def _downgrade(conn: Any) -> None:
    """A database writer marks every row as written before keying and rebuilds the chain."""
    conn.execute(update(AuditRow).values(key_id=""))
    _recompute_plain(conn)


def test_downgrade_to_plain_sha_is_detected(any_world: World, tmp_path: Path) -> None:
    _app_with_contact(any_world, tmp_path)
    with any_world.reg.core.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 3).values(actor="mallory"))
        _downgrade(conn)
    problems = any_world.reg.admin.verify_audit()[1]
    assert problems and all("未加密钥" in p.problem for p in problems)
    # opening the registry again does not launder the downgraded rows as legacy ones
    reg = Registry.open(any_world.reg.core.settings)
    try:
        assert any("未加密钥" in p.problem for p in reg.admin.verify_audit()[1])
    finally:
        reg.close()


def test_emptied_chain_and_missing_head_are_reported(any_world: World, tmp_path: Path) -> None:
    _app_with_contact(any_world, tmp_path)
    with any_world.reg.core.engine.begin() as conn:
        conn.execute(delete(AuditHead))
    assert any("audit_head" in p.problem for p in any_world.reg.admin.verify_audit()[1])
    with any_world.reg.core.engine.begin() as conn:
        conn.execute(delete(AuditRow))
    n, problems = any_world.reg.admin.verify_audit()
    assert n == 0 and problems and "清空" in problems[0].problem


def test_legacy_rows_are_rekeyed_once_at_open(settings: Settings, tmp_path: Path) -> None:
    reg = Registry.open(settings)
    from tests.registry.conftest import populate
    _app_with_contact(populate(reg), tmp_path)
    with reg.core.engine.begin() as conn:  # what an older version wrote: plain SHA-256
        _downgrade(conn)
    reg.close()
    assert settings.key_file is not None
    ring = KeyRing.load(settings.key_file)
    ring.audit_keyed = False  # a key file from before the marker
    ring.save()
    reg = Registry.open(settings)
    try:
        n, problems = reg.admin.verify_audit()
        assert n > 5 and problems == []
        with reg.core.tx() as db:
            assert {r.key_id for r in db.scalars(select(AuditRow))} == {"k1"}
        assert json.loads(settings.key_file.read_text("utf-8"))["audit_keyed"] is True
    finally:
        reg.close()


def test_checkpoint_under_old_key_verifies_after_rotation(world: World, tmp_path: Path) -> None:
    _app_with_contact(world, tmp_path)
    cps = tmp_path / "cp.jsonl"
    assert world.reg.admin.checkpoint(cps).key_id == "k1"
    world.reg.admin.rotate_keys()
    world.reg.lifecycle.tick()
    assert world.reg.admin.checkpoint(cps).key_id == "k2"
    assert world.reg.admin.verify_audit(checkpoints=cps)[1] == []


def test_scheduler_writes_checkpoints_next_to_the_key_file(world: World, tmp_path: Path) -> None:
    settings = world.reg.core.settings
    assert settings.audit_checkpoints is None and settings.key_file is not None
    default = settings.key_file.parent / "audit-checkpoints.jsonl"
    assert settings.checkpoint_file == default
    report = world.reg.admin.verify_audit_report()
    assert report.checkpoints == 0 and "未核对任何签名检查点" in report.warnings[0]
    assert "未核对" in world.reg.admin.verify_audit_report(
        require_checkpoints=True).problems[0].problem
    stop = world.reg.lifecycle.start_scheduler(3600)
    try:
        for _ in range(200):
            if default.exists() and default.read_text("utf-8"):
                break
            stop.wait(0.05)
    finally:
        stop.set()
    report = world.reg.admin.verify_audit_report(require_checkpoints=True)
    assert report.checkpoints == 1 and report.problems == [] and report.warnings == []
