"""Public objections: a queue a reviewer screens, so that anonymous objections cannot block
or reopen a filing by themselves.

An objection arrives as ``pending`` (待甄别) and changes nothing. A reviewer of the province
accepts it (``open``: the application goes to 异议复核中 and the approver decides, as before)
or declines it (``rejected``, 不予受理: unfounded, off-topic or abusive; the notice runs on).
Filing waits while an objection is pending or open; only the office can settle them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beian.errors import InputError
from beian.registry._auth import Actor
from beian.registry._core import Core
from beian.registry._errors import Conflict, Forbidden, NotFound, TooMany
from beian.registry.db import Application, Objection, utcnow
from beian.registry.domain import OrgKind, Perm, State

__all__ = ["OBJECTION_LABELS", "UNSETTLED", "ObjectionDesk"]

UNSETTLED = ("pending", "open")  # waiting for the reviewer, or accepted and under review
OBJECTION_LABELS = {"pending": "待甄别", "rejected": "不予受理", "open": "已受理，复核中",
                    "dismissed": "不成立", "upheld": "成立"}
_NOTICE = (State.IN_PUBLIC_NOTICE, State.OBJECTION_RAISED, State.OBJECTION_REVIEW)
Transition = Callable[..., dict[str, Any]]


class ObjectionDesk:
    """Raising and screening objections (used by :class:`Lifecycle`)."""

    def __init__(self, core: Core, transition: Transition) -> None:
        self._core = core
        self._transition = transition

    def raise_(self, public_id: str, name: str, text: str, contact: str | None,
               source: str) -> int:
        """Queue an objection. The same one twice is recorded once; ``source`` (the sender's
        address, kept only as a keyed hash) may raise a few per hour."""
        name, text = name.strip(), text.strip()
        if not text or not name:
            raise InputError("异议须写明姓名（或单位）和理由", where="text", fix="请补全后再提交")
        if len(name) > 80 or len(text) > 5000 or len(contact or "") > 200:
            raise InputError("异议内容过长", where="text", fix="姓名 80 字、理由 5000 字、联系方式 200 字以内")
        with self._core.tx() as db:
            app = db.scalar(select(Application).where(Application.public_id == public_id)
                            .with_for_update(of=Application))
            if app is None or app.state not in _NOTICE:
                raise NotFound("该申请不在公示期", where=public_id, fix="请从公示列表选择")
            same = db.scalar(select(Objection.id).where(
                Objection.application_id == app.id, Objection.name == name,
                Objection.text == text))
            if same is not None:
                return int(same)
            tag = self._source_tag(source)
            self._check_rate(db, app.id, tag)
            o = Objection(application_id=app.id, name=name, text=text, source=tag,
                          status="pending", contact=self._core.seal(public_id, "objection", contact))
            db.add(o)
            db.flush()
            self._core.audit(db, f"公众：{o.name}", "objection.add", f"app:{public_id}",
                             objection=o.id)
            return o.id

    def screen(self, actor: Actor, public_id: str, objection_id: int, accept: bool, note: str,
               today: dt.date) -> dict[str, Any]:
        if not actor.can(Perm.REVIEW) or actor.org_kind is OrgKind.PROVIDER:
            raise Forbidden("只有审核员可以甄别异议", fix="请用审核员账号登录")
        if not note.strip():
            raise InputError("甄别异议须写明理由", where="note", fix="写明受理或不予受理的理由")
        with self._core.tx() as db:
            app = self._core.load_app(db, actor, public_id)
            app = db.scalars(select(Application).where(Application.id == app.id)
                             .with_for_update(of=Application)
                             .execution_options(populate_existing=True)).one()
            o = db.get(Objection, objection_id)
            if o is None or o.application_id != app.id:
                raise NotFound("异议不存在", where=str(objection_id), fix="请刷新页面")
            if o.status != "pending":
                raise Conflict(f"该异议已甄别（{OBJECTION_LABELS.get(o.status, o.status)}）",
                               where=str(objection_id), fix="请刷新页面")
            if app.state not in _NOTICE:
                raise Conflict("申请已不在公示期", where=public_id, fix="请刷新页面")
            o.decision_note = note.strip()
            if not accept:
                o.status = "rejected"
                self._core.audit(db, actor, "objection.reject", f"app:{public_id}",
                                 objection=o.id, note=o.decision_note)
                return {"status": o.status, "state": app.state}
            o.status = "open"
            if app.state == State.IN_PUBLIC_NOTICE:
                self._transition(db, app, "accept_objection", actor, note, today)
            self._core.audit(db, actor, "objection.accept", f"app:{public_id}", objection=o.id)
            return {"status": o.status, "state": app.state}

    def _source_tag(self, source: str) -> str:
        if not source:
            return ""
        key = self._core.ring.key(self._core.ring.active)
        return hmac.new(key, f"objection-source|{source}".encode(), hashlib.sha256).hexdigest()

    def _check_rate(self, db: Session, app_id: int, tag: str) -> None:
        policy = self._core.policy
        waiting = db.scalar(select(func.count()).select_from(Objection).where(
            Objection.application_id == app_id, Objection.status.in_(UNSETTLED))) or 0
        if waiting >= policy.max_open_objections:
            raise TooMany("该申请待处理的异议已达上限", fix="请等待审核员处理后再提交")
        if not tag:
            return
        since = utcnow() - dt.timedelta(hours=1)
        recent = db.scalar(select(func.count()).select_from(Objection).where(
            Objection.source == tag, Objection.at >= since)) or 0
        if recent >= policy.objections_per_hour:
            raise TooMany("提交异议过于频繁", fix="请一小时后再试")
