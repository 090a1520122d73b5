"""Users' rights over their conversations (PIPL Arts. 44–47; Interim Measures Art. 11) and the
consent ledger, kept in the gateway's records database.

- **Requests** (查阅复制、更正、删除、撤回同意) each get a ticket (``RQ`` + date + 6 characters) with
  the published time limit: ``rights.handling_working_days`` working days (default 15) by the
  State Council holiday schedule (:mod:`beian._shared.workdays`); a year the schedule does not
  cover is counted Monday to Friday and the ticket says the date is an estimate.
- **Consent** is a ledger: every notice version a user accepted and every withdrawal, with times;
  a withdrawal also turns the training opt-out on.
- **Deletion** erases a finished exchange's content and keeps the minimum the 6-month log needs
  (:data:`RETAINED`): the record id, the user's keyed hash, times, model, stream flag, outcome,
  HTTP status, the screening decisions (stage, action, risk codes, counts: no text), and keyed
  digests (HMAC with the records' key) of the erased request and answer, so that a text produced
  later can still be matched to the log entry. The request, what went upstream, the answer, the
  error text and the encrypted copy of the user id are gone. Exchanges still in progress are
  left and counted. The retained rows leave with the ordinary retention purge.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from beian._shared.database import serialize
from beian._shared.workdays import WorkingCalendar, load_schedule_file
from beian.errors import ConfigError, InputError
from beian.gateway._config import RightsConfig
from beian.gateway._db import (
    IN_PROGRESS,
    consents,
    corrections,
    ensure_schema,
    erasures,
    exchanges,
    rights_requests,
    upsert,
)
from beian.gateway._store import RecordStore

__all__ = [
    "KINDS",
    "RETAINED",
    "RIGHTS_STATUSES",
    "Erasure",
    "RightsDesk",
    "RightsRequest",
    "TooManyRequests",
    "due_date",
    "load_calendar",
]

KINDS = {"export": "查阅复制", "correct": "更正补充", "delete": "删除", "withdraw": "撤回同意"}
RIGHTS_STATUSES = ("已受理", "处理中", "已办结", "不予办理")
_OPEN = ("已受理", "处理中")
# what an erased exchange keeps (columns of ``exchanges`` plus the digests in ``erasures``)
RETAINED = (
    "id", "user_hash", "started", "finished", "model", "stream", "outcome", "http_status",
    "decisions", "training_opt_out", "request_hmac", "response_hmac", "erased_at", "ticket",
)  # fmt: skip
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time
_ERASED_REQUEST: dict[str, Any] = {"request": {}, "forwarded": None}
_ERASED_RESPONSE: dict[str, Any] = {"response": "", "sent": ""}

_r, _x, _c, _k, _e = (rights_requests.c, exchanges.c, consents.c, corrections.c,
                       erasures.c)


def load_calendar(files: Sequence[str]) -> WorkingCalendar:
    """The working-day calendar with the schedules in ``files`` (``rights.calendar_files``, already
    resolved against the config folder): read once, at start and on a reload, so that a missing or
    malformed file stops the gateway there (``file:line``) rather than on a user's first request."""
    schedules = []
    years: dict[int, str] = {}
    for i, path in enumerate(files):
        field = f"rights.calendar_files[{i}]"
        if not Path(path).is_file():
            raise ConfigError(f"{field} 指向的节假日安排文件不存在：{path}", where=field,
                              fix="改正路径（相对路径相对于配置文件所在目录），或删去这一项")  # fmt: skip
        try:
            sched = load_schedule_file(path)
        except InputError as exc:
            raise ConfigError(f"{field} 的节假日安排文件有误：{exc.what}", where=exc.where or path,
                              fix=exc.fix) from None  # fmt: skip
        if sched.year in years:
            raise ConfigError(f"{sched.year} 年的节假日安排重复：{years[sched.year]} 与 {path}",
                              where=field, fix="每年只列一个文件")  # fmt: skip
        years[sched.year] = path
        schedules.append(sched)
    return WorkingCalendar.with_schedules(schedules)


def due_date(start: dt.date, working_days: int, calendar: WorkingCalendar) -> tuple[dt.date, bool]:
    """The ``working_days``-th working day after ``start``, and whether it is an estimate (a
    year the holiday schedule does not cover, counted Monday to Friday)."""
    day, count, estimated = start, 0, False
    while count < working_days:
        day += dt.timedelta(days=1)
        if calendar.covers(day.year):
            count += calendar.is_workday(day)
        else:
            estimated = True
            count += day.weekday() < 5
    return day, estimated


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


class TooManyRequests(Exception):
    """The user has opened ``limit`` requests within the window; retry after ``retry_after`` s."""

    def __init__(self, limit: int, window_s: float, retry_after: int) -> None:
        super().__init__(f"{limit} requests within {window_s} s")
        self.limit = limit
        self.window_s = window_s
        self.retry_after = retry_after


@dataclass
class RightsRequest:
    """One rights request's ticket."""

    ticket: str
    user_hash: str
    kind: str
    created: float
    due: float
    due_date: str
    due_estimated: bool
    status: str
    updated: float
    detail: dict[str, Any] | None = None
    result: str | None = None

    @property
    def overdue(self) -> bool:
        return self.status in _OPEN and time.time() > self.due

    def public(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket, "kind": self.kind, "kind_zh": KINDS[self.kind],
            "status": self.status, "created": _iso(self.created), "due_date": self.due_date,
            "due_estimated": self.due_estimated, "overdue": self.overdue,
            "updated": _iso(self.updated), "result": self.result,
        }  # fmt: skip


@dataclass(frozen=True)
class Erasure:
    """What a deletion did: exchanges erased, and those left because still in progress."""

    ticket: str
    erased: list[str]
    in_progress: list[str]


class RightsDesk:
    """Rights requests, consents, erasures and corrections beside the records (same database)."""

    def __init__(self, store: RecordStore, rules: RightsConfig,
                 calendar: WorkingCalendar | None = None) -> None:  # fmt: skip
        self.store = store
        self.configure(rules, calendar or load_calendar(rules.calendar_files))
        self._engine = store.engine
        ensure_schema(self._engine)
        self._reads = self._engine.execution_options(beian_read=True)

    def configure(self, rules: RightsConfig, calendar: WorkingCalendar) -> None:
        """The rules and the calendar (:func:`load_calendar` of ``rules.calendar_files``) in force."""
        self.rules = rules
        self.calendar = calendar

    def close(self) -> None:
        """Nothing of its own to close (it uses the record store's connections)."""

    # -- tickets -------------------------------------------------------------------------
    def open_request(self, user: str, kind: str, detail: dict[str, Any] | None = None, *,
                     status: str = "已受理", result: str | None = None) -> RightsRequest:  # fmt: skip
        """A new ticket for ``user``'s request of ``kind`` (see :data:`KINDS`)."""
        now = time.time()
        start = dt.datetime.fromtimestamp(now, CST).date()  # working days are Beijing's
        day, estimated = due_date(start, self.rules.handling_working_days, self.calendar)
        due = dt.datetime.combine(day, dt.time(23, 59, 59), CST)  # the end of the due day
        ticket = (
            "RQ" + start.strftime("%Y%m%d") + "".join(secrets.choice(_ALPHABET) for _ in range(6))
        )
        enc = (
            self.store.cipher.encrypt(json.dumps(detail, ensure_ascii=False), aad=ticket)
            if detail
            else None
        )
        uh = self.store.user_hash(user)
        with self._engine.begin() as db:
            serialize(db, "beian-gateway-rights-requests")  # counted with other processes
            self._admit(db, uh, now)
            db.execute(insert(rights_requests), {
                "ticket": ticket, "user_hash": uh, "kind": kind, "created": now,
                "due": due.timestamp(), "due_date": day.isoformat(),
                "due_estimated": int(estimated), "status": status, "updated": now,
                "detail_enc": enc, "result": result,
            })  # fmt: skip
        got = self.get(ticket)
        assert got is not None
        return got

    def _admit(self, db: Connection, user_hash: str, now: float) -> None:
        r = self.rules
        times = db.execute(
            select(_r.created)
            .where(_r.user_hash == user_hash, _r.created > now - r.rate_window_s)
            .order_by(_r.created)
        ).scalars().all()
        if len(times) >= r.rate_limit:
            wait = times[len(times) - r.rate_limit] + r.rate_window_s - now
            raise TooManyRequests(r.rate_limit, r.rate_window_s, max(1, math.ceil(wait)))

    def _rows(self, query: Any) -> list[tuple[Any, ...]]:
        with self._reads.connect() as db:
            return [tuple(r) for r in db.execute(query)]

    def get(self, ticket: str) -> RightsRequest | None:
        rows = self._rows(select(rights_requests).where(_r.ticket == ticket))
        return self._decode(rows[0]) if rows else None

    def _decode(self, row: tuple[Any, ...]) -> RightsRequest:
        t, uh, kind, created, due, day, est, status, updated, detail_enc, result = row
        detail = json.loads(self.store.cipher.decrypt(detail_enc, aad=t)) if detail_enc else None
        return RightsRequest(
            t, uh, kind, created, due, day, bool(est), status, updated, detail, result
        )

    def requests(self, *, user: str | None = None, status: str | None = None,
                 overdue: bool = False) -> list[RightsRequest]:  # fmt: skip
        q = select(rights_requests)
        if user is not None:
            q = q.where(_r.user_hash == self.store.user_hash(user))
        if status:
            q = q.where(_r.status == status)
        if overdue:
            q = q.where(_r.status.in_(_OPEN), _r.due < time.time())
        return [self._decode(r) for r in self._rows(q.order_by(_r.created))]

    def close_request(self, ticket: str, status: str = "已办结", note: str | None = None) -> RightsRequest:  # fmt: skip
        """Staff record the outcome of a request (``不予办理`` must say why)."""
        if status not in RIGHTS_STATUSES:
            raise InputError(f"未知的办理状态 {status[:20]}", where="status",
                             fix="可选：" + "、".join(RIGHTS_STATUSES))  # fmt: skip
        if status == "不予办理" and not note:
            raise InputError("不予办理须说明理由（个人信息保护法第五十条）", where="note",
                             fix="用 --note 写明理由")  # fmt: skip
        with self._engine.begin() as db:
            n = db.execute(
                update(rights_requests).where(_r.ticket == ticket).values(
                    status=status, updated=time.time(),
                    result=_r.result if note is None else note)
            ).rowcount  # fmt: skip
        got = self.get(ticket) if n else None
        if got is None:
            raise InputError(
                f"没有编号为 {ticket[:32]} 的权利请求", where="ticket", fix="请核对工单编号"
            )
        return got

    # -- consent -------------------------------------------------------------------------
    def consent(self, user: str, action: str, notice_version: str | None, *, via: str) -> RightsRequest | None:  # fmt: skip
        """Record an acceptance of ``notice_version`` or a withdrawal (a ticket, and the
        training opt-out turned on); the withdrawal's ticket, or ``None`` for an acceptance."""
        current = self.rules.notice_version
        if action not in ("accept", "withdraw"):
            raise InputError(f"未知的操作 {action[:20]}", where="action", fix="accept 或 withdraw")
        version = notice_version or current
        if not version:
            raise InputError("没有告知书版本", where="notice_version",
                             fix="提交所同意的隐私告知书版本，或配置 rights.notice_version")  # fmt: skip
        if action == "accept" and current and version != current:
            raise InputError(f"告知书版本 {version[:40]} 不是现行版本 {current}",
                             where="notice_version", fix="请阅读并同意现行版本")  # fmt: skip
        ticket = None
        if action == "withdraw":  # the ticket first: a user over the request limit changes nothing
            ticket = self.open_request(user, "withdraw", {"notice_version": version}, status="已办结",
                                       result="已撤回同意，输入内容不再用于训练")  # fmt: skip
        with self._engine.begin() as db:
            db.execute(insert(consents), {
                "user_hash": self.store.user_hash(user), "notice_version": version[:64],
                "action": action, "at": time.time(), "via": via,
            })  # fmt: skip
        if ticket is not None:
            self.store.set_opt_out(user, True, via=f"consent-withdrawn:{via}")
        return ticket

    def consents(self, user: str) -> list[dict[str, Any]]:
        rows = self._rows(
            select(_c.notice_version, _c.action, _c.at, _c.via)
            .where(_c.user_hash == self.store.user_hash(user)).order_by(_c.seq)
        )  # fmt: skip
        return [
            {"notice_version": v, "action": a, "at": _iso(at), "via": via} for v, a, at, via in rows
        ]

    def consent_state(self, user: str) -> dict[str, Any]:
        """The latest consent entry: accepted (and which version) or withdrawn."""
        ledger = self.consents(user)
        last = ledger[-1] if ledger else None
        return {
            "consented": bool(last and last["action"] == "accept"),
            "notice_version": last["notice_version"] if last else None,
            "current_notice_version": self.rules.notice_version,
            "at": last["at"] if last else None,
        }

    # -- the user's records --------------------------------------------------------------
    def erased(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        marks = list(ids)
        if not marks:
            return {}
        rows = self._rows(select(_e.id, _e.at, _e.ticket).where(_e.id.in_(marks)))
        return {rid: {"erased_at": _iso(at), "ticket": t} for rid, at, t in rows}

    def corrections(self, user: str) -> dict[str, list[dict[str, Any]]]:
        rows = self._rows(
            select(_k.record_id, _k.at, _k.ticket, _k.text_enc)
            .where(_k.user_hash == self.store.user_hash(user)).order_by(_k.seq)
        )  # fmt: skip
        out: dict[str, list[dict[str, Any]]] = {}
        for rid, at, ticket, enc in rows:
            text = self.store.cipher.decrypt(enc, aad=ticket)
            out.setdefault(rid, []).append({"at": _iso(at), "ticket": ticket, "text": text})
        return out

    def owns(self, user: str, record_id: str) -> bool:
        return bool(self._rows(
            select(_x.id).where(_x.id == record_id, _x.user_hash == self.store.user_hash(user))
        ))  # fmt: skip

    def correct(self, user: str, record_id: str, text: str) -> RightsRequest:
        """A correction of a record (kept beside it, encrypted; the log is not rewritten); staff
        review it and close the ticket."""
        text = text.strip()
        if not text:
            raise InputError("更正内容不能为空", where="text", fix="写明应当如何更正")
        if len(text) > self.rules.max_correction_chars:
            raise InputError(f"更正内容过长（上限 {self.rules.max_correction_chars} 字）",
                             where="text", fix="请精简后再提交")  # fmt: skip
        if not self.owns(user, record_id):
            raise InputError("没有这条对话记录", where="record_id", fix="请从“我的对话记录”中选择")
        req = self.open_request(user, "correct", {"record_id": record_id})
        with self._engine.begin() as db:
            db.execute(insert(corrections), {
                "record_id": record_id, "user_hash": self.store.user_hash(user),
                "at": time.time(), "ticket": req.ticket,
                "text_enc": self.store.cipher.encrypt(text, aad=req.ticket),
            })  # fmt: skip
        return req

    def erase(self, user: str, record_ids: list[str] | None = None) -> Erasure:
        """Erase the content of ``user``'s finished exchanges (all, or ``record_ids``), keeping
        :data:`RETAINED`; one ticket, closed at once."""
        self.store.flush()
        uh = self.store.user_hash(user)
        rows = self._rows(
            select(_x.id, _x.outcome).where(_x.user_hash == uh, _x.id.not_in(select(_e.id)))
        )
        wanted = set(record_ids) if record_ids is not None else None
        if wanted is not None and (
            unknown := wanted - {rid for rid, _ in rows} - set(self.erased(wanted))
        ):
            raise InputError(f"没有这些对话记录：{', '.join(sorted(unknown)[:5])}", where="record_ids",
                             fix="请从“我的对话记录”中选择")  # fmt: skip
        chosen = [(rid, o) for rid, o in rows if wanted is None or rid in wanted]
        busy = [rid for rid, o in chosen if o == IN_PROGRESS]
        done = [rid for rid, o in chosen if o != IN_PROGRESS]
        req = self.open_request(user, "delete", {"records": len(done)}, status="已办结",
                                result=f"已删除 {len(done)} 条对话记录的内容")  # fmt: skip
        for rid in done:
            self._erase_one(rid, req.ticket)
        return Erasure(req.ticket, done, busy)

    def _erase_one(self, rid: str, ticket: str) -> None:
        ex = self.store.get(rid)
        if ex is None:  # purged meanwhile
            return
        digest = self.store.user_hash  # keyed with the records' key (HMAC)
        request = json.dumps({"request": ex.request, "forwarded": ex.forwarded}, ensure_ascii=False)
        response = json.dumps({"response": ex.response, "sent": ex.sent}, ensure_ascii=False)

        def enc(body: dict[str, Any]) -> str:
            return self.store.cipher.encrypt(json.dumps(body), aad=rid)

        with self._engine.begin() as db:
            db.execute(
                update(exchanges).where(_x.id == rid).values(
                    user_enc=None, request_enc=enc(_ERASED_REQUEST),
                    response_enc=enc(_ERASED_RESPONSE), error_enc=None, training_opt_out=1,
                    host=None, pid=None)  # only an unfinished exchange needs its process
            )  # fmt: skip
            db.execute(upsert(db, erasures, "id"), {
                "id": rid, "at": time.time(), "ticket": ticket,
                "request_hmac": digest("\x00request\x00" + request),
                "response_hmac": digest("\x00response\x00" + response),
            })  # fmt: skip

    def retained(self, record_id: str) -> dict[str, Any] | None:
        """What the log keeps of an erased exchange (exactly :data:`RETAINED`)."""
        rows = self._rows(
            select(_x.id, _x.user_hash, _x.started, _x.finished, _x.model, _x.stream, _x.outcome,
                   _x.http_status, _x.decisions, _x.training_opt_out, _e.request_hmac,
                   _e.response_hmac, _e.at, _e.ticket)
            .join(erasures, _e.id == _x.id).where(_x.id == record_id)
        )  # fmt: skip
        return dict(zip(RETAINED, rows[0], strict=True)) if rows else None

    def purge_orphans(self) -> int:
        """Forget erasure and correction rows whose exchange the retention purge removed."""
        with self._engine.begin() as db:
            n = db.execute(delete(erasures).where(_e.id.not_in(select(_x.id)))).rowcount
            n += db.execute(delete(corrections).where(_k.record_id.not_in(select(_x.id)))).rowcount
        return n
