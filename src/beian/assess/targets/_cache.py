"""The response cache: SQLite keyed by target identity + messages, so a rerun never asks twice.

A run's own cache (``cache.sqlite`` in the run directory) would hold every answer a second time
once ``records.jsonl`` is written. :meth:`ResponseCache.compact` then keeps long answers
(``INLINE_MAX_CHARS`` and more) only in the records: the cache row names the answer by its
SHA-256 and a later run reads it back from ``records.jsonl`` (verified against the hash; an answer
that is no longer there is asked again).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from beian._shared.sqlite import connect as connect_sqlite
from beian._shared.tables import iter_jsonl
from beian.assess.targets._base import Response

INLINE_MAX_CHARS = 65536  # answers this long or longer are kept once, in records.jsonl
_IN_RECORDS = "answer_in_records"  # a compacted row: the SHA-256 of the answer kept there

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    qid TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


class ResponseCache:
    """Only final outcomes are stored (errors are retried on the next run).

    Writes go to the write-ahead log. Copying the log into the database (a checkpoint, which
    syncs both files to disk) is left to a background thread with its own connection, every
    ``CHECKPOINT_ROWS`` rows: a writer on an event loop never waits for a disk sync.
    """

    CHECKPOINT_ROWS = 500

    def __init__(
        self, path: str | os.PathLike[str], records: str | os.PathLike[str] | None = None
    ) -> None:
        self.path = Path(path)
        self.records = Path(records) if records is not None else None  # see compact()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = connect_sqlite(self.path, autocommit=True)
        self._db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpoint thread below does it
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()
        self._unchecked = 0  # rows written since the last checkpoint was asked for
        self._wake = threading.Event()
        self._closing = False
        self._checkpointer: threading.Thread | None = None

    def get(self, key: str) -> Response | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: list[str]) -> dict[str, Response]:
        rows: dict[str, dict[str, Any]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(
                    f"SELECT key, response FROM responses WHERE key IN ({marks})", chunk
                ):
                    rows[key] = json.loads(blob)
        kept = self._answers_in_records({d[_IN_RECORDS] for d in rows.values() if _IN_RECORDS in d})
        out: dict[str, Response] = {}
        for key, data in rows.items():
            sha = data.pop(_IN_RECORDS, None)
            if sha is not None:
                if sha not in kept:
                    continue  # no longer in records.jsonl: asked again
                data["answer"] = kept[sha]
            out[key] = Response.from_dict(data)
        return out

    def _answers_in_records(self, wanted: set[str]) -> dict[str, str]:
        """The answers with these SHA-256s, read back from records.jsonl (hash verified)."""
        found: dict[str, str] = {}
        if not wanted or self.records is None or not self.records.is_file():
            return found
        for _, rec in iter_jsonl(self.records):
            sha, answer = rec.get("response_hash"), rec.get("answer")
            if sha in wanted and isinstance(answer, str) and _sha256(answer) == sha:
                found[sha] = answer
        return found

    @staticmethod
    def compact(path: str | os.PathLike[str], records: Iterable[dict[str, Any]]) -> int:
        """Keep the long answers that ``records`` (now in records.jsonl) hold only there; the
        number of cache rows compacted. Run after the cache is closed."""
        in_records = {r["response_hash"] for r in records
                      if len(r.get("answer") or "") >= INLINE_MAX_CHARS}  # fmt: skip
        if not in_records:
            return 0
        db = connect_sqlite(path, autocommit=True)
        try:
            rows = db.execute(
                "SELECT key, response FROM responses WHERE length(response) >= ?",
                (INLINE_MAX_CHARS,),
            ).fetchall()
            updates = []
            for key, blob in rows:
                data = json.loads(blob)
                answer = data.get("answer") or ""
                if len(answer) >= INLINE_MAX_CHARS and (sha := _sha256(answer)) in in_records:
                    data["answer"], data[_IN_RECORDS] = "", sha
                    updates.append((json.dumps(data, ensure_ascii=False), key))
            if updates:
                db.execute("BEGIN")
                db.executemany("UPDATE responses SET response = ? WHERE key = ?", updates)
                db.execute("COMMIT")
                db.execute("VACUUM")  # give the space back: the file holds each answer once
            return len(updates)
        finally:
            db.close()

    def put(self, key: str, qid: str, response: Response) -> None:
        self.put_many([(key, qid, response)])

    def put_many(self, items: list[tuple[str, str, Response]]) -> None:
        """Store final outcomes in one transaction (errors are skipped)."""
        rows = [
            (key, qid, json.dumps(r.to_dict(), ensure_ascii=False))
            for key, qid, r in items
            if r.outcome != "error"
        ]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO responses (key, qid, response) VALUES (?, ?, ?)", rows
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._unchecked += len(rows)
            if self._unchecked >= self.CHECKPOINT_ROWS:
                self._unchecked = 0
                self._ask_checkpoint()

    def _ask_checkpoint(self) -> None:
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(
                target=self._checkpoints, name="beian-cache-checkpoint", daemon=True
            )
            self._checkpointer.start()
        self._wake.set()

    def _checkpoints(self) -> None:
        db = connect_sqlite(self.path, autocommit=True)
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closing:
                    return
                # PASSIVE: copies what it can without blocking writers (SQLite lets go of the GIL)
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            return  # the log is checkpointed when the cache is closed
        finally:
            db.close()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close; the last connection to close checkpoints the log into the database."""
        if self._checkpointer is not None:
            self._closing = True
            self._wake.set()
            self._checkpointer.join()
            self._checkpointer = None
        with self._lock:
            self._db.close()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
