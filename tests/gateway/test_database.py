"""The gateway's stores on SQLite and PostgreSQL (the same tests on both, issue 21 item 5): an
exchange in two writes, crash recovery by the next start on this host and across hosts, records
files of the previous version."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from beian.crypto import FieldCipher, KeyRing
from beian.errors import ConfigError
from beian.gateway import AccessConfig, ComplaintsConfig, Exchange, RecordStore, RightsConfig
from beian.gateway._access import AdminGuard
from beian.gateway._complaints import ComplaintDesk, TooManyComplaints
from beian.gateway._feedback import Feedback
from beian.gateway._rights import RightsDesk

DATA = Path(__file__).parent / "data"


def _store(database: str, ring: KeyRing) -> RecordStore:
    return RecordStore(database, ring, gather_s=0.0)


def test_records_and_opt_outs_on_both_databases(database: str) -> None:
    ring = KeyRing.generate()
    store = _store(database, ring)
    try:
        now = time.time()
        store.begin(Exchange(id="r1", started=now - 2, user="ann", request={"q": "问一"}))
        store.flush()
        assert store.get("r1").outcome == "in_progress"  # type: ignore[union-attr]
        raw = store.raw_row("r1")
        assert raw is not None and raw["host"] == socket.gethostname() and raw["pid"] == os.getpid()
        assert "问一" not in str(raw)  # encrypted at rest
        store.submit(Exchange(id="r1", started=now - 2, user="ann", request={"q": "问一"},
                              forwarded=[{"role": "user", "content": "[PHONE]"}],
                              response="答一", sent="答一【标识】", finished=now - 1))  # fmt: skip
        store.submit(Exchange(id="r2", started=now, user="bob", response="答二"))
        store.submit(Exchange(id="old", started=now - 400 * 86400))
        store.flush()
        got = store.get("r1")
        assert got is not None and got.outcome == "ok" and got.sent == "答一【标识】"
        assert got.request == {"q": "问一"} and got.forwarded == [{"role": "user", "content": "[PHONE]"}]
        assert store.count() == 3
        store.set_opt_out("bob", True, via="api")
        assert store.is_opted_out("bob") and not store.is_opted_out("ann")
        assert [e.id for e in store.exchanges(training=True)] == ["old", "r1"]
        assert [e.id for e in store.exchanges(user="bob")] == ["r2"]
        assert [e.id for e in store.exchanges(since=now - 3, limit=1)] == ["r1"]
        assert store.purge(183) == 1 and store.count() == 2
        assert store.purges()[0]["removed"] == 1
        assert [ev["via"] for ev in store.opt_out_events("bob")] == ["api"]
    finally:
        store.close()


_LOG_WRITES = {  # a trigger logs every row written to exchanges (what the database did)
    "sqlite": [
        "CREATE TABLE row_writes (op TEXT NOT NULL)",
        "CREATE TRIGGER log_insert AFTER INSERT ON exchanges "
        "BEGIN INSERT INTO row_writes VALUES ('INSERT'); END",
        "CREATE TRIGGER log_update AFTER UPDATE ON exchanges "
        "BEGIN INSERT INTO row_writes VALUES ('UPDATE'); END",
        "CREATE TRIGGER log_delete AFTER DELETE ON exchanges "
        "BEGIN INSERT INTO row_writes VALUES ('DELETE'); END",
    ],
    "postgresql": [
        "CREATE TABLE row_writes (seq SERIAL PRIMARY KEY, op TEXT NOT NULL)",
        "CREATE FUNCTION log_write() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN INSERT INTO row_writes (op) VALUES (TG_OP); RETURN NULL; END $$",
        "CREATE TRIGGER log_write AFTER INSERT OR UPDATE OR DELETE ON exchanges "
        "FOR EACH ROW EXECUTE FUNCTION log_write()",
    ],
}


def test_an_exchange_costs_two_writes(database: str) -> None:
    """Arrival: one insert; completion: one update of the same row (no in-flight table)."""
    store = _store(database, KeyRing.generate())
    try:
        with store.engine.begin() as conn:
            for sql in _LOG_WRITES[store.engine.dialect.name]:
                conn.exec_driver_sql(sql)
        ex = Exchange(id="w1", started=time.time(), user="ann")
        store.begin(ex)
        store.flush()
        ex.outcome, ex.response = "ok", "答"
        store.submit(ex)
        store.flush()
        with store.engine.connect() as conn:
            order = "rowid" if store.engine.dialect.name == "sqlite" else "seq"
            writes = [op for (op,) in conn.exec_driver_sql(f"SELECT op FROM row_writes ORDER BY {order}")]
        assert writes == ["INSERT", "UPDATE"]
        assert store.get("w1").response == "答"  # type: ignore[union-attr]
    finally:
        store.close()


_KILLED = """
import os, sys
from beian.crypto import KeyRing
from beian.gateway import Exchange, RecordStore
store = RecordStore(sys.argv[1], KeyRing.load(sys.argv[2]))
for i in range(3):
    store.begin(Exchange(id=f"k{i}", started=float(i), user="ann"))
store.flush()
os._exit(0)  # killed: no close, the three stay in progress
"""


def test_the_next_start_marks_a_dead_process_exchanges_crash(database: str, tmp_path: Path) -> None:
    ring = KeyRing.generate()
    ring.save(tmp_path / "keys.json")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", _KILLED, database, str(tmp_path / "keys.json")],
                   check=True, env=env, timeout=60)  # fmt: skip
    store = _store(database, ring)
    try:
        assert [e.outcome for e in store.exchanges()] == ["in_progress"] * 3
        assert store.recover() == 3
        got = list(store.exchanges())
        assert [e.outcome for e in got] == ["crash"] * 3
        assert all("意外退出" in (e.error or "") and e.http_status == 0 for e in got)
        assert store.recover() == 0
    finally:
        store.close()


def test_another_hosts_exchanges_are_marked_only_once_its_heartbeat_is_stale(database: str) -> None:
    store = RecordStore(database, KeyRing.generate(), gather_s=0.0, stale_s=60.0)
    try:
        store.begin(Exchange(id="h1", started=time.time(), user="ann"))
        store.flush()
        with store.engine.begin() as conn:  # as if gateway-b (pid 4242) had written it
            conn.execute(text("UPDATE exchanges SET host = 'gateway-b', pid = 4242"))
            conn.execute(text("INSERT INTO gateway_processes VALUES ('gateway-b', 4242, 0, :s)"),
                         {"s": time.time()})  # fmt: skip
        assert store.recover() == 0  # gateway-b is alive: its exchange is still running
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE gateway_processes SET seen = :s WHERE host = 'gateway-b'"),
                         {"s": time.time() - 61})  # fmt: skip
        assert store.recover() == 1
        assert store.get("h1").outcome == "crash"  # type: ignore[union-attr]
        # on this host, a live process that signs no life is no gateway (a reused process id)
        store.begin(Exchange(id="h2", started=time.time(), user="ann"))
        store.flush()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE exchanges SET pid = :p WHERE id = 'h2'"), {"p": os.getppid()})
        assert store.recover() == 1
        assert store.get("h2").outcome == "crash"  # type: ignore[union-attr]
    finally:
        store.close()


def test_complaints_rights_links_and_lockouts_on_both_databases(database: str, tmp_path: Path) -> None:
    ring = KeyRing.generate()
    store = _store(database, ring)
    rules = ComplaintsConfig(rate_limit=2, keyword_candidates="kw.csv")
    desk = ComplaintDesk(database, FieldCipher(ring), 15, rules=rules)
    rights = RightsDesk(store, RightsConfig(notice_version="v2", rate_limit=3))
    links = Feedback(desk, database, tmp_path / "kw.csv", None)
    guard = AdminGuard(database)
    try:
        c = desk.submit("内容", contact="13900000000", client="c1", user_hash="u1")
        desk.submit("内容二", client="c1")
        with pytest.raises(TooManyComplaints):
            desk.submit("内容三", client="c1")
        assert desk.by_token(c.token or "") is not None and desk.filed_by("u1")[0].ticket == c.ticket
        assert desk.update(c.ticket, "已办结", "已处理").history[-1]["note"] == "已处理"
        assert [x.ticket for x in desk.list("已办结")] == [c.ticket]
        assert len(desk.overdue(now=time.time() + 30 * 86400)) == 1
        old = c.token
        assert desk.reissue(c.ticket).token != old and desk.by_token(old or "") is None
        link = links.keyword(c.ticket, "新词", "A1a")
        assert links.links(c.ticket) == [link]
        # rights and consents
        store.submit(Exchange(id="e1", started=time.time(), user="ann", request={"q": "私事"}))
        store.flush()
        assert rights.consent("ann", "accept", "v2", via="api") is None
        assert rights.consent_state("ann")["consented"]
        assert rights.correct("ann", "e1", "应为……").kind == "correct"
        erased = rights.erase("ann")
        assert erased.erased == ["e1"]
        kept = rights.retained("e1")
        assert kept is not None and kept["ticket"] == erased.ticket
        assert store.get("e1").request == {}  # type: ignore[union-attr]
        assert "e1" in rights.erased(["e1"]) and rights.corrections("ann")["e1"][0]["text"] == "应为……"
        assert len(rights.requests(user="ann")) == 2
        assert rights.close_request(erased.ticket, "已办结", "完成").result == "完成"
        store.purge(1, now=time.time() + 2 * 86400)
        assert rights.purge_orphans() == 2
        # admin lockout
        access = AccessConfig(admin_max_failures=2)
        tokens = ("right-token",)
        assert not guard.check(tokens, "wrong", "1.2.3.4", access).ok
        locked = guard.check(tokens, "wrong", "1.2.3.4", access)
        assert locked.retry_after > 0
        assert guard.check(tokens, "right-token", "1.2.3.4", access).retry_after > 0
        assert guard.check(tokens, "right-token", "5.6.7.8", access).ok
    finally:
        guard.close()
        links.close()
        desk.close()
        rights.close()
        store.close()


def test_a_records_file_of_the_previous_version_opens(tmp_path: Path) -> None:
    """``legacy-records.db`` was written by the version with the ``inflight`` table (see
    data/make_legacy_records.py): everything in it reads, its in-flight row is folded in."""
    db = tmp_path / "gw.db"
    shutil.copy(DATA / "legacy-records.db", db)
    ring = KeyRing.load(DATA / "legacy-keys.json")
    ticket, token = (DATA / "legacy-ticket.txt").read_text().split()
    store = _store(str(db), ring)
    desk = ComplaintDesk(db, store.cipher, 15)
    try:
        old = store.get("legacy-ok")
        assert old is not None and old.sent == "旧回答【本内容由人工智能生成】" and old.user == "ann"
        assert store.is_opted_out("bob") and not store.is_opted_out("ann")
        assert RightsDesk(store, RightsConfig()).consents("ann")[0]["notice_version"] == "v1"
        c = desk.by_token(token)
        assert c is not None and c.ticket == ticket and c.contact == "13900000000"
        raw = store.raw_row("legacy-inflight")
        assert raw is not None and raw["outcome"] == "in_progress"
        assert raw["host"] == socket.gethostname() and raw["pid"]
        pid_alive = _alive(int(raw["pid"]))
        assert store.recover() == (0 if pid_alive else 1)
        # new exchanges go into the same file
        store.submit(Exchange(id="new", started=time.time(), user="ann"))
        store.flush()
        assert [e.id for e in store.exchanges(user="ann")][-1] == "new"
    finally:
        desk.close()
        store.close()
    import sqlite3

    with sqlite3.connect(db) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "inflight" not in tables and "gateway_processes" in tables


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def test_a_store_on_an_unreachable_server_says_so() -> None:
    with pytest.raises(ConfigError, match="无法打开记录库") as got:
        RecordStore("postgresql://nobody:secret@127.0.0.1:1/none", KeyRing.generate())
    assert "secret" not in str(got.value) and "127.0.0.1:1" in str(got.value)




@pytest.mark.postgres
def test_opt_out_lookups_survive_a_dropped_server_connection(pg_database: str) -> None:
    """The request path's opt-out lookup holds a connection of its own; when the server drops
    it (a restart, a failover), the next lookup reconnects instead of failing the request."""
    store = _store(pg_database, KeyRing.generate())
    try:
        store.set_opt_out("ann", True, via="api")
        assert store.is_opted_out("ann")
        backend = store._opt_outs._conn.info.backend_pid  # type: ignore[attr-defined]
        with store.engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend})
        assert store.is_opted_out("ann") and not store.is_opted_out("bob")
    finally:
        store.close()


@pytest.mark.postgres
def test_record_writes_survive_a_dropped_server_connection(pg_database: str) -> None:
    """The record writer holds a connection of its own too: a batch that fails on a dropped
    connection is kept, counted and written again on a new one."""
    store = _store(pg_database, KeyRing.generate())
    try:
        ex = Exchange(id="d1", started=time.time(), user="ann")
        store.begin(ex)
        assert store.flush(10)
        backend = store._writes._conn.info.backend_pid  # type: ignore[attr-defined]
        with store.engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend})
        ex.outcome, ex.response = "ok", "答"
        store.submit(ex)
        store.begin(Exchange(id="d2", started=time.time()))
        assert store.flush(10)
        assert store.write_errors == 1
        got = store.get("d1")
        assert got is not None and got.outcome == "ok" and got.response == "答"
        assert store.get("d2").outcome == "in_progress"  # type: ignore[union-attr]
    finally:
        store.close()
