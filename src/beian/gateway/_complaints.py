"""The complaint and report channel (投诉举报): tickets with status and a published time limit.

A ticket has two names: its number (``TS`` + date + 6 characters, about 30 bits: what staff and
the complainant quote on the phone) and its access token (192 random bits, shown once when the
complaint is filed, stored only as a SHA-256 digest). A ticket's progress is shown to the holder
of the token, or to the authenticated user who filed it, never to someone who only knows or
guesses the number. Tickets filed before tokens existed have none until staff issue one
(:meth:`ComplaintDesk.reissue`).
"""

from __future__ import annotations

import builtins
import hashlib
import math
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from beian._shared.database import serialize
from beian.crypto import FieldCipher
from beian.errors import InputError
from beian.gateway._config import ComplaintsConfig
from beian.gateway._db import (
    complaint_clients,
    complaint_events,
    complaints,
    open_database,
    release_engine,
)

__all__ = [
    "CATEGORIES", "OPEN_STATUSES", "STATUSES", "TOKEN_PREFIX", "Complaint", "ComplaintDesk",
    "TooManyComplaints", "token_digest",
]  # fmt: skip

CATEGORIES = ("违法不良信息", "个人信息保护", "内容标识", "服务质量", "其他")
STATUSES = ("已受理", "处理中", "已办结", "不予受理")
OPEN_STATUSES = ("已受理", "处理中")
TOKEN_PREFIX = "tk_"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_c, _e, _k = complaints.c, complaint_events.c, complaint_clients.c


def token_digest(token: str) -> str:
    """What is stored of an access token (the token itself has 192 random bits: a plain
    digest cannot be reversed by guessing)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)
_COLUMNS = (_c.ticket, _c.created, _c.due, _c.updated, _c.status, _c.category, _c.record_id,
            _c.content_enc, _c.contact_enc, _c.user_hash)  # fmt: skip
_SURROGATE = re.compile("[\ud800-\udfff]")
_RECORD_ID = re.compile(r"[0-9A-Za-z-]{1,64}")


class TooManyComplaints(Exception):
    """This client has submitted ``limit`` complaints within the window; retry after ``retry_after``
    seconds."""

    def __init__(self, limit: int, window_s: float, retry_after: int) -> None:
        super().__init__(f"{limit} complaints within {window_s} s")
        self.limit = limit
        self.window_s = window_s
        self.retry_after = retry_after


def _text(value: str, field: str, limit: int, what: str) -> str:
    """``value`` within ``limit`` characters, lone surrogates (not encodable) replaced."""
    if len(value) > limit:
        raise InputError(
            f"{what}过长（{len(value)} 字，上限 {limit} 字）", where=field, fix="请精简后再提交"
        )
    return _SURROGATE.sub("\ufffd", value)


@dataclass
class Complaint:
    ticket: str
    created: float
    due: float
    updated: float
    status: str
    category: str
    content: str
    contact: str | None = None
    record_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None  # the access token, known only right after filing or reissuing
    user_hash: str | None = None  # the authenticated user who filed it (keyed hash)

    @property
    def overdue(self) -> bool:
        return self.status in OPEN_STATUSES and time.time() > self.due

    def remaining_s(self, now: float | None = None) -> float | None:
        """Seconds left until the time limit (negative: overdue); ``None`` once closed."""
        if self.status not in OPEN_STATUSES:
            return None
        return self.due - (time.time() if now is None else now)

    def public(self) -> dict[str, Any]:
        """What the complainant may see by ticket id (no contact details)."""
        return {
            "ticket": self.ticket,
            "status": self.status,
            "category": self.category,
            "created": _iso(self.created),
            "due": _iso(self.due),
            "updated": _iso(self.updated),
            "overdue": self.overdue,
            "remaining_days": None if (left := self.remaining_s()) is None
            else round(left / 86400.0, 2),
            "history": [
                {"at": _iso(h["at"]), "status": h["status"], "note": h["note"]}
                for h in self.history
            ],
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


class ComplaintDesk:
    """Complaint tickets in the gateway's database; contents and contacts encrypted.

    ``path``: a SQLite file, or a database URL (``postgresql://…``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        cipher: FieldCipher,
        handling_days: int,
        *,
        rules: ComplaintsConfig | None = None,
    ) -> None:
        self.cipher = cipher
        self.handling_days = handling_days
        # field limits and the per-client rate (replaced on a configuration reload)
        self.rules = rules or ComplaintsConfig(handling_days=handling_days)
        self._engine = open_database(path)
        self._reads = self._engine.execution_options(beian_read=True)

    def close(self) -> None:
        release_engine(self._engine)

    def submit(
        self,
        content: str,
        *,
        category: str = "其他",
        contact: str | None = None,
        record_id: str | None = None,
        client: str | None = None,
        user_hash: str | None = None,
    ) -> Complaint:
        """A new ticket, with its access token in ``token`` (shown once, stored as a digest).
        ``client`` (a keyed hash of the submitter's address) is held to ``rules.rate_limit``
        submissions per ``rules.rate_window_s`` (:class:`TooManyComplaints`); ``user_hash``: the
        authenticated user filing it (who may then read it without the token)."""
        r = self.rules
        content = _text(content, "content", r.max_content_chars, "投诉内容").strip()
        if not content:
            raise InputError("投诉内容不能为空", where="content", fix="请描述您遇到的问题")
        contact = _text(contact, "contact", r.max_contact_chars, "联系方式") if contact else None
        record_id = record_id.strip() if record_id else None
        if record_id and not _RECORD_ID.fullmatch(record_id):
            raise InputError(
                "对话记录编号格式不对（至多 64 个字母、数字或连字符）", where="record_id",
                fix="填写响应头 X-Beian-Record-Id 中的编号，或留空",
            )  # fmt: skip
        if category not in CATEGORIES:
            raise InputError(
                f"未知的投诉类别 {category[:20]}", where="category",
                fix="可选：" + "、".join(CATEGORIES),
            )  # fmt: skip
        now = time.time()
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d")
        ticket = "TS" + stamp + "".join(secrets.choice(_ALPHABET) for _ in range(6))
        due = now + self.handling_days * 86400.0
        token = _new_token()
        enc = self.cipher.encrypt
        with self._engine.begin() as db:
            if client is not None:
                self._admit(db, client, now)
            db.execute(insert(complaints), {
                "ticket": ticket, "created": now, "due": due, "updated": now, "status": "已受理",
                "category": category, "record_id": record_id or None,
                "content_enc": enc(content, aad=ticket),
                "contact_enc": enc(contact, aad=ticket) if contact else None,
                "token_hash": token_digest(token), "user_hash": user_hash,
            })  # fmt: skip
            db.execute(insert(complaint_events),
                       {"ticket": ticket, "at": now, "status": "已受理", "note_enc": None})  # fmt: skip
        c = self.get(ticket)
        assert c is not None
        c.token = token
        return c

    def _admit(self, db: Connection, client: str, now: float) -> None:
        """Count this submission against ``client`` (in the caller's transaction, serialized with
        every other process's, so that workers and hosts sharing the database count together)."""
        r = self.rules
        serialize(db, "beian-gateway-complaint-clients")
        start = now - r.rate_window_s
        db.execute(delete(complaint_clients).where(_k.at < start))
        times = db.execute(select(_k.at).where(_k.client == client).order_by(_k.at)).scalars().all()
        if len(times) >= r.rate_limit:
            wait = times[len(times) - r.rate_limit] + r.rate_window_s - now
            raise TooManyComplaints(r.rate_limit, r.rate_window_s, max(1, math.ceil(wait)))
        db.execute(insert(complaint_clients), {"client": client, "at": now})

    def get(self, ticket: str) -> Complaint | None:
        with self._reads.connect() as db:
            row = db.execute(select(*_COLUMNS).where(_c.ticket == ticket)).first()
            events = db.execute(
                select(_e.at, _e.status, _e.note_enc).where(_e.ticket == ticket).order_by(_e.seq)
            ).all()
        if row is None:
            return None
        dec = self.cipher.decrypt
        t, created, due, updated, status, category, record_id, content_enc, contact_enc, uh = row
        return Complaint(
            ticket=t, created=created, due=due, updated=updated, status=status,
            category=category, record_id=record_id, content=dec(content_enc, aad=t), user_hash=uh,
            contact=dec(contact_enc, aad=t) if contact_enc else None,
            history=[
                {"at": at, "status": st, "note": dec(n, aad=t) if n else None}
                for at, st, n in events
            ],
        )  # fmt: skip

    def _tickets(self, query: Any) -> builtins.list[Complaint]:
        with self._reads.connect() as db:
            tickets = db.execute(query).scalars().all()
        return [c for t in tickets if (c := self.get(t)) is not None]

    def update(self, ticket: str, status: str, note: str | None = None) -> Complaint:
        note = _text(note, "note", self.rules.max_note_chars, "处理说明") if note else None
        if status not in STATUSES:
            raise InputError(
                f"未知的处理状态 {status[:20]}", where="status", fix="可选：" + "、".join(STATUSES)
            )
        now = time.time()
        with self._engine.begin() as db:
            n = db.execute(update(complaints).where(_c.ticket == ticket)
                           .values(status=status, updated=now)).rowcount  # fmt: skip
            if n:
                db.execute(insert(complaint_events), {
                    "ticket": ticket, "at": now, "status": status,
                    "note_enc": self.cipher.encrypt(note, aad=ticket) if note else None,
                })  # fmt: skip
        c = self.get(ticket)
        if c is None:
            raise InputError(f"没有编号为 {ticket} 的投诉", where="ticket", fix="请核对投诉编号")
        return c

    def list(self, status: str | None = None) -> builtins.list[Complaint]:
        q = select(_c.ticket)
        if status:
            q = q.where(_c.status == status)
        return self._tickets(q.order_by(_c.created))

    def by_token(self, token: str) -> Complaint | None:
        """The ticket this access token opens (``None``: no such token)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 64:
            return None
        got = self._tickets(select(_c.ticket).where(_c.token_hash == token_digest(token)))
        return got[0] if got else None

    def of_user(self, ticket: str, user_hash: str) -> Complaint | None:
        """The ticket, when ``user_hash`` filed it (``None`` otherwise: not revealed)."""
        c = self.get(ticket)
        return c if c is not None and c.user_hash is not None and c.user_hash == user_hash else None

    def filed_by(self, user_hash: str) -> builtins.list[Complaint]:
        """The tickets an authenticated user filed, oldest first (for their copy of their data)."""
        return self._tickets(select(_c.ticket).where(_c.user_hash == user_hash).order_by(_c.created))

    def reissue(self, ticket: str) -> Complaint:
        """A new access token for ``ticket`` (the old one stops working): for a complainant who
        lost it, and for tickets filed before tokens existed."""
        token = _new_token()
        with self._engine.begin() as db:
            n = db.execute(update(complaints).where(_c.ticket == ticket)
                           .values(token_hash=token_digest(token))).rowcount  # fmt: skip
        c = self.get(ticket) if n else None
        if c is None:
            raise InputError(f"没有编号为 {ticket[:32]} 的投诉", where="ticket", fix="请核对投诉编号")
        c.token = token
        return c

    def overdue(self, now: float | None = None) -> builtins.list[Complaint]:
        """Open tickets past their time limit, the most overdue first."""
        now = time.time() if now is None else now
        return self._tickets(
            select(_c.ticket).where(_c.status.in_(OPEN_STATUSES), _c.due < now).order_by(_c.due)
        )
