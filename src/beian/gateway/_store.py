"""The record store: every exchange kept in SQLite with its sensitive fields encrypted.

Every exchange is written twice: when the request arrives (outcome ``in_progress``, the request
alone, its id listed in ``inflight`` with the process that serves it) and when it ends, whatever
the end (``ok``, ``blocked_*``, ``upstream_error``, ``client_disconnected``, ``timeout``,
``shutdown``, ``crash``). A process killed in between leaves its exchanges in ``inflight``;
:meth:`RecordStore.recover` (run when a gateway starts) marks those of processes that no longer
exist ``crash``. Lone surrogates (``\ud800``, valid JSON but not text) are replaced with U+FFFD
before a record is encoded, so no record is lost to them.

Exchanges are written by one background thread in batches, so the request path only puts a
record on a queue; :meth:`RecordStore.flush` waits until everything queued is on disk and
:meth:`RecordStore.close` flushes before it returns. Opt-out lookups on the request path use a
read connection of their own (WAL readers never wait for the writer) and always ask the database,
so several gateway processes sharing the file see each other's opt-outs at once. User ids are
stored as a keyed hash (to find a user's records and opt-out) plus an encrypted copy; request, response and error text are
encrypted with :class:`beian.crypto.FieldCipher` bound to the record id.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beian._shared.sqlite import connect as connect_sqlite
from beian.crypto import FieldCipher, HashAlgorithm, KeyRing, keyed_hash
from beian.errors import ConfigError
from beian.gateway._config import RecordsConfig

__all__ = ["Exchange", "RecordStore"]

log = logging.getLogger("beian.gateway.records")

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS exchanges (
  id TEXT PRIMARY KEY, user_hash TEXT, user_enc TEXT, started REAL NOT NULL, finished REAL NOT NULL,
  model TEXT, stream INTEGER NOT NULL, outcome TEXT NOT NULL, http_status INTEGER NOT NULL,
  decisions TEXT NOT NULL, training_opt_out INTEGER NOT NULL,
  request_enc TEXT NOT NULL, response_enc TEXT NOT NULL, error_enc TEXT);
CREATE INDEX IF NOT EXISTS exchanges_started ON exchanges(started);
CREATE INDEX IF NOT EXISTS exchanges_user ON exchanges(user_hash);
CREATE TABLE IF NOT EXISTS opt_outs (user_hash TEXT PRIMARY KEY, opted_out INTEGER NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS opt_out_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, user_hash TEXT NOT NULL, opted_out INTEGER NOT NULL,
  at REAL NOT NULL, via TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inflight (id TEXT PRIMARY KEY, pid INTEGER NOT NULL, started REAL NOT NULL);
CREATE TABLE IF NOT EXISTS purges (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, cutoff REAL NOT NULL, removed INTEGER NOT NULL);
"""
_SENSITIVE = ("request", "response", "sent", "error")
_PURGE_CHUNK = 5000
IN_PROGRESS = "in_progress"
CRASH = "crash"
_CRASHED = "网关进程在这次对话结束前意外退出；记录在网关重新启动时补全，客户端收到的内容不详"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(s: str) -> str:
    """``s`` as UTF-8 can carry it: a lone surrogate becomes U+FFFD."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", s)
    return s


def _utf8(s: str) -> bytes:
    """``s`` in UTF-8, a lone surrogate as U+FFFD (encoded once in the usual case)."""
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", s).encode("utf-8")


def _dumps(obj: Any) -> str:
    return _text(json.dumps(obj, ensure_ascii=False))


# completes an arrival row: the request column only changes when something was protected
_UPDATE = (
    "UPDATE exchanges SET finished = ?, outcome = ?, http_status = ?, decisions = ?, "
    "training_opt_out = ?, response_enc = ?, error_enc = ?, "
    "request_enc = COALESCE(?, request_enc) WHERE id = ?"
)


@dataclass
class _Rows:
    """One batch, encoded (see RecordStore._encode)."""

    full: list[tuple[Any, ...]] = field(default_factory=list)  # whole rows (insert or replace)
    ended: list[tuple[Any, ...]] = field(default_factory=list)  # _UPDATE parameters
    begun: list[tuple[str, int, float]] = field(default_factory=list)  # inflight rows
    gone: list[tuple[str]] = field(default_factory=list)  # ids out of inflight


@dataclass(frozen=True)
class _Begun:
    """An exchange as it arrived (queued for writing; never changes afterwards)."""

    ex: Exchange


@dataclass
class Exchange:
    """One request/response pair as the gateway saw it."""

    id: str
    started: float
    user: str | None = None
    model: str = ""
    stream: bool = False
    outcome: str = "ok"  # ok | blocked_input | blocked_output | upstream_error | client_error | ...
    http_status: int = 200
    request: dict[str, Any] = field(default_factory=dict)  # the client's body, as received
    forwarded: list[Any] | None = None  # messages after PII protection, when changed
    response: str = ""  # the full text the model produced (what reached the gateway)
    sent: str = ""  # the text that reached the client (labels included)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    finished: float = 0.0
    training_opt_out: bool = False
    # pseudonym token → the user's value, to restore in the answer; kept in memory only (the
    # request, stored encrypted, already holds the values)
    restore: dict[str, str] = field(default_factory=dict, repr=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class RecordStore:
    """SQLite-backed records, encrypted fields, retention purge and training opt-outs."""

    def __init__(
        self,
        path: str | Path,
        ring: KeyRing,
        *,
        cipher: str = "aes-256-gcm",
        hash_algorithm: HashAlgorithm = "hmac-sha256",
        batch: int = 512,
        gather_s: float = 0.02,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cipher = FieldCipher(ring, algorithm=cipher)  # type: ignore[arg-type]
        self.hash_algorithm = hash_algorithm
        self._batch = batch
        self._gather_s = gather_s
        self._lock = threading.Lock()
        self._db = self._connect()
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)
            # INSERT OR IGNORE: another process (a gateway worker) may create the file at once
            first = {"schema_version": SCHEMA_VERSION, "hash_kid": ring.active}
            self._db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", first.items())
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        hash_kid = meta["hash_kid"]
        if hash_kid not in ring.keys:
            raise ConfigError(
                f"记录库用密钥 {hash_kid} 计算用户标识，但密钥环中没有该密钥",
                where=str(self.path),
                fix="请使用创建记录库时的密钥环（轮换后旧密钥须保留）",
            )
        self._hash_key = ring.key(hash_kid)
        self._reader_lock = threading.Lock()
        self._reader = self._connect()
        self._queue: queue.Queue[Exchange | _Begun | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self.write_errors = 0
        self._begun: set[str] = set()  # arrival rows written, not yet completed (writer only)
        self.on_backlog: Callable[[int], None] | None = None  # told after each written batch
        self._writer = threading.Thread(target=self._run, name="beian-gateway-records", daemon=True)
        self._writer.start()

    @classmethod
    def open(cls, config: RecordsConfig, ring: KeyRing | None = None) -> RecordStore:
        """The store a gateway config names (key ring: ``ring``, else the config's key file or
        the environment)."""
        return cls(
            config.path,
            ring or KeyRing.resolve(config.key_file),
            cipher=config.cipher,
            hash_algorithm=config.hash_algorithm,
        )

    def _connect(self) -> sqlite3.Connection:
        return connect_sqlite(self.path)

    # -- users ---------------------------------------------------------------------------
    def user_hash(self, user: str) -> str:
        return keyed_hash(_text(user), self._hash_key, self.hash_algorithm)

    def is_opted_out(self, user: str | None) -> bool:
        """The user's current choice, as stored (another gateway process may have set it)."""
        if not user:
            return False
        with self._reader_lock:
            row = self._reader.execute(
                "SELECT opted_out FROM opt_outs WHERE user_hash = ?", (self.user_hash(user),)
            ).fetchone()
        return bool(row and row[0])

    def set_opt_out(self, user: str, opted_out: bool, *, via: str) -> None:
        """Record the user's choice about training use of their inputs (an event is kept)."""
        h, now = self.user_hash(user), time.time()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO opt_outs VALUES (?, ?, ?) ON CONFLICT(user_hash) DO UPDATE SET "
                "opted_out = excluded.opted_out, updated = excluded.updated",
                (h, int(opted_out), now),
            )
            self._db.execute(
                "INSERT INTO opt_out_events (user_hash, opted_out, at, via) VALUES (?, ?, ?, ?)",
                (h, int(opted_out), now, via),
            )

    def opt_out_events(self, user: str) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT opted_out, at, via FROM opt_out_events WHERE user_hash = ? ORDER BY seq",
            (self.user_hash(user),),
        )
        return [{"opted_out": bool(r[0]), "at": r[1], "via": r[2]} for r in rows]

    # -- writing -------------------------------------------------------------------------
    def begin(self, ex: Exchange) -> None:
        """Queue the record of an exchange that has just arrived (``in_progress``); ``ex`` is
        written as it is now, so only its request may be set yet."""
        arrived = Exchange(
            id=ex.id, started=ex.started, user=ex.user, model=ex.model, stream=ex.stream,
            outcome=IN_PROGRESS, request=ex.request, training_opt_out=ex.training_opt_out,
        )  # fmt: skip
        self._put(_Begun(arrived))

    def submit(self, ex: Exchange) -> None:
        """Queue an exchange that has ended for writing (never blocks on the disk)."""
        self._put(ex)

    def _put(self, item: Exchange | _Begun) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(item)

    def recover(self) -> int:
        """Mark ``crash`` the exchanges left in progress by processes that no longer exist
        (killed, or out of power); how many were marked."""
        self.flush()
        me = os.getpid()
        with self._lock:
            rows = self._db.execute("SELECT id, pid FROM inflight").fetchall()
        dead = [rid for rid, pid in rows if pid != me and not _alive(pid)]
        for rid in dead:
            with self._lock, self._db:
                self._db.execute(
                    "UPDATE exchanges SET outcome = ?, http_status = 0, error_enc = ? "
                    "WHERE id = ? AND outcome = ?",
                    (CRASH, self.cipher.encrypt(_CRASHED, aad=rid), rid, IN_PROGRESS),
                )
                self._db.execute("DELETE FROM inflight WHERE id = ?", (rid,))
        if dead:
            log.warning("%d 条进行中的对话记录属于已退出的网关进程，已标为 crash", len(dead))
        return len(dead)

    @property
    def backlog(self) -> int:
        return self._pending

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted exchange is written; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout=60)
        with self._lock:
            self._db.close()
        with self._reader_lock:
            self._reader.close()

    def _run(self) -> None:
        stop = False
        while not stop:
            item = self._queue.get()
            batch: list[Exchange | _Begun] = []
            if item is None:
                stop = True
            else:
                batch.append(item)
                # let a batch gather: one wake-up and one commit per batch, not per exchange,
                # keeps this thread off the event loop's back under load
                time.sleep(self._gather_s)
            while len(batch) < self._batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            if batch:
                self._write(batch)

    def _write(self, batch: list[Exchange | _Begun]) -> None:
        rows = self._encode(batch)
        while True:
            try:
                with self._lock, self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO exchanges VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        rows.full,
                    )
                    if rows.ended:
                        self._db.executemany(_UPDATE, rows.ended)
                    if rows.begun:
                        self._db.executemany("INSERT OR REPLACE INTO inflight VALUES (?,?,?)",
                                             rows.begun)  # fmt: skip
                    if rows.gone:
                        self._db.executemany("DELETE FROM inflight WHERE id = ?", rows.gone)
                break
            except sqlite3.Error as exc:  # disk full, locked: keep the records and retry
                self.write_errors += 1
                log.error("记录写入失败，1 秒后重试：%s（%d 条）", exc, len(batch))
                time.sleep(1.0)
        self._begun.update(rid for rid, _, _ in rows.begun)
        self._begun.difference_update(rid for (rid,) in rows.gone)
        with self._idle:
            self._pending -= len(batch)
            self._idle.notify_all()
        if self.on_backlog is not None:
            self.on_backlog(self._pending)

    def _encode(self, batch: list[Exchange | _Begun]) -> _Rows:
        """The batch as rows: an exchange that arrived and ended in it is one row; one whose
        arrival row is already written is completed by an update (its request, unchanged, is
        not encrypted again)."""
        rows = _Rows()
        done = {x.id for x in batch if isinstance(x, Exchange)}
        pid = os.getpid()
        held = time.perf_counter()
        for item in batch:
            ex = item.ex if isinstance(item, _Begun) else item
            try:
                if isinstance(item, _Begun):
                    if ex.id in done:
                        continue  # it also ended in this batch: one row, written once
                    rows.full.append(self._row(ex))
                    rows.begun.append((ex.id, pid, ex.started))
                elif ex.id in self._begun:
                    rows.ended.append(self._ending(ex))
                    rows.gone.append((ex.id,))
                else:
                    rows.full.append(self._row(ex))
                    rows.gone.append((ex.id,))
            except Exception:  # never silently: the id is logged and counted (see /healthz)
                self.write_errors += 1
                log.exception("记录 %s 无法编码，未写入", ex.id)
            # give the GIL back every ~0.3 ms of encoding: otherwise the event loop, woken by a
            # request, waits up to the interpreter's switch interval (5 ms) while a batch encodes
            if time.perf_counter() - held > 0.0003:
                time.sleep(0)
                held = time.perf_counter()
        return rows

    def _enc(self, text: str, rid: str) -> str:
        return self.cipher.encrypt(_utf8(text), aad=rid)

    def _row(self, ex: Exchange) -> tuple[Any, ...]:
        body = {"request": ex.request, "forwarded": ex.forwarded}
        return (
            ex.id,
            self.user_hash(ex.user) if ex.user else None,
            self._enc(ex.user, ex.id) if ex.user else None,
            ex.started,
            ex.finished or time.time(),
            ex.model,
            int(ex.stream),
            ex.outcome,
            ex.http_status,
            _dumps(ex.decisions),
            int(ex.training_opt_out),
            self._enc(json.dumps(body, ensure_ascii=False), ex.id),
            *self._outcome(ex),
        )

    def _outcome(self, ex: Exchange) -> tuple[str, str | None]:
        response = {"response": ex.response, "sent": ex.sent}
        return (
            self._enc(json.dumps(response, ensure_ascii=False), ex.id),
            self._enc(ex.error, ex.id) if ex.error else None,
        )

    def _ending(self, ex: Exchange) -> tuple[Any, ...]:
        """The update that completes an arrival row (see ``_UPDATE``)."""
        request = None
        if ex.forwarded is not None:  # what went upstream joins the request column
            body = {"request": ex.request, "forwarded": ex.forwarded}
            request = self._enc(json.dumps(body, ensure_ascii=False), ex.id)
        return (
            ex.finished or time.time(), ex.outcome, ex.http_status, _dumps(ex.decisions),
            int(ex.training_opt_out), *self._outcome(ex), request, ex.id,
        )  # fmt: skip

    # -- reading -------------------------------------------------------------------------
    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _decode(self, row: tuple[Any, ...]) -> Exchange:
        (rid, _uh, user_enc, started, finished, model, stream, outcome, status, decisions,
         opt_out, req_enc, resp_enc, err_enc) = row  # fmt: skip
        dec = self.cipher.decrypt
        body = json.loads(dec(req_enc, aad=rid))
        response = json.loads(dec(resp_enc, aad=rid))
        return Exchange(
            id=rid,
            started=started,
            finished=finished,
            user=dec(user_enc, aad=rid) if user_enc else None,
            model=model,
            stream=bool(stream),
            outcome=outcome,
            http_status=status,
            request=body["request"],
            forwarded=body["forwarded"],
            response=response["response"],
            sent=response["sent"],
            decisions=json.loads(decisions),
            error=dec(err_enc, aad=rid) if err_enc else None,
            training_opt_out=bool(opt_out),
        )

    def get(self, record_id: str) -> Exchange | None:
        rows = self._query("SELECT * FROM exchanges WHERE id = ?", (record_id,))
        return self._decode(rows[0]) if rows else None

    def count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM exchanges")[0][0])

    def raw_row(self, record_id: str) -> dict[str, Any] | None:
        """The stored columns as they are on disk (ciphertext), for inspection."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM exchanges WHERE id = ?", (record_id,))
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        return dict(zip(names, row, strict=True)) if row else None

    def exchanges(
        self,
        *,
        user: str | None = None,
        since: float | None = None,
        limit: int | None = None,
        training: bool = False,
    ) -> Iterator[Exchange]:
        """Decrypted exchanges, oldest first; ``training=True`` leaves out opted-out users."""
        sql, args = "SELECT * FROM exchanges WHERE 1=1", list[Any]()
        if user is not None:
            sql += " AND user_hash = ?"
            args.append(self.user_hash(user))
        if since is not None:
            sql += " AND started >= ?"
            args.append(since)
        if training:  # finished exchanges only, of users who have not opted out
            sql += f" AND outcome NOT IN ('{IN_PROGRESS}', '{CRASH}')"
            sql += " AND training_opt_out = 0 AND (user_hash IS NULL OR user_hash NOT IN "
            sql += "(SELECT user_hash FROM opt_outs WHERE opted_out = 1))"
        sql += " ORDER BY started"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for row in self._query(sql, tuple(args)):
            yield self._decode(row)

    # -- retention -----------------------------------------------------------------------
    def purge(self, retention_days: int, now: float | None = None) -> int:
        """Delete exchanges older than the retention period; the purge itself is recorded."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * 86400.0
        self.flush()
        removed = 0
        while True:  # in short transactions: other writers (other workers) wait milliseconds
            with self._lock, self._db:
                n = self._db.execute(
                    "DELETE FROM exchanges WHERE rowid IN "
                    "(SELECT rowid FROM exchanges WHERE started < ? LIMIT ?)",
                    (cutoff, _PURGE_CHUNK),
                ).rowcount
            removed += n
            if n < _PURGE_CHUNK:
                break
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO purges (at, cutoff, removed) VALUES (?, ?, ?)", (now, cutoff, removed)
            )
        return removed

    def purges(self) -> list[dict[str, Any]]:
        rows = self._query("SELECT at, cutoff, removed FROM purges ORDER BY seq")
        return [{"at": a, "cutoff": c, "removed": r} for a, c, r in rows]
