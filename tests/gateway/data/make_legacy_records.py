"""Writes legacy-records.db and legacy-keys.json: a records file made by the gateway before its
stores moved to SQLAlchemy (commit 294f0eb, with the separate ``inflight`` table).

Run with that version's sources first on the path, e.g.
``git archive 294f0eb src | tar -x -C /tmp/old && PYTHONPATH=/tmp/old/src python make_legacy_records.py``.
The in-progress exchange is written by a child process that then exits without closing, as a
killed gateway would leave it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import sys
from pathlib import Path

from beian.crypto import FieldCipher, KeyRing
from beian.gateway import Exchange, RecordStore, RightsConfig
from beian.gateway._access import AdminGuard
from beian.gateway._complaints import ComplaintDesk
from beian.gateway._rights import RightsDesk

HERE = Path(__file__).parent
DB, KEYS = HERE / "legacy-records.db", HERE / "legacy-keys.json"


def _killed(ring_path: str) -> None:
    store = RecordStore(DB, KeyRing.load(ring_path))
    store.begin(Exchange(id="legacy-inflight", started=1_700_000_100.0, user="ann",
                         request={"messages": [{"role": "user", "content": "进行中"}]}))  # fmt: skip
    store.flush()
    os._exit(0)  # no close: the arrival row and its inflight row stay


def main() -> None:
    for p in (DB, KEYS, Path(f"{DB}-wal"), Path(f"{DB}-shm")):
        p.unlink(missing_ok=True)
    ring = KeyRing.generate()
    ring.save(KEYS)
    store = RecordStore(DB, ring)
    store.submit(Exchange(
        id="legacy-ok", started=1_700_000_000.0, finished=1_700_000_001.0, user="ann",
        model="m", request={"messages": [{"role": "user", "content": "旧问题"}]},
        response="旧回答", sent="旧回答【本内容由人工智能生成】",
        decisions=[{"stage": "input", "action": "pass"}],
    ))  # fmt: skip
    store.flush()
    store.set_opt_out("bob", True, via="api")
    RightsDesk(store, RightsConfig(notice_version="v1")).consent("ann", "accept", "v1", via="api")
    desk = ComplaintDesk(DB, FieldCipher(ring), 15)
    c = desk.submit("旧投诉内容", category="其他", contact="13900000000")
    desk.close()
    (HERE / "legacy-ticket.txt").write_text(f"{c.ticket}\n{c.token}\n")
    AdminGuard(DB).close()
    store.close()
    child = multiprocessing.get_context("spawn").Process(target=_killed, args=(str(KEYS),))
    child.start()
    child.join()
    with contextlib.closing(sqlite3.connect(DB)) as db:  # the last one out folds the WAL in
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


if __name__ == "__main__":
    sys.exit(main())
