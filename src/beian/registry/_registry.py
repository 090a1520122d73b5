"""The :class:`Registry` service: the public lists, the calendar, the audit log, key rotation."""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from typing import Any

from sqlalchemy import select

from beian.registry._audit import AuditProblem, verify_chain
from beian.registry._auth import Actor
from beian.registry._core import SENSITIVE_FIELDS, Settings
from beian.registry._errors import Forbidden, NotFound
from beian.registry._lifecycle import _Lifecycle
from beian.registry.db import Application, CalendarYear, Objection, User
from beian.registry.domain import Kind, Perm, State, YearSchedule

__all__ = ["FILED_CSV_COLUMNS", "Registry"]

_log = logging.getLogger(__name__)
FILED_CSV_COLUMNS = ("序号", "属地", "模型名称", "备案单位", "备案号", "备案时间")
_NOTICE = (State.IN_PUBLIC_NOTICE, State.OBJECTION_RAISED, State.OBJECTION_REVIEW)
_LIVE = (State.FILED, State.CHANGE_PENDING, State.RENEWAL_DUE, State.INSPECTION_OPEN,
         State.RECTIFICATION_REQUIRED)


def _public(app: Application) -> dict[str, Any]:
    return {"id": app.public_id, "province": app.province, "provider_name": app.provider_name,
            "service_name": app.service_name, "model_name": app.model_name, "kind": app.kind,
            "notice_start": app.notice_start, "notice_end": app.notice_end,
            "number": app.number, "filed_on": app.filed_on}


class Registry(_Lifecycle):
    """The filing registry. Open with :meth:`open`; every method is one transaction."""

    @classmethod
    def open(cls, settings: Settings | None = None) -> Registry:
        return cls(settings or Settings.from_env())

    # --- the public ----------------------------------------------------------------------
    def public_notices(self) -> list[dict[str, Any]]:
        with self.tx() as db:
            stmt = select(Application).where(Application.state.in_([s.value for s in _NOTICE]))
            return [_public(a) for a in db.scalars(stmt.order_by(Application.notice_start))]

    def public_notice(self, public_id: str) -> dict[str, Any]:
        with self.tx() as db:
            app = db.scalar(select(Application).where(
                Application.public_id == public_id,
                Application.state.in_([s.value for s in _NOTICE])))
            if app is None:
                raise NotFound("公示不存在或已结束", where=public_id, fix="请从公示列表选择")
            view = _public(app)
            view["objections"] = len(list(db.scalars(select(Objection.id).where(
                Objection.application_id == app.id))))
            return view

    def public_filed(self) -> list[dict[str, Any]]:
        with self.tx() as db:
            stmt = select(Application).where(Application.kind == Kind.FILING.value,
                                             Application.state.in_([s.value for s in _LIVE]))
            return [_public(a) for a in db.scalars(stmt.order_by(Application.filed_on,
                                                                 Application.number))]

    def filed_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(FILED_CSV_COLUMNS)
        for i, a in enumerate(self.public_filed(), 1):
            w.writerow([i, a["province"], a["model_name"], a["provider_name"], a["number"],
                        a["filed_on"].isoformat() if a["filed_on"] else ""])
        return "\ufeff" + buf.getvalue()  # BOM so that Excel reads UTF-8

    # --- the scheduler ---------------------------------------------------------------------
    def start_scheduler(self, interval_s: float) -> threading.Event:
        """Run :meth:`tick` now and every ``interval_s`` seconds in a daemon thread; set the
        returned event to stop it. Errors are logged and audited, never fatal to the server."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception as exc:  # keep serving; the next round retries
                    _log.exception("到期处理失败")
                    with self.tx() as db:
                        self.audit(db, "system", "tick.failed", "scheduler", error=str(exc))
                stop.wait(interval_s)

        threading.Thread(target=loop, name="beian-registry-scheduler", daemon=True).start()
        return stop

    # --- administration ------------------------------------------------------------------
    def load_calendar(self, schedule: YearSchedule, actor: Actor | None = None) -> None:
        if actor is not None and not actor.can(Perm.ADMIN):
            raise Forbidden("只有管理员可以导入节假日安排", fix="请用管理员账号")
        with self.tx() as db:
            row = db.get(CalendarYear, schedule.year)
            data = json.dumps(schedule.to_json(), ensure_ascii=False)
            name = actor.username if actor else "system"
            if row is None:
                db.add(CalendarYear(year=schedule.year, data=data, loaded_by=name))
            else:
                row.data, row.loaded_by = data, name
            self.audit(db, actor or "system", "calendar.load", f"year:{schedule.year}",
                       source=schedule.source, holidays=len(schedule.holidays),
                       workdays=len(schedule.workdays))

    def verify_audit(self, actor: Actor | None = None) -> tuple[int, list[AuditProblem]]:
        if actor is not None and not actor.can(Perm.AUDIT):
            raise Forbidden("无权核验审计日志", fix="需要 audit 权限")
        with self.tx() as db:
            return verify_chain(db)

    def rewrap_all(self) -> int:
        """Re-wrap every encrypted field under the active key; returns how many changed."""
        n = 0
        with self.tx() as db:
            for app in db.scalars(select(Application)):
                for f in SENSITIVE_FIELDS:
                    tok = getattr(app, f)
                    if tok and self.cipher.key_id(tok) != self.ring.active:
                        setattr(app, f, self.cipher.rewrap(tok))
                        n += 1
            for o in db.scalars(select(Objection).where(Objection.contact.is_not(None))):
                if o.contact and self.cipher.key_id(o.contact) != self.ring.active:
                    o.contact = self.cipher.rewrap(o.contact)
                    n += 1
            for u in db.scalars(select(User).where(User.totp_secret.is_not(None))):
                if u.totp_secret and self.cipher.key_id(u.totp_secret) != self.ring.active:
                    u.totp_secret = self.cipher.rewrap(u.totp_secret)
                    n += 1
            self.audit(db, "system", "keys.rewrap", f"key:{self.ring.active}", fields=n)
        return n

    def rotate_keys(self) -> tuple[str, int]:
        """Add a new active key to the ring file and re-wrap every field under it."""
        if self.ring.path is None:
            raise Forbidden("密钥来自环境变量，无法在此轮换", where="BEIAN_KEYS",
                            fix="用 `beian keys rotate 文件` 轮换后更新环境变量，再运行本命令")
        kid = self.ring.rotate()
        self.ring.save()
        return kid, self.rewrap_all()
