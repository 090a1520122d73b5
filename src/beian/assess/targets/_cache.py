"""The response cache: SQLite keyed by target identity + messages, so a rerun never asks twice."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

from beian._shared.sqlite import connect as connect_sqlite
from beian.assess.targets._base import Response

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

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
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
        with self._lock:
            row = self._db.execute(
                "SELECT response FROM responses WHERE key = ?", (key,)
            ).fetchone()
        return Response.from_dict(json.loads(row[0])) if row else None

    def get_many(self, keys: list[str]) -> dict[str, Response]:
        out: dict[str, Response] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(
                    f"SELECT key, response FROM responses WHERE key IN ({marks})", chunk
                ):
                    out[key] = Response.from_dict(json.loads(blob))
        return out

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
