"""Reads do not queue behind writers: on SQLite a read-only transaction begins deferred (WAL),
so a list or a session check answers while another request holds the write lock."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import text

from beian.registry.api import create_app
from beian.registry.api._schemas import AppOut, PublicOut
from tests.registry.conftest import World, in_notice, write_lock_held, write_package, zip_dir


def test_a_read_does_not_wait_for_a_writer(world: World) -> None:
    reg = world.reg
    token, _ = world.login("applicant")
    with write_lock_held(reg):
        started = time.perf_counter()
        assert reg.accounts.actor_for(token) is not None
        assert reg.applications.list_for(world.actors["reviewer"]) == []
        assert reg.public.notices() == []
        assert time.perf_counter() - started < 2  # not the 30 s busy timeout


def test_read_answers_are_what_the_response_models_encode(any_world: World,
                                                         tmp_path: Path) -> None:
    """The busiest reads encode the library's values directly: byte for byte what FastAPI
    sent when it validated them with the response model and encoded them (keys in the model's
    order, dates and times as ISO text, enums as values)."""
    reg, a = any_world.reg, any_world.actors
    in_notice(any_world, tmp_path / "filed")
    assert [r["action"] for r in reg.lifecycle.tick(dt.date(2025, 10, 14))] == ["file"]
    noticed = in_notice(any_world, tmp_path / "notice", model="notice-model", service="公示中服务")
    reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "draft")))
    client = TestClient(create_app(reg))
    tokens = {who: any_world.login(who)[0] for who in ("applicant", "reviewer")}

    def same(path: str, model: Any, want: Any, who: str | None = None) -> None:
        h = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        r = client.get(path, headers=h)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        ta = TypeAdapter(model)
        assert r.content == ta.dump_json(ta.validate_python(want)), path

    same("/api/v1/public/notices", list[PublicOut], reg.public.notices())
    same("/api/v1/public/filed", list[PublicOut], reg.public.filed())
    assert len(reg.public.filed()) == len(reg.public.notices()) == 1
    for who in ("applicant", "reviewer"):
        apps = reg.applications.list_for(a[who])
        assert len(apps) == (3 if who == "applicant" else 2)  # the draft is the applicant's
        same("/api/v1/applications", list[AppOut], apps, who)
        same(f"/api/v1/applications/{noticed}", dict[str, Any],
             reg.applications.get(a[who], noticed), who)
        same(f"/api/v1/applications/{noticed}/events", list[dict[str, Any]],
             reg.applications.events(a[who], noticed), who)
    first = client.get("/api/v1/applications", headers={
        "Authorization": f"Bearer {tokens['reviewer']}"}).json()[0]
    assert list(first) == list(AppOut.model_fields)


def test_reads_have_worker_threads_of_their_own(world: World) -> None:
    """With every other worker thread busy (``write_workers`` of them, here one, held by a
    checklist write), a further write waits while the busiest reads are still answered from
    their own ``read_workers`` threads."""
    import httpx

    from beian._shared.serve import serve_in_thread

    reg = world.reg
    reg.policy.write_workers = 1
    token = world.login("reviewer")[0]
    h = {"Authorization": f"Bearer {token}"}
    entered, release = threading.Semaphore(0), threading.Event()
    calls: list[int] = []

    def held_set_check(actor: Any, app_id: str, item_id: int, status: str, note: str) -> None:
        calls.append(item_id)
        entered.release()
        release.wait(20)

    reg.applications.set_check = held_set_check  # type: ignore[method-assign]
    app_id = "0" * 32
    with serve_in_thread(create_app(reg), log_level="warning") as served, \
            httpx.Client(base_url=served.url, headers=h, timeout=20) as client:
        results: list[int] = []

        def write(item: int) -> None:
            results.append(client.put(f"/api/v1/applications/{app_id}/checklist/{item}",
                                      json={"status": "ok", "note": ""}).status_code)

        writers = [threading.Thread(target=write, args=(i,)) for i in (1, 2)]
        try:
            writers[0].start()
            assert entered.acquire(timeout=10)
            writers[1].start()
            for path in ("/api/v1/applications", "/api/v1/public/notices",
                         "/api/v1/public/filed"):
                assert client.get(path).status_code == 200, path
            assert not entered.acquire(timeout=0.3)  # the second write waits for the thread
            assert calls == [1]
        finally:
            release.set()
            for t in writers:
                t.join(20)
    assert sorted(calls) == [1, 2] and results == [204, 204]


def test_worker_threads_keep_their_database_connections(world: World) -> None:
    """As many threads as the served registry has workers reading at once, in bursts with
    pauses between them, open their connections once (SQLAlchemy's default pool keeps five
    idle connections and closed every further one when a burst ended, to open it again at the
    next)."""
    from sqlalchemy import event

    core, policy = world.reg.core, world.reg.policy
    opened: list[object] = []
    event.listen(core.engine, "connect", lambda conn, rec: opened.append(conn))
    threads = policy.read_workers + policy.write_workers + 2
    together = threading.Barrier(threads)

    def read() -> None:
        for _ in range(3):
            with core.rows() as conn:
                conn.execute(text("SELECT 1"))
                together.wait(10)  # every thread holds a connection at this point
            together.wait(10)  # and none does at this one: a burst, then a pause

    workers = [threading.Thread(target=read) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(30)
    assert 0 < len(opened) <= threads


def test_writers_in_one_process_queue_before_sqlite_s_busy_timeout(
        settings: Any, monkeypatch: Any) -> None:
    """Two of this process's writers never meet SQLite's busy handler: the second waits for
    the first in the process (up to the registry's busy timeout, 30 s; with SQLite's own busy
    timeout at 50 ms, the second ``BEGIN IMMEDIATE`` would fail with 'database is locked')."""
    import beian.registry._core as core_module
    from beian.registry import Registry

    make = core_module.make_engine
    monkeypatch.setattr(core_module, "make_engine",
                        lambda url, **kw: make(url, **{**kw, "busy_timeout_s": 0.05}))
    reg = Registry.open(settings)
    try:
        with write_lock_held(reg, seconds=0.5):
            started = time.perf_counter()
            with reg.core.tx() as db:  # waits for the first to commit
                db.execute(text("INSERT INTO counters (key, value) VALUES ('second', 2)"))
                assert time.perf_counter() - started > 0.3
        with reg.core.read() as db:
            assert db.execute(text("SELECT count(*) FROM counters")).scalar() == 1
    finally:
        reg.close()
