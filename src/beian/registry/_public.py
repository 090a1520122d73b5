"""What anyone may read without an account: the public notices and the list of filed services."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import select

from beian.registry._core import Core
from beian.registry._errors import NotFound
from beian.registry.db import Application, Objection
from beian.registry.domain import Kind, State

__all__ = ["FILED_CSV_COLUMNS", "PublicLists"]

FILED_CSV_COLUMNS = ("序号", "属地", "模型名称", "备案单位", "备案号", "备案时间")
_NOTICE = (State.IN_PUBLIC_NOTICE, State.OBJECTION_RAISED, State.OBJECTION_REVIEW)
_LIVE = (State.FILED, State.CHANGE_PENDING, State.RENEWAL_DUE, State.INSPECTION_OPEN,
         State.RECTIFICATION_REQUIRED)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell spreadsheet programs will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _public(app: Application) -> dict[str, Any]:
    return {"id": app.public_id, "province": app.province, "provider_name": app.provider_name,
            "service_name": app.service_name, "model_name": app.model_name, "kind": app.kind,
            "notice_start": app.notice_start, "notice_end": app.notice_end,
            "number": app.number, "filed_on": app.filed_on}


class PublicLists:
    """The public notices and the filed list (``registry.public``)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def notices(self) -> list[dict[str, Any]]:
        with self._core.read() as db:
            stmt = select(Application).where(Application.state.in_([s.value for s in _NOTICE]))
            return [_public(a) for a in db.scalars(stmt.order_by(Application.notice_start))]

    def notice(self, public_id: str) -> dict[str, Any]:
        with self._core.read() as db:
            app = db.scalar(select(Application).where(
                Application.public_id == public_id,
                Application.state.in_([s.value for s in _NOTICE])))
            if app is None:
                raise NotFound("公示不存在或已结束", where=public_id, fix="请从公示列表选择")
            view = _public(app)
            view["objections"] = len(list(db.scalars(select(Objection.id).where(
                Objection.application_id == app.id))))
            return view

    def filed(self, since: dt.date | None = None, until: dt.date | None = None
              ) -> list[dict[str, Any]]:
        """The filed services; ``since`` / ``until`` (inclusive, by filing date) give one
        published batch, as the CAC publishes its lists."""
        with self._core.read() as db:
            stmt = select(Application).where(Application.kind == Kind.FILING.value,
                                             Application.state.in_([s.value for s in _LIVE]))
            if since is not None:
                stmt = stmt.where(Application.filed_on >= since)
            if until is not None:
                stmt = stmt.where(Application.filed_on <= until)
            return [_public(a) for a in db.scalars(stmt.order_by(Application.filed_on,
                                                                 Application.number))]

    def filed_csv(self, since: dt.date | None = None, until: dt.date | None = None) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(FILED_CSV_COLUMNS)
        for i, a in enumerate(self.filed(since, until), 1):
            w.writerow([i, *(csv_safe(a[k]) for k in ("province", "model_name",
                                                         "provider_name", "number")),
                        a["filed_on"].isoformat() if a["filed_on"] else ""])
        return "\ufeff" + buf.getvalue()  # BOM so that Excel reads UTF-8
