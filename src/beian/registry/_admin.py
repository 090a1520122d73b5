"""Administration: the holiday calendar, the audit chain, key rotation."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from beian.errors import InputError
from beian.registry._audit import (
    AuditProblem,
    AuditReport,
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

__all__ = ["CHECKPOINT_LAG_WARN", "Administration"]

# verification warns when at least this many rows follow the newest checkpoint: `beian serve`
# writes one after each deadline run, so a lag this long means checkpoints stopped being written
CHECKPOINT_LAG_WARN = 1000


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
        """Verify the keyed chain and the checkpoints (:meth:`verify_audit_report`)."""
        report = self.verify_audit_report(actor, checkpoints)
        return report.rows, report.problems

    def verify_audit_report(self, actor: Actor | None = None, checkpoints: Path | None = None,
                            *, require_checkpoints: bool = False) -> AuditReport:
        """Verify the keyed chain and every checkpoint of ``checkpoints`` (else the settings'
        file). A file named here must exist; a configured one (``BEIAN_AUDIT_CHECKPOINTS``)
        that is missing is a problem; no checkpoint checked at all is a warning, or a problem
        with ``require_checkpoints``."""
        if actor is not None and not actor.can(Perm.AUDIT):
            raise Forbidden("无权核验审计日志", fix="需要 audit 权限")
        settings = self._core.settings
        path = checkpoints or settings.checkpoint_file
        problems: list[AuditProblem] = []
        warnings: list[str] = []
        cps = self._checkpoints(path, checkpoints is not None, problems)
        with self._core.tx() as db:
            n, found = verify_chain(db, self._core.ring, cps)
        problems += found
        newest = max((cp.seq for cp in cps), default=0)
        if not path.exists() and settings.audit_checkpoints is not None:
            problems.append(AuditProblem(0, "已配置的审计检查点文件（BEIAN_AUDIT_CHECKPOINTS）不存在"
                                            "（检查点文件被删除，或从未写入）"))
        elif not cps:
            text = ("未核对任何签名检查点（检查点文件不存在或为空）：末尾被整体删除的行无法发现；"
                    "`beian serve` 每次到期处理后自动写入，也可运行 `beian registry audit checkpoint`")
            if require_checkpoints:
                problems.append(AuditProblem(0, text))
            else:
                warnings.append(text)
        elif n - newest >= CHECKPOINT_LAG_WARN:
            warnings.append(f"最新的签名检查点停在第 {newest} 行，其后 {n - newest} 行未被检查点覆盖："
                            "这些行被整体删除时无法发现；请运行 `beian registry audit checkpoint`，"
                            "并检查 `beian serve` 的到期处理是否在按时写入检查点")
        return AuditReport(n, problems, len(cps), path, warnings, n - newest if n > newest else 0)

    @staticmethod
    def _checkpoints(path: Path, named: bool, problems: list[AuditProblem]) -> list[Checkpoint]:
        """The checkpoints of ``path``. A file named by the caller (the CLI) must exist and
        parse, else :class:`InputError` with its path; the configured file's flaws are
        problems that do not name the server's path (the API and web page show them)."""
        if named:
            return read_checkpoints(path)
        if not path.exists():
            return []
        try:
            return read_checkpoints(path)
        except InputError as exc:
            line = (exc.where or "").rpartition(":")[2]
            problems.append(AuditProblem(0, f"审计检查点文件{f'第 {line} 行' if line.isdigit() else ''}"
                                            f"无法读取：{exc.what}"))
            return []

    def checkpoint(self, path: Path | None = None, actor: Actor | None = None) -> Checkpoint:
        """Append a signed checkpoint of the chain head to ``path`` (or the configured file)."""
        if actor is not None and not actor.can(Perm.AUDIT):
            raise Forbidden("无权写审计检查点", fix="需要 audit 权限")
        target = path or self._core.settings.checkpoint_file
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
