"""What anyone may read without an account: the public notices and the list of filed services."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select

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


# what the public lists show: plain rows, the columns in the order of the answer's keys
_PUBLIC_KEYS = ("id", "province", "provider_name", "service_name", "model_name", "kind",
                "notice_start", "notice_end", "number", "filed_on")
_PUBLIC = select(*(Application.__table__.c["public_id" if k == "id" else k]
                   for k in _PUBLIC_KEYS))
_IN_NOTICE = Application.state.in_([s.value for s in _NOTICE])
# built once (building a statement costs more than running it)
_NOTICES = _PUBLIC.where(_IN_NOTICE).order_by(Application.notice_start)
_NOTICE_ONE = _PUBLIC.add_columns(Application.id).where(
    _IN_NOTICE, Application.public_id == bindparam("public_id"))
_OBJECTIONS = (select(func.count()).select_from(Objection)
               .where(Objection.application_id == bindparam("app")))
_FILED = (_PUBLIC.where(Application.kind == Kind.FILING.value,
                        Application.state.in_([s.value for s in _LIVE]))
          .order_by(Application.filed_on, Application.number))


def _public(row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(_PUBLIC_KEYS, row, strict=False))


class PublicLists:
    """The public notices and the filed list (``registry.public``)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def notices(self) -> list[dict[str, Any]]:
        with self._core.rows() as conn:
            return [_public(a) for a in conn.execute(_NOTICES)]

    def notice(self, public_id: str) -> dict[str, Any]:
        with self._core.rows() as conn:
            row = conn.execute(_NOTICE_ONE, {"public_id": public_id}).first()
            if row is None:
                raise NotFound("公示不存在或已结束", where=public_id, fix="请从公示列表选择")
            view = _public(row)  # the keys stop before the application's own id
            view["objections"] = conn.execute(_OBJECTIONS, {"app": row.id}).scalar_one()
            return view

    def filed(self, since: dt.date | None = None, until: dt.date | None = None
              ) -> list[dict[str, Any]]:
        """The filed services; ``since`` / ``until`` (inclusive, by filing date) give one
        published batch, as the CAC publishes its lists."""
        stmt = _FILED
        if since is not None:
            stmt = stmt.where(Application.filed_on >= since)
        if until is not None:
            stmt = stmt.where(Application.filed_on <= until)
        with self._core.rows() as conn:
            return [_public(a) for a in conn.execute(stmt)]

    def filed_csv(self, since: dt.date | None = None, until: dt.date | None = None) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(FILED_CSV_COLUMNS)
        for i, a in enumerate(self.filed(since, until), 1):
            w.writerow([i, *(csv_safe(a[k]) for k in ("province", "model_name",
                                                         "provider_name", "number")),
                        a["filed_on"].isoformat() if a["filed_on"] else ""])
        return "\ufeff" + buf.getvalue()  # BOM so that Excel reads UTF-8
