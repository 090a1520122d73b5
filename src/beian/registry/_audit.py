"""The hash-chained audit log: every change and every read of sensitive data.

Row ``n`` stores ``hash = SHA-256(prev_hash | canonical JSON of the row)``; the chain head
(``audit_head``) is updated in the same transaction, and updating it first serialises writers on
both SQLite and PostgreSQL. :func:`verify_chain` recomputes every hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from beian.registry.db import AuditHead, AuditRow, utcnow

__all__ = ["GENESIS", "AuditProblem", "append_audit", "row_hash", "verify_chain"]

GENESIS = "0" * 64


def row_hash(prev: str, seq: int, at: dt.datetime, actor: str, action: str, target: str,
             detail: str) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, target, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def append_audit(db: Session, actor: str, action: str, target: str,
                 detail: dict[str, Any] | None = None) -> AuditRow:
    """Append one row inside the caller's transaction."""
    res = db.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one_or_none()
    if res is None:
        db.add(AuditHead(id=1, seq=1, last_hash=GENESIS))
        db.flush()
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(res[0]), str(res[1])
    at = utcnow()
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    h = row_hash(prev, seq, at, actor, action, target, text)
    row = AuditRow(seq=seq, at=at, actor=actor, action=action, target=target, detail=text,
                   prev_hash=prev, hash=h)
    db.add(row)
    db.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=h))
    return row


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str


def verify_chain(db: Session) -> tuple[int, list[AuditProblem]]:
    """Recompute the chain; returns (rows checked, problems)."""
    problems: list[AuditProblem] = []
    prev, expected_seq, n = GENESIS, 1, 0
    for row in db.scalars(select(AuditRow).order_by(AuditRow.seq)).yield_per(1000):
        n += 1
        if row.seq != expected_seq:
            problems.append(AuditProblem(row.seq, f"序号不连续：应为 {expected_seq}"))
        if row.prev_hash != prev:
            problems.append(AuditProblem(row.seq, "前一行哈希不符（行被删除、插入或改动）"))
        h = row_hash(row.prev_hash, row.seq, row.at, row.actor, row.action, row.target,
                     row.detail)
        if h != row.hash:
            problems.append(AuditProblem(row.seq, "本行内容与哈希不符（行被篡改）"))
        prev, expected_seq = row.hash, row.seq + 1
    head = db.get(AuditHead, 1)
    if head is not None and (head.seq != n or head.last_hash != prev):
        problems.append(AuditProblem(n, "链尾与记录不符（末尾的行被删除）"))
    return n, problems
