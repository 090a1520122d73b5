"""The keyed, hash-chained audit log: every change and every read of sensitive data.

Row ``n`` stores ``hash = HMAC-SHA256(K, prev_hash | canonical JSON of the row)`` where ``K`` is
derived from the key ring's active key (never stored in the database) and the row records the
key id, so rotation keeps old rows verifiable. Someone who can write to the database but has
not got the key file cannot recompute the chain. The chain head (``audit_head``) is updated in
the same transaction, and updating it first serialises writers on SQLite and PostgreSQL.

What a chain cannot show by itself is a cut-off tail (drop the last rows, point the head at the
row before). Signed checkpoints close that gap: :func:`write_checkpoint` appends the head
(sequence, hash, time, key id, HMAC) as one JSON line to a file outside the database, and
:func:`verify_chain` checks every checkpoint against the rows.

Rows written before keying (key id ``""``, plain SHA-256) are re-keyed once when the registry
is opened with a key file that has not yet been marked ``audit_keyed`` (:func:`rekey_legacy`);
the marker lives in the key file, outside the database, so afterwards every unkeyed row is
reported as forged: a database writer cannot downgrade the chain to plain SHA-256. An empty
chain or a missing head while the database holds accounts or applications (each written with
an audit row) is reported too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from beian.crypto import KeyRing
from beian.errors import InputError
from beian.registry.db import Application, AuditHead, AuditRow, Organization, User, utcnow

__all__ = [
    "GENESIS",
    "AuditProblem",
    "AuditReport",
    "Checkpoint",
    "append_audit",
    "read_checkpoints",
    "rekey_legacy",
    "row_hash",
    "verify_chain",
    "write_checkpoint",
]

GENESIS = "0" * 64
_CONTEXT = b"beian-registry-audit-chain/v1"


def _chain_key(ring: KeyRing, kid: str) -> bytes:
    """A key for the chain alone, derived from key ``kid`` of the ring."""
    return hmac.new(ring.key(kid), _CONTEXT, hashlib.sha256).digest()


def row_hash(prev: str, seq: int, at: dt.datetime, actor: str, action: str, target: str,
             detail: str, key: bytes | None = None) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor, action, target, detail],
        ensure_ascii=False, separators=(",", ":"),
    )
    msg = f"{prev}|{body}".encode()
    if key is None:  # rows written before the chain was keyed
        return hashlib.sha256(msg).hexdigest()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


# built once; run as plain statements on the transaction's connection (every change of the
# registry writes a row: no ORM unit of work or session synchronisation for them)
_BUMP = (update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
         .returning(AuditHead.seq, AuditHead.last_hash))
_START = insert(AuditHead).values(id=1, seq=1, last_hash=GENESIS)
_ROW = insert(AuditRow)
_HEAD = update(AuditHead).where(AuditHead.id == 1).values(last_hash=bindparam("h"))


def append_audit(db: Session, ring: KeyRing, actor: str, action: str, target: str,
                 detail: dict[str, Any] | None = None) -> int:
    """Append one row inside the caller's transaction, keyed with the ring's active key;
    returns its sequence number. Updating the head first serialises writers."""
    conn = db.connection()
    res = conn.execute(_BUMP).one_or_none()
    if res is None:
        conn.execute(_START)
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(res[0]), str(res[1])
    at = utcnow()
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    kid = ring.active
    h = row_hash(prev, seq, at, actor[:80], action, target[:120], text, _chain_key(ring, kid))
    conn.execute(_ROW, {"seq": seq, "at": at, "actor": actor[:80], "action": action,
                        "target": target[:120], "detail": text, "prev_hash": prev, "hash": h,
                        "key_id": kid})
    conn.execute(_HEAD, {"h": h})
    return seq


@dataclass(frozen=True)
class AuditProblem:
    seq: int  # the row; 0 when the problem is the whole log's (or its checkpoint file's)
    problem: str

    @property
    def where(self) -> str:
        """Where it is, in words: 第 N 行, or 整个日志 for seq 0."""
        return f"第 {self.seq} 行" if self.seq else "整个日志"


@dataclass(frozen=True)
class AuditReport:
    """What :meth:`Administration.verify_audit_report` found: rows and checkpoints checked,
    the problems, and warnings (e.g. no checkpoint checked) that are no proof of tampering."""

    rows: int
    problems: list[AuditProblem]
    checkpoints: int
    checkpoint_file: Path  # for the CLI; never shown in the API's or web page's answer
    warnings: list[str]
    # rows after the newest checkpoint checked (all rows when none was): rows deleted from
    # among them would go unnoticed
    uncovered: int = 0


@dataclass(frozen=True)
class Checkpoint:
    """A signed record of the chain head, kept outside the database."""

    seq: int
    hash: str
    at: str
    key_id: str
    mac: str
    line: int = 0

    def body(self) -> bytes:
        return f"checkpoint|{self.seq}|{self.hash}|{self.at}|{self.key_id}".encode()


def write_checkpoint(db: Session, ring: KeyRing, path: Path) -> Checkpoint:
    """Append the current head to ``path`` (JSON lines, created 0600, fsynced)."""
    head = db.get(AuditHead, 1)
    seq, last = (head.seq, head.last_hash) if head is not None else (0, GENESIS)
    at = utcnow().isoformat(timespec="seconds")
    cp = Checkpoint(seq, last, at, ring.active, "")
    mac = hmac.new(_chain_key(ring, ring.active), cp.body(), hashlib.sha256).hexdigest()
    line = json.dumps({"seq": seq, "hash": last, "at": at, "key_id": ring.active, "mac": mac})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(seq, last, at, ring.active, mac)


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoints of ``path``; a malformed line is an :class:`InputError` with its line."""
    out: list[Checkpoint] = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("审计检查点文件不存在", where=str(path),
                         fix="检查路径，或先运行 `beian registry audit checkpoint`") from None
    for n, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            d = json.loads(text)
            out.append(Checkpoint(int(d["seq"]), str(d["hash"]), str(d["at"]),
                                  str(d["key_id"]), str(d["mac"]), n))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise InputError("审计检查点格式错误", where=f"{path}:{n}",
                             fix="该文件只能由 `beian registry audit checkpoint` 追加") from None
    return out


def _row_problems(row: AuditRow, ring: KeyRing) -> list[str]:
    if not row.key_id:  # legacy rows were re-keyed when the key file was marked
        return ["未加密钥的行（行被伪造或降级为普通 SHA-256；升级前的行在首次用密钥文件打开时已重新加密钥）"]
    if row.key_id not in ring.keys:
        return [f"密钥 {row.key_id} 不在密钥环中，无法核验"]
    h = row_hash(row.prev_hash, row.seq, row.at, row.actor, row.action, row.target,
                 row.detail, _chain_key(ring, row.key_id))
    return [] if hmac.compare_digest(h, row.hash) else ["本行内容与哈希不符（行被篡改）"]


def rekey_legacy(db: Session, ring: KeyRing) -> int:
    """Re-key a chain holding rows written before keying (key id ``""``): every row checked
    as written (plain SHA-256 or HMAC), then the whole chain recomputed with HMAC, unkeyed
    rows under the active key. Returns the rows re-keyed; 0 (and nothing changed) when there
    is none or the chain as written does not verify (then :func:`verify_chain` reports it)."""
    rows = list(db.scalars(select(AuditRow).order_by(AuditRow.seq)))
    if not any(not r.key_id for r in rows):
        return 0
    prev = GENESIS
    for r in rows:
        if r.key_id and r.key_id not in ring.keys:
            return 0
        key = _chain_key(ring, r.key_id) if r.key_id else None
        h = row_hash(r.prev_hash, r.seq, r.at, r.actor, r.action, r.target, r.detail, key)
        if r.prev_hash != prev or not hmac.compare_digest(h, r.hash):
            return 0
        prev = r.hash
    prev, n = GENESIS, 0
    for r in rows:
        if not r.key_id:
            r.key_id, n = ring.active, n + 1
        r.prev_hash = prev
        r.hash = row_hash(prev, r.seq, r.at, r.actor, r.action, r.target, r.detail,
                          _chain_key(ring, r.key_id))
        prev = r.hash
    head = db.get(AuditHead, 1)
    if head is not None:
        head.last_hash = prev
    db.flush()
    return n


def _ever_written(db: Session) -> bool:
    """Whether the database holds anything whose creation wrote an audit row."""
    return any(db.execute(select(t.id).limit(1)).first() is not None
               for t in (Organization, User, Application))


def _checkpoint_problems(cp: Checkpoint, ring: KeyRing, hashes: dict[int, str],
                         n: int) -> list[AuditProblem]:
    where = f"检查点第 {cp.line} 行"
    if cp.key_id not in ring.keys:
        return [AuditProblem(cp.seq, f"{where}：密钥 {cp.key_id} 不在密钥环中")]
    mac = hmac.new(_chain_key(ring, cp.key_id), cp.body(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, cp.mac):
        return [AuditProblem(cp.seq, f"{where}：签名无效（检查点被改动）")]
    if cp.seq > n:
        return [AuditProblem(cp.seq, f"{where}：记录只有 {n} 行，检查点之后的行被删除")]
    if cp.seq and hashes.get(cp.seq) != cp.hash:
        return [AuditProblem(cp.seq, f"{where}：该行哈希与检查点不符（链被改写）")]
    return []


def verify_chain(db: Session, ring: KeyRing,
                 checkpoints: list[Checkpoint] | None = None) -> tuple[int, list[AuditProblem]]:
    """Recompute the chain and check it against ``checkpoints``; (rows checked, problems)."""
    problems: list[AuditProblem] = []
    prev, expected_seq, n = GENESIS, 1, 0
    wanted = {cp.seq for cp in checkpoints or []}
    hashes: dict[int, str] = {}
    for row in db.scalars(select(AuditRow).order_by(AuditRow.seq)).yield_per(1000):
        n += 1
        if row.seq != expected_seq:
            problems.append(AuditProblem(row.seq, f"序号不连续：应为 {expected_seq}"))
        if row.prev_hash != prev:
            problems.append(AuditProblem(row.seq, "前一行哈希不符（行被删除、插入或改动）"))
        problems += [AuditProblem(row.seq, p) for p in _row_problems(row, ring)]
        if row.seq in wanted:
            hashes[row.seq] = row.hash
        prev, expected_seq = row.hash, row.seq + 1
    head = db.get(AuditHead, 1)
    if head is not None and (head.seq != n or head.last_hash != prev):
        problems.append(AuditProblem(n, "链尾与记录不符（末尾的行被删除）"))
    elif head is None and n:
        problems.append(AuditProblem(n, "链尾记录（audit_head）缺失"))
    elif head is None and _ever_written(db):
        problems.append(AuditProblem(0, "审计记录为空，但数据库中已有机构、用户或申请（审计记录被清空）"))
    last = n if head is None else head.seq
    for cp in checkpoints or []:
        problems += _checkpoint_problems(cp, ring, hashes, last)
    return n, problems
