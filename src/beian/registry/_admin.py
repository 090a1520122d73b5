"""Administration: the holiday calendar, the audit chain, key rotation."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from beian.errors import InputError
from beian.registry._audit import (
    AuditProblem,
    Checkpoint,
    read_checkpoints,
    verify_chain,
    write_checkpoint,
)
from beian.registry._auth import Actor
from beian.registry._core import SENSITIVE_FIELDS, Core
from beian.registry._errors import Forbidden
from beian.registry.db import Application, CalendarYear, Objection, User
from beian.registry.domain import Perm, YearSchedule

__all__ = ["Administration"]


class Administration:
    """The calendar, the audit log and the keys (``registry.admin``)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def load_calendar(self, schedule: YearSchedule, actor: Actor | None = None) -> None:
        if actor is not None and not actor.can(Perm.ADMIN):
            raise Forbidden("只有管理员可以导入节假日安排", fix="请用管理员账号")
        with self._core.tx() as db:
            row = db.get(CalendarYear, schedule.year)
            data = json.dumps(schedule.to_json(), ensure_ascii=False)
            name = actor.username if actor else "system"
            if row is None:
                db.add(CalendarYear(year=schedule.year, data=data, loaded_by=name))
            else:
                row.data, row.loaded_by = data, name
            self._core.audit(db, actor or "system", "calendar.load", f"year:{schedule.year}",
                             source=schedule.source, holidays=len(schedule.holidays),
                             workdays=len(schedule.workdays))

    def calendar_years(self, actor: Actor | None = None) -> list[dict[str, object]]:
        """The schedules loaded by administrators (years chinesecalendar does not cover)."""
        if actor is not None and not actor.can(Perm.ADMIN):
            raise Forbidden("只有管理员可以查看节假日安排", fix="请用管理员账号")
        with self._core.read() as db:
            out: list[dict[str, object]] = []
            for r in db.scalars(select(CalendarYear).order_by(CalendarYear.year)):
                data = json.loads(r.data)
                out.append({"year": r.year, "source": data.get("source", ""),
                            "holidays": len(data.get("holidays", [])),
                            "workdays": len(data.get("workdays", [])),
                            "loaded_by": r.loaded_by, "loaded_at": r.loaded_at})
            return out

    def verify_audit(self, actor: Actor | None = None,
                     checkpoints: Path | None = None) -> tuple[int, list[AuditProblem]]:
        """Verify the keyed chain and, when a checkpoint file is named (here or in the
        settings) and exists, every checkpoint in it."""
        if actor is not None and not actor.can(Perm.AUDIT):
            raise Forbidden("无权核验审计日志", fix="需要 audit 权限")
        path = checkpoints or self._core.settings.audit_checkpoints
        cps = read_checkpoints(path) if path is not None and (
            checkpoints is not None or path.exists()) else []
        with self._core.tx() as db:
            return verify_chain(db, self._core.ring, cps)

    def checkpoint(self, path: Path | None = None, actor: Actor | None = None) -> Checkpoint:
        """Append a signed checkpoint of the chain head to ``path`` (or the configured file)."""
        if actor is not None and not actor.can(Perm.AUDIT):
            raise Forbidden("无权写审计检查点", fix="需要 audit 权限")
        target = path or self._core.settings.audit_checkpoints
        if target is None:
            raise InputError("未指定审计检查点文件", where="BEIAN_AUDIT_CHECKPOINTS",
                             fix="用参数给出文件，或设置环境变量 BEIAN_AUDIT_CHECKPOINTS")
        with self._core.tx() as db:
            return write_checkpoint(db, self._core.ring, target)

    def rewrap_all(self) -> int:
        """Re-wrap every encrypted field under the active key; returns how many changed."""
        core = self._core
        cipher, active = core.cipher, core.ring.active
        n = 0
        with core.tx() as db:
            for app in db.scalars(select(Application)):
                for f in SENSITIVE_FIELDS:
                    tok = getattr(app, f)
                    if tok and cipher.key_id(tok) != active:
                        setattr(app, f, cipher.rewrap(tok))
                        n += 1
            for o in db.scalars(select(Objection).where(Objection.contact.is_not(None))):
                if o.contact and cipher.key_id(o.contact) != active:
                    o.contact = cipher.rewrap(o.contact)
                    n += 1
            for u in db.scalars(select(User).where(User.totp_secret.is_not(None))):
                if u.totp_secret and cipher.key_id(u.totp_secret) != active:
                    u.totp_secret = cipher.rewrap(u.totp_secret)
                    n += 1
            core.audit(db, "system", "keys.rewrap", f"key:{active}", fields=n)
        return n

    def rotate_keys(self) -> tuple[str, int]:
        """Add a new active key to the ring file and re-wrap every field under it."""
        ring = self._core.ring
        if ring.path is None:
            raise Forbidden("密钥来自环境变量，无法在此轮换", where="BEIAN_KEYS",
                            fix="用 `beian keys rotate 文件` 轮换后更新环境变量，再运行本命令")
        kid = ring.rotate()
        ring.save()
        return kid, self.rewrap_all()
