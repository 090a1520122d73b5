"""One SQLite opener: the same settings for every part's file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from beian._shared.sqlite import connect


def _pragma(conn: sqlite3.Connection, name: str) -> object:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.mark.parametrize(("durable", "synchronous"), [(False, 1), (True, 2)])  # NORMAL, FULL
def test_settings(tmp_path: Path, durable: bool, synchronous: int) -> None:
    conn = connect(tmp_path / "sub" / "a.db", durable=durable)
    assert _pragma(conn, "journal_mode") == "wal"
    assert _pragma(conn, "synchronous") == synchronous
    assert _pragma(conn, "foreign_keys") == 1
    assert _pragma(conn, "busy_timeout") == 30000
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE c (p INTEGER REFERENCES p(id))")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO c VALUES (1)")


def test_usable_from_another_thread_and_autocommit(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db", autocommit=True)
    conn.execute("CREATE TABLE t (x)")
    err: list[BaseException] = []

    def write() -> None:
        try:
            conn.execute("INSERT INTO t VALUES (1)")
        except BaseException as exc:  # pragma: no cover - the failure being tested for
            err.append(exc)

    t = threading.Thread(target=write)
    t.start()
    t.join()
    assert not err
    other = sqlite3.connect(tmp_path / "a.db")  # committed without an explicit commit
    assert other.execute("SELECT count(*) FROM t").fetchone()[0] == 1
