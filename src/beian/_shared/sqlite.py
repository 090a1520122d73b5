"""Opening SQLite: one set of settings for every part's database file.

Write-ahead log (readers never wait for a writer), foreign keys enforced, a 30-second wait for
another process's write lock. ``durable`` files (the registry's records) sync every commit
(``synchronous=FULL``); the others (gateway logs, response caches) sync at checkpoints
(``NORMAL``: never corrupt, a power cut may lose the last commits).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["BUSY_TIMEOUT_S", "connect", "pragmas", "set_pragmas"]

BUSY_TIMEOUT_S = 30


def pragmas(*, durable: bool = False) -> tuple[str, ...]:
    """The settings every connection gets (``PRAGMA`` statements without the keyword)."""
    return (
        "journal_mode=WAL",
        f"synchronous={'FULL' if durable else 'NORMAL'}",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_S * 1000}",
    )


def set_pragmas(conn: Any, *, durable: bool = False) -> None:
    """Apply :func:`pragmas` to an open DB-API connection (SQLAlchemy's ``connect`` event)."""
    cur = conn.cursor()
    try:
        for p in pragmas(durable=durable):
            cur.execute(f"PRAGMA {p}")
    finally:
        cur.close()


def connect(
    path: str | os.PathLike[str],
    *,
    durable: bool = False,
    autocommit: bool = False,
) -> sqlite3.Connection:
    """Open (creating its directory) the database file ``path``, usable from any thread.

    ``autocommit`` leaves transactions to explicit ``BEGIN`` statements (``isolation_level=None``);
    otherwise Python's sqlite3 opens them implicitly before writes. A connection shared between
    threads still needs the caller's lock around each use.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        p,
        check_same_thread=False,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None if autocommit else "DEFERRED",
    )
    set_pragmas(conn, durable=durable)
    return conn
