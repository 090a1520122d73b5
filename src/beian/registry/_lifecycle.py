"""Transitions: guards, deadlines, numbers, events; the public objection; the scheduler tick."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beian.errors import BeianError, InputError
from beian.registry._audit import write_checkpoint
from beian.registry._auth import Actor
from beian.registry._core import Core
from beian.registry._errors import Conflict, Forbidden
from beian.registry._objections import UNSETTLED, ObjectionDesk
from beian.registry.db import (
    Application,
    ChecklistItem,
    Counter,
    Event,
    Material,
    Objection,
    utcnow,
)
from beian.registry.domain import (
    TRANSITIONS,
    Deadline,
    Kind,
    OrgKind,
    Perm,
    State,
    Transition,
    filing_number,
    materials_digest,
    registration_number,
    serial_key,
    transition_for,
)

__all__ = ["Lifecycle"]

_SYSTEM = "system"
_log = logging.getLogger(__name__)


def next_serial(db: Session, key: str) -> int:
    """Atomically take the next value of counter ``key`` (safe under concurrent approvals)."""
    for _ in range(5):
        row = db.execute(update(Counter).where(Counter.key == key)
                         .values(value=Counter.value + 1).returning(Counter.value)).first()
        if row is not None:
            return int(row[0])
        try:
            with db.begin_nested():
                db.execute(insert(Counter).values(key=key, value=1))
            return 1
        except IntegrityError:
            continue
    raise Conflict("流水号分配冲突", fix="请重试")


class Lifecycle:
    """Transitions, the public objection and the deadline tick (``registry.lifecycle``)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._objections = ObjectionDesk(core, self._transition)

    def take_serial(self, key: str) -> int:
        """Take the next value of the serial counter ``key`` in a transaction of its own
        (what numbering does inside an approval); safe under concurrent callers."""
        with self._core.tx() as db:
            return next_serial(db, key)

    def _check_actor(self, app: Application, tr: Transition, actor: Actor | None) -> None:
        if tr.public or (actor is None and tr.system):
            return
        if actor is None or not actor.can(tr.perm):
            raise Forbidden(f"无权执行“{tr.label}”", where=tr.action,
                            fix=f"需要 {tr.perm.value} 权限")
        if tr.perm is Perm.APPLY and app.org_id != actor.org_id:
            raise Forbidden("只能操作本单位的申请", where=app.public_id, fix="请用本单位账号")
        if tr.perm is not Perm.APPLY and actor.org_kind is OrgKind.PROVIDER:
            raise Forbidden("服务提供者不能执行审核操作", where=tr.action, fix="请用网信部门账号")
        if tr.national and actor.org_kind is not OrgKind.NATIONAL:
            raise Forbidden(f"“{tr.label}”由国家网信部门办理", where=tr.action,
                            fix="请用国家网信部门的审批人账号")

    def _check_guards(self, db: Session, app: Application, tr: Transition, note: str,
                      today: dt.date) -> None:
        if tr.note_required and not note.strip():
            raise InputError(f"“{tr.label}”须填写说明", where="note", fix="请写明理由或意见")
        if tr.materials_required:
            last = db.scalar(select(func.max(Event.at)).where(Event.application_id == app.id))
            q = select(func.count()).select_from(Material).where(
                Material.application_id == app.id)
            if last is not None:
                q = q.where(Material.uploaded_at > last)
            if not db.scalar(q):
                raise InputError(f"“{tr.label}”须附材料", where="files",
                                 fix="请先上传本次提交的材料")
        if tr.action in ("recommend", "approve_registration", "recommend_national"):
            open_items = db.scalar(select(func.count()).select_from(ChecklistItem).where(
                ChecklistItem.application_id == app.id, ChecklistItem.status != "ok"))
            if open_items:
                raise Conflict(f"审核清单还有 {open_items} 项未通过", where="checklist",
                               fix="逐项核对并标记为“通过”，或要求补正/不予通过")
        if tr.action == "file":
            if app.notice_end is None or today <= app.notice_end:
                raise Conflict("公示期尚未届满", where=str(app.notice_end),
                               fix="公示期满后的下一日由调度程序或 `beian registry tick` 办理")
            pending = db.scalar(select(func.count()).select_from(Objection).where(
                Objection.application_id == app.id, Objection.status.in_(UNSETTLED)))
            if pending:
                raise Conflict("还有未甄别或未处理的异议", fix="请审核员先甄别异议（受理或不予受理）")

    def _enter(self, db: Session, app: Application, tr: Transition, today: dt.date,
               note: str) -> None:
        cal = self._core.calendar(db)
        if tr.starts is not None:
            due = cal.add_working_days(today, self._core.policy.working_days(tr.starts))
            if tr.starts is Deadline.NOTICE:
                app.notice_start = cal.add_working_days(today, 1)
                app.notice_end = due
            else:
                setattr(app, tr.starts.value, due)
        if tr.action in ("file", "approve_registration", "approve_national"):
            key = serial_key(app.province, today)
            serial = next_serial(db, f"{app.kind}:{key}")
            make = filing_number if app.kind == Kind.FILING else registration_number
            app.number = make(app.province, app.model_name if app.kind == Kind.FILING
                              else app.service_name, today, serial)
            app.filed_on = today
        if tr.action in ("dismiss_objection", "uphold_objection"):
            status = "dismissed" if tr.action == "dismiss_objection" else "upheld"
            for o in db.scalars(select(Objection).where(Objection.application_id == app.id,
                                                        Objection.status == "open")):
                o.status, o.decision_note = status, note

    def _transition(self, db: Session, app: Application, action: str, actor: Actor | None,
                    note: str, today: dt.date, actor_name: str | None = None) -> dict[str, Any]:
        tr = transition_for(action, Kind(app.kind), State(app.state), self._core.policy.process)
        if tr is None:
            raise Conflict(f"当前状态（{State(app.state).label}）不能执行 {action}",
                           where=app.public_id, fix="请刷新后按页面提供的操作进行")
        self._check_actor(app, tr, actor)
        self._check_guards(db, app, tr, note, today)
        source = app.state
        self._enter(db, app, tr, today, note)
        app.state = tr.target.value
        app.updated_at = utcnow()
        shas = db.scalars(select(Material.sha256).where(Material.application_id == app.id))
        seq = 1 + (db.scalar(select(func.max(Event.seq)).where(
            Event.application_id == app.id)) or 0)
        name = actor_name or (actor.username if actor else "公众")
        ev = Event(application_id=app.id, seq=seq, actor=name, action=tr.action,
                   from_state=source, to_state=tr.target.value, note=note.strip(),
                   materials_sha256=materials_digest(shas))
        db.add(ev)
        self._core.audit(db, name, f"transition.{tr.action}", f"app:{app.public_id}",
                   source=source, target=tr.target.value, note=note.strip(), number=app.number)
        return {"seq": seq, "action": tr.action, "from": source, "to": tr.target.value,
                "number": app.number, "materials_sha256": ev.materials_sha256}

    def act(self, actor: Actor, public_id: str, action: str, note: str = "",
            today: dt.date | None = None, effective: dt.date | None = None) -> dict[str, Any]:
        """Take one step of the lifecycle as ``actor``. ``effective``: for a change or a
        cancellation, the day the change happened or the service ended; the note then says
        whether it was reported within its period (10 / 20 working days)."""
        perms = {t.perm for t in TRANSITIONS if t.action == action and not t.screening}
        if not perms or not any(actor.can(p) for p in perms):
            raise Forbidden(f"无权执行 {action}", where=action, fix="请用有相应权限的账号")
        today = today or dt.date.today()
        with self._core.tx() as db:
            if effective is not None:
                note = self._reported(db, action, effective, today, note)
            app = self._core.load_app(db, actor, public_id)
            # lock the row and re-read it: a decision taken meanwhile must be seen
            q = (select(Application).where(Application.id == app.id)
                 .with_for_update(of=Application).execution_options(populate_existing=True))
            app = db.scalars(q).one()
            return self._transition(db, app, action, actor, note, today)

    def _reported(self, db: Session, action: str, effective: dt.date, today: dt.date,
                  note: str) -> str:
        """The note with the reporting period of a change or cancellation and whether it was
        kept (the CAC's periods for algorithm filings: 变更 10, 注销 20 working days)."""
        days = {"request_change": self._core.policy.change_report_working_days,
                "deregister": self._core.policy.deregister_working_days}.get(action)
        if days is None:
            raise InputError("只有申请变更与申请注销可以写发生日期", where="effective",
                             fix="其他操作不填 effective")
        if effective > today:
            raise InputError(f"发生日期 {effective} 晚于今天", where="effective",
                             fix="写变更发生或停止服务的实际日期")
        due = self._core.calendar(db).add_working_days(effective, days)
        what = "变更发生于" if action == "request_change" else "停止服务于"
        kept = "按期办理" if today <= due else f"逾期办理（应于 {due} 前）"
        return f"{note.strip()}（{what} {effective}，期限 {days} 个工作日至 {due}，{kept}）"

    def object(self, public_id: str, name: str, text: str, contact: str | None = None,
               today: dt.date | None = None, source: str = "") -> int:
        """A member of the public raises an objection during the public notice. It waits for
        a reviewer (待甄别) and changes nothing by itself; see :meth:`screen_objection`."""
        return self._objections.raise_(public_id, name, text, contact, source)

    def screen_objection(self, actor: Actor, public_id: str, objection_id: int, accept: bool,
                         note: str, today: dt.date | None = None) -> dict[str, Any]:
        """A reviewer accepts an objection (review reopens: 异议复核中) or declines it (不予受理,
        the notice runs on). Returns the objection's new status and the application's state."""
        return self._objections.screen(actor, public_id, objection_id, accept, note,
                                       today or dt.date.today())

    def tick(self, today: dt.date | None = None, actor: Actor | None = None) -> list[dict[str, Any]]:
        """Process deadlines as of ``today``: file applications whose notice ended, withdraw
        overdue supplements, report overdue inspections and rectifications.

        Each filing is its own savepoint: one that fails is reported (``action: failed``) and
        audited, the others go ahead. A date after the real today is refused: a tick in the
        future would file applications before their notice ends."""
        if actor is not None and not actor.can(Perm.ADMIN):
            raise Forbidden("只有管理员可以运行到期处理", fix="请用管理员账号")
        real_today = dt.date.today()
        today = today or real_today
        if today > real_today:
            raise InputError(f"到期处理的日期 {today} 晚于今天", where="date",
                             fix="只能按今天或以前的日期处理；公示期未满的申请不能提前备案")
        done: list[dict[str, Any]] = []
        with self._core.tx() as db:
            due = db.scalars(select(Application).where(
                Application.state == State.IN_PUBLIC_NOTICE,
                Application.notice_end < today).with_for_update(of=Application)).all()
            for app in due:
                done.append(self._file_one(db, app, today))
            done += self._overdue(db, today)
            failed = sum(1 for d in done if d["action"] == "failed")
            self._core.audit(db, actor or _SYSTEM, "tick", f"date:{today}", results=len(done),
                             failed=failed)
        return done

    def _file_one(self, db: Session, app: Application, today: dt.date) -> dict[str, Any]:
        public_id = app.public_id
        waiting = db.scalar(select(func.count()).select_from(Objection).where(
            Objection.application_id == app.id, Objection.status.in_(UNSETTLED))) or 0
        if waiting:  # held until a reviewer has screened them; nobody else can hold it longer
            return {"id": public_id, "action": "held", "objections": waiting}
        try:
            with db.begin_nested():
                r = self._transition(db, app, "file", None, "公示期满，无未处理异议", today,
                                     actor_name=_SYSTEM)
            return {"id": public_id, **r}
        except Exception as exc:  # one bad application must not hold back the others
            _log.warning("到期备案失败：%s：%s", public_id, exc)
            what = exc.what if isinstance(exc, BeianError) else type(exc).__name__
            self._core.audit(db, _SYSTEM, "tick.failed", f"app:{public_id}", error=what)
            return {"id": public_id, "action": "failed", "error": what}

    @staticmethod
    def _overdue(db: Session, today: dt.date) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for app in db.scalars(select(Application).where(
                Application.state == State.SUPPLEMENT_REQUESTED,
                Application.supplement_due < today)):
            out.append({"id": app.public_id, "action": "overdue",
                        "deadline": "supplement_due", "due": app.supplement_due})
        for col, st in ((Application.inspection_due, State.INSPECTION_OPEN),
                        (Application.rectification_due, State.RECTIFICATION_REQUIRED)):
            for app in db.scalars(select(Application).where(Application.state == st,
                                                            col < today)):
                out.append({"id": app.public_id, "action": "overdue",
                            "deadline": col.key, "due": getattr(app, col.key)})
        return out

    def start_scheduler(self, interval_s: float) -> threading.Event:
        """Run :meth:`tick` now and every ``interval_s`` seconds in a daemon thread; set the
        returned event to stop it. Errors are logged and audited, never fatal to the server."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    self.tick()
                    with self._core.tx() as db:
                        write_checkpoint(db, self._core.ring,
                                         self._core.settings.checkpoint_file)
                except Exception as exc:  # keep serving; the next round retries
                    _log.exception("到期处理失败")
                    with self._core.tx() as db:
                        self._core.audit(db, "system", "tick.failed", "scheduler", error=str(exc))
                stop.wait(interval_s)

        threading.Thread(target=loop, name="beian-registry-scheduler", daemon=True).start()
        return stop
