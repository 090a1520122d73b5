"""Records: encrypted at rest, survive a restart, purged after retention, opt-out honoured."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from beian.crypto import KeyRing, is_token
from beian.errors import ConfigError
from beian.gateway import Exchange, RecordStore

from .conftest import MakeGateway, form_token, records, sdk


def test_sensitive_fields_are_encrypted_at_rest(make_gateway: MakeGateway, tmp_path: Path) -> None:
    g = make_gateway()
    sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "我的秘密问题"}], user="carol"
    )
    (rec,) = records(g)
    raw = g.gateway.store.raw_row(rec.id)
    assert raw is not None
    for col in ("request_enc", "response_enc", "user_enc"):
        assert is_token(raw[col])
    assert raw["user_hash"] != "carol" and len(raw["user_hash"]) == 64
    db_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("gw.db*"))
    assert "我的秘密问题".encode() not in db_bytes and b"carol" not in db_bytes


def test_records_survive_a_restart(make_gateway: MakeGateway, tmp_path: Path) -> None:
    ring = KeyRing.generate()
    g1 = make_gateway(ring=ring)
    ids = []
    for q in ("第一个问题", "第二个问题"):
        raw = sdk(g1).chat.completions.with_raw_response.create(
            model="m", messages=[{"role": "user", "content": q}], user="dave"
        )
        ids.append(raw.headers["x-beian-record-id"])
    g1.gateway.store.flush()
    g1.gateway.store.close()  # as on shutdown
    # a new gateway process on the same file and key ring
    store = RecordStore(tmp_path / "gw.db", ring)
    try:
        got = list(store.exchanges(user="dave"))
        assert [r.id for r in got] == ids
        assert [r.request["messages"][0]["content"] for r in got] == ["第一个问题", "第二个问题"]
    finally:
        store.close()


def test_store_refuses_a_ring_without_its_hash_key(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "r.db", KeyRing.generate("a"))
    store.close()
    with pytest.raises(ConfigError) as exc:
        RecordStore(tmp_path / "r.db", KeyRing.generate("b"))
    assert "密钥" in exc.value.what and exc.value.fix


def test_purge_removes_only_expired_records(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "p.db", KeyRing.generate())
    now = time.time()
    for i, age_days in enumerate((400, 200, 182, 10, 0)):
        store.submit(Exchange(id=f"r{i}", started=now - age_days * 86400, request={"i": i}))
    assert store.flush()
    assert store.purge(183, now=now) == 2
    assert sorted(e.id for e in store.exchanges()) == ["r2", "r3", "r4"]
    assert store.purges()[-1]["removed"] == 2
    store.close()


def test_purge_job_runs_in_the_gateway(make_gateway: MakeGateway) -> None:
    g = make_gateway(records={"purge_interval_s": 0.05, "retention_days": 183})
    store = g.gateway.store
    purges = len(store.purges())
    store.submit(Exchange(id="old", started=time.time() - 200 * 86400))
    deadline = time.time() + 5
    while len(store.purges()) < purges + 2 and time.time() < deadline:
        time.sleep(0.05)
    assert store.get("old") is None and sum(p["removed"] for p in store.purges()) == 1


def test_opt_out_is_honoured_and_recorded(make_gateway: MakeGateway) -> None:
    g = make_gateway()
    client = sdk(g)
    client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "a"}], user="erin"
    )
    r = httpx.post(g.root_url + "/privacy/opt-out", json={"user": "erin", "opted_out": True})
    assert r.status_code == 200 and r.json()["opted_out"] is True
    client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "b"}], user="erin"
    )
    client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "c"}], user="fay"
    )
    store = g.gateway.store
    store.flush()
    assert [e.training_opt_out for e in store.exchanges(user="erin")] == [False, True]
    # the opt-out covers the user's earlier records, too
    assert [e.user for e in store.exchanges(training=True)] == ["fay"]
    assert [ev["opted_out"] for ev in store.opt_out_events("erin")] == [True]
    # one click on the page switches it back
    page = httpx.get(g.root_url + "/privacy/opt-out", params={"user": "erin"})
    assert "不用于训练" in page.text and page.text.count("<button") == 1
    back = httpx.post(
        g.root_url + "/privacy/opt-out",
        data={"user": "erin", "opted_out": "0", "form_token": form_token(page.text)},
        follow_redirects=True,
    )
    assert "允许用于训练" in back.text
    assert [ev["via"] for ev in store.opt_out_events("erin")] == ["api", "web"]


def test_database_is_plain_sqlite(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "s.db", KeyRing.generate())
    store.submit(Exchange(id="x", started=time.time()))
    store.flush()
    store.close()
    with sqlite3.connect(tmp_path / "s.db") as db:
        assert db.execute("SELECT id, outcome FROM exchanges").fetchall() == [("x", "ok")]


def test_an_opt_out_made_by_another_store_on_the_file_holds_at_once(tmp_path: Path) -> None:
    """Worker processes each open the records file: one's opt-out is the other's answer."""
    ring = KeyRing.generate()
    a = RecordStore(tmp_path / "s.db", ring)
    b = RecordStore(tmp_path / "s.db", ring)
    try:
        assert not a.is_opted_out("gail") and not b.is_opted_out("gail")
        a.set_opt_out("gail", True, via="api")
        assert b.is_opted_out("gail") and a.is_opted_out("gail")
        b.set_opt_out("gail", False, via="web")
        assert not a.is_opted_out("gail")
        assert not a.is_opted_out(None) and not a.is_opted_out("")
        assert [ev["via"] for ev in a.opt_out_events("gail")] == ["api", "web"]
    finally:
        a.close()
        b.close()
