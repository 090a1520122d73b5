"""The record store: every exchange kept in the gateway's database, its sensitive fields encrypted.

The database is a SQLite file or a PostgreSQL server (``records.url``; see :mod:`._db`), which
several gateway processes on several hosts may share. Every exchange is written twice: when the
request arrives (outcome ``in_progress``, the request alone, with the host and process serving
it) and when it ends, whatever the end (``ok``, ``blocked_*``, ``upstream_error``,
``client_disconnected``, ``timeout``, ``shutdown``, ``crash``): an insert and an update of one
row. A process killed in between leaves its exchanges ``in_progress``; :meth:`RecordStore.recover`
(run when a gateway starts; see :mod:`._recovery`) marks ``crash`` those of processes that no
longer exist: on this host, a process id that is gone; on another host, a process whose last sign of life (each writer
refreshes its row in ``gateway_processes`` every ``heartbeat_s``) is older than ``stale_s``. Lone
surrogates (``\ud800``, valid JSON but not text) are replaced with U+FFFD before a record is
encoded, so no record is lost to them.

Exchanges are written by one background thread in batches (never on the event loop), so the
request path only puts a record on a queue; :meth:`RecordStore.flush` waits until everything
queued is written and :meth:`RecordStore.close` flushes before it returns. Opt-out lookups read
without waiting for the writer (SQLite: WAL readers) and always ask the database, so gateway
processes sharing it see each other's opt-outs at once; the request path asks through
:class:`~._optouts.OptOutLookup` (off the event loop, batched: :meth:`RecordStore.opted_out_among`). User ids are stored as a keyed
hash (to find a user's records and opt-out) plus an encrypted copy; request, response and error
text are encrypted with :class:`beian.crypto.FieldCipher` bound to the record id.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from beian._shared.database import is_database_url
from beian.crypto import FieldCipher, HashAlgorithm, KeyRing, keyed_hash
from beian.errors import ConfigError
from beian.gateway._config import RecordsConfig
from beian.gateway._db import (
    IN_PROGRESS,
    DirectReader,
    DirectWriter,
    dialect_upsert,
    exchanges,
    insert_ignore,
    meta,
    open_database,
    opt_out_events,
    opt_outs,
    processes,
    purges,
    release_engine,
    shown_url,
    upsert,
)
from beian.gateway._recovery import CRASH, mark_crashed

__all__ = ["Exchange", "RecordStore"]

log = logging.getLogger("beian.gateway.records")

SCHEMA_VERSION = "1"  # the meta row; the schema itself grows in place (see _db.ensure_schema)
_SENSITIVE = ("request", "response", "sent", "error")
_PURGE_CHUNK = 5000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# the columns an Exchange is read from (a database may have more: host, pid)
_COLUMNS = (
    "id", "user_hash", "user_enc", "started", "finished", "model", "stream", "outcome",
    "http_status", "decisions", "training_opt_out", "request_enc", "response_enc", "error_enc",
)  # fmt: skip
_READ = [exchanges.c[n] for n in _COLUMNS]
x = exchanges.c
# completes an arrival row: the request column only changes when something was protected
_UPDATE = (
    update(exchanges)
    .where(x.id == bindparam("b_id"))
    .values(
        finished=bindparam("finished"), outcome=bindparam("outcome"),
        http_status=bindparam("http_status"), decisions=bindparam("decisions"),
        training_opt_out=bindparam("training_opt_out"), response_enc=bindparam("response_enc"),
        error_enc=bindparam("error_enc"),
        request_enc=func.coalesce(bindparam("b_request"), x.request_enc),
    )
)  # fmt: skip
_OPTED_OUT = select(opt_outs.c.opted_out).where(opt_outs.c.user_hash == bindparam("h"))
_AMONG_MAX = 64  # user hashes asked about in one query
_among: dict[int, Any] = {}


def _opted_out_among(n: int) -> Any:
    """The opted-out hashes among ``n`` bound ones, as one comma-joined string (so the request
    path's reader, which reads one value, can run it); built once per ``n``."""
    got = _among.get(n)
    if got is None:
        c = opt_outs.c
        # literals, not parameters: the statement is compiled once and run on the driver
        comma: Any = literal_column("','")
        joined = func.aggregate_strings(c.user_hash, comma)  # group_concat / string_agg
        hashes: list[Any] = [bindparam(f"h{i}") for i in range(n)]
        got = _among[n] = select(joined).where(
            c.opted_out == literal_column("1"), c.user_hash.in_(hashes)
        )
    return got


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


@dataclass
class _Rows:
    """One batch, encoded (see RecordStore._encode)."""

    full: list[dict[str, Any]] = field(default_factory=list)  # whole rows (insert or replace)
    ended: list[dict[str, Any]] = field(default_factory=list)  # _UPDATE parameters
    begun: list[str] = field(default_factory=list)  # arrival rows (ids)
    gone: list[str] = field(default_factory=list)  # ids completed


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


class RecordStore:
    """Records in SQLite or PostgreSQL: encrypted fields, retention purge and training opt-outs.

    ``path``: a SQLite file, or a database URL (``sqlite:///…``, ``postgresql://…``).
    """

    def __init__(
        self,
        path: str | Path,
        ring: KeyRing,
        *,
        cipher: str = "aes-256-gcm",
        hash_algorithm: HashAlgorithm = "hmac-sha256",
        batch: int = 512,
        gather_s: float = 0.02,
        heartbeat_s: float = 30.0,
        stale_s: float = 300.0,
    ) -> None:
        self.path: str | Path = path if is_database_url(path) else Path(path)
        self.cipher = FieldCipher(ring, algorithm=cipher)  # type: ignore[arg-type]
        self.hash_algorithm = hash_algorithm
        self._batch = batch
        self._gather_s = gather_s
        self._heartbeat_s = heartbeat_s
        self._stale_s = stale_s
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.engine: Engine = open_database(path)
        # reads never wait for the writer (SQLite: BEGIN deferred under WAL)
        self._reads = self.engine.execution_options(beian_read=True)
        try:
            with self.engine.begin() as conn:
                # another process (a gateway worker, another host) may create it at once
                first = {"schema_version": SCHEMA_VERSION, "hash_kid": ring.active}
                conn.execute(insert_ignore(conn, meta),
                             [{"key": k, "value": v} for k, v in first.items()])  # fmt: skip
                got = {k: v for k, v in conn.execute(select(meta.c.key, meta.c.value))}
        except BaseException:
            release_engine(self.engine)
            raise
        hash_kid = got["hash_kid"]
        if hash_kid not in ring.keys:
            release_engine(self.engine)
            raise ConfigError(
                f"记录库用密钥 {hash_kid} 计算用户标识，但密钥环中没有该密钥",
                where=shown_url(path),
                fix="请使用创建记录库时的密钥环（轮换后旧密钥须保留）",
            )
        self._hash_key = ring.key(hash_kid)
        self._opt_outs = DirectReader(self.engine)  # asked for every request naming a user
        self.on_opt_out: Callable[[str], None] | None = None  # told a user hash whose choice changed
        self._writes = DirectWriter(self.engine)  # the writer thread's
        self._write_errors: tuple[type[BaseException], ...] = (*self._writes.errors, SQLAlchemyError)
        self._upsert = dialect_upsert(self.engine.dialect.name, exchanges, "id")
        # put twice per exchange on the event loop: the C queue and a plain lock (queue.Queue
        # and an RLock-based condition cost several times more per put)
        self._queue: queue.SimpleQueue[Exchange | _Begun | None] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition(threading.Lock())
        self.write_errors = 0
        self._begun: set[str] = set()  # arrival rows written, not yet completed (writer only)
        self.on_backlog: Callable[[int], None] | None = None  # told after each written batch
        self._seen = 0.0  # when this process's row in gateway_processes was last refreshed
        self._started = time.time()
        self._writer = threading.Thread(target=self._run, name="beian-gateway-records", daemon=True)
        self._writer.start()

    @classmethod
    def open(cls, config: RecordsConfig, ring: KeyRing | None = None) -> RecordStore:
        """The store a gateway config names (key ring: ``ring``, else the config's key file or
        the environment)."""
        return cls(
            config.database,
            ring or KeyRing.resolve(config.key_file),
            cipher=config.cipher,
            hash_algorithm=config.hash_algorithm,
        )

    # -- users ---------------------------------------------------------------------------
    def user_hash(self, user: str) -> str:
        return keyed_hash(_text(user), self._hash_key, self.hash_algorithm)

    def is_opted_out(self, user: str | None) -> bool:
        """The user's current choice, as stored (another gateway process may have set it)."""
        if not user:
            return False
        return bool(self._opt_outs.scalar(_OPTED_OUT, {"h": self.user_hash(user)}))

    def opted_out_among(self, hashes: list[str]) -> set[str]:
        """The user hashes among ``hashes`` whose users have opted out: one query for up to
        64 (sizes rounded up to a power of two, so a few statements serve every batch)."""
        out: set[str] = set()
        for i in range(0, len(hashes), _AMONG_MAX):
            part = hashes[i : i + _AMONG_MAX]
            n = 1 << (len(part) - 1).bit_length()
            args = {f"h{j}": part[min(j, len(part) - 1)] for j in range(n)}
            got = self._opt_outs.scalar(_opted_out_among(n), args)
            if got:
                out.update(str(got).split(","))
        return out

    def set_opt_out(self, user: str, opted_out: bool, *, via: str) -> None:
        """Record the user's choice about training use of their inputs (an event is kept)."""
        h, now = self.user_hash(user), time.time()
        with self.engine.begin() as conn:
            conn.execute(upsert(conn, opt_outs, "user_hash"),
                         {"user_hash": h, "opted_out": int(opted_out), "updated": now})  # fmt: skip
            conn.execute(insert(opt_out_events), {"user_hash": h, "opted_out": int(opted_out),
                                                  "at": now, "via": via})  # fmt: skip
        if self.on_opt_out is not None:
            self.on_opt_out(h)

    def opt_out_events(self, user: str) -> list[dict[str, Any]]:
        e = opt_out_events.c
        q = select(e.opted_out, e.at, e.via).where(e.user_hash == self.user_hash(user))
        rows = self._query(q.order_by(e.seq))
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
        (killed, or out of power; see :mod:`._recovery`); how many were marked."""
        self.flush()
        return mark_crashed(self.engine, self._reads, self.cipher,
                            host=self.host, pid=self.pid, stale_s=self._stale_s)  # fmt: skip

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
        try:  # a clean end: nothing of this process is left in progress
            with self.engine.begin() as conn:
                conn.execute(delete(processes).where(processes.c.host == self.host,
                                                     processes.c.pid == self.pid))  # fmt: skip
        except SQLAlchemyError as exc:
            log.warning("网关进程登记未能删除：%s", exc)
        self._opt_outs.close()
        self._writes.close()
        release_engine(self.engine)

    def _heartbeat(self) -> None:
        """Refresh this process's sign of life (other hosts' recover reads it)."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                conn.execute(upsert(conn, processes, ("host", "pid")), {
                    "host": self.host, "pid": self.pid, "started": self._started, "seen": now})
        except SQLAlchemyError as exc:
            log.warning("网关进程登记未能刷新：%s", exc)
            return
        self._seen = now

    def _run(self) -> None:
        stop = False
        self._heartbeat()
        while not stop:
            try:
                item = self._queue.get(timeout=self._heartbeat_s)
            except queue.Empty:
                self._heartbeat()
                continue
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
            if time.time() - self._seen > self._heartbeat_s:
                self._heartbeat()

    def _write(self, batch: list[Exchange | _Begun]) -> None:
        rows = self._encode(batch)
        while True:
            try:
                self._writes.write([(self._upsert, rows.full), (_UPDATE, rows.ended)])
                break
            except self._write_errors as exc:  # disk full, locked, server gone: keep them, retry
                self.write_errors += 1
                log.error("记录写入失败，1 秒后重试：%s（%d 条）", exc, len(batch))
                time.sleep(1.0)
        self._begun.update(rows.begun)
        self._begun.difference_update(rows.gone)
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
        held = time.perf_counter()
        for item in batch:
            ex = item.ex if isinstance(item, _Begun) else item
            try:
                if isinstance(item, _Begun):
                    if ex.id in done:
                        continue  # it also ended in this batch: one row, written once
                    rows.full.append(self._row(ex))
                    rows.begun.append(ex.id)
                elif ex.id in self._begun:
                    rows.ended.append(self._ending(ex))
                    rows.gone.append(ex.id)
                else:
                    rows.full.append(self._row(ex))
                    rows.gone.append(ex.id)
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

    def _row(self, ex: Exchange) -> dict[str, Any]:
        body = {"request": ex.request, "forwarded": ex.forwarded}
        response_enc, error_enc = self._outcome(ex)
        return {
            "id": ex.id,
            "user_hash": self.user_hash(ex.user) if ex.user else None,
            "user_enc": self._enc(ex.user, ex.id) if ex.user else None,
            "started": ex.started,
            "finished": ex.finished or time.time(),
            "model": ex.model,
            "stream": int(ex.stream),
            "outcome": ex.outcome,
            "http_status": ex.http_status,
            "decisions": _dumps(ex.decisions),
            "training_opt_out": int(ex.training_opt_out),
            "request_enc": self._enc(json.dumps(body, ensure_ascii=False), ex.id),
            "response_enc": response_enc,
            "error_enc": error_enc,
            "host": self.host,
            "pid": self.pid,
        }

    def _outcome(self, ex: Exchange) -> tuple[str, str | None]:
        response = {"response": ex.response, "sent": ex.sent}
        return (
            self._enc(json.dumps(response, ensure_ascii=False), ex.id),
            self._enc(ex.error, ex.id) if ex.error else None,
        )

    def _ending(self, ex: Exchange) -> dict[str, Any]:
        """The update that completes an arrival row (see ``_UPDATE``)."""
        request = None
        if ex.forwarded is not None:  # what went upstream joins the request column
            body = {"request": ex.request, "forwarded": ex.forwarded}
            request = self._enc(json.dumps(body, ensure_ascii=False), ex.id)
        response_enc, error_enc = self._outcome(ex)
        return {
            "b_id": ex.id, "finished": ex.finished or time.time(), "outcome": ex.outcome,
            "http_status": ex.http_status, "decisions": _dumps(ex.decisions),
            "training_opt_out": int(ex.training_opt_out), "response_enc": response_enc,
            "error_enc": error_enc, "b_request": request,
        }  # fmt: skip

    # -- reading -------------------------------------------------------------------------
    def _query(self, stmt: Any, args: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self._reads.connect() as conn:
            return [tuple(r) for r in conn.execute(stmt, args or {})]

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
        rows = self._query(select(*_READ).where(x.id == record_id))
        return self._decode(rows[0]) if rows else None

    def count(self) -> int:
        return int(self._query(select(func.count()).select_from(exchanges))[0][0])

    def raw_row(self, record_id: str) -> dict[str, Any] | None:
        """The stored columns as they are in the database (ciphertext), for inspection."""
        with self._reads.connect() as conn:
            row = conn.execute(select(exchanges).where(x.id == record_id)).mappings().first()
        return dict(row) if row else None

    def exchanges(
        self,
        *,
        user: str | None = None,
        since: float | None = None,
        limit: int | None = None,
        training: bool = False,
    ) -> Iterator[Exchange]:
        """Decrypted exchanges, oldest first; ``training=True`` leaves out opted-out users."""
        q = select(*_READ)
        if user is not None:
            q = q.where(x.user_hash == self.user_hash(user))
        if since is not None:
            q = q.where(x.started >= since)
        if training:  # finished exchanges only, of users who have not opted out
            out = select(opt_outs.c.user_hash).where(opt_outs.c.opted_out == 1)
            q = q.where(x.outcome.not_in((IN_PROGRESS, CRASH)), x.training_opt_out == 0,
                        or_(x.user_hash.is_(None), x.user_hash.not_in(out)))  # fmt: skip
        q = q.order_by(x.started)
        if limit is not None:
            q = q.limit(int(limit))
        for row in self._query(q):
            yield self._decode(row)

    # -- retention -----------------------------------------------------------------------
    def purge(self, retention_days: int, now: float | None = None) -> int:
        """Delete exchanges older than the retention period; the purge itself is recorded."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * 86400.0
        self.flush()
        removed = 0
        old = select(x.id).where(x.started < cutoff).limit(_PURGE_CHUNK)
        while True:  # in short transactions: other writers (other workers) wait milliseconds
            with self.engine.begin() as conn:
                n = conn.execute(delete(exchanges).where(x.id.in_(old))).rowcount
            removed += n
            if n < _PURGE_CHUNK:
                break
        with self.engine.begin() as conn:
            conn.execute(insert(purges), {"at": now, "cutoff": cutoff, "removed": removed})
        return removed

    def purges(self) -> list[dict[str, Any]]:
        rows = self._query(select(purges.c.at, purges.c.cutoff, purges.c.removed).order_by(purges.c.seq))
        return [{"at": a, "cutoff": c, "removed": r} for a, c, r in rows]
