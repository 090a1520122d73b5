"""The response cache: SQLite keyed by target identity + messages, so a rerun never asks twice."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

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
    """Only final outcomes are stored (errors are retried on the next run)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()

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

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
