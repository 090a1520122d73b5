"""The training opt-out of a request's user is asked off the event loop, in batches, and still
holds across gateway hosts sharing one database (SQLite file and PostgreSQL): a choice made
through one gateway is the next record's flag on another at once, unless a cache is configured,
and then within ``records.opt_out_cache_s``. The client is the unmodified ``openai`` SDK."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import openai
import pytest
import yaml
from sqlalchemy import create_engine, text

from beian.crypto import KeyRing
from beian.demo import DemoServer
from beian.gateway import RunningGateway, load_gateway_config

from .conftest import ADMIN, MakeGateway, gateway_config

Pair = tuple[RunningGateway, RunningGateway]


def hosts(make_gateway: MakeGateway, database: str, cache_s: float = 0.0) -> Pair:
    """Two gateways on one database, as two hosts behind a load balancer (the second one with
    ``cache_s``)."""
    ring = KeyRing.generate()
    records = {"url": database} if "://" in database else {"path": database}
    a = make_gateway(ring=ring, records=records)
    b = make_gateway(ring=ring, records={**records, "opt_out_cache_s": cache_s})
    return a, b


def flag(g: RunningGateway, user: str, timeout: float = 10) -> bool:
    """The training opt-out recorded with a request of ``user`` through ``g``."""
    client = openai.OpenAI(base_url=g.base_url, api_key="sk-test", max_retries=0, timeout=timeout)
    resp = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "你好"}], user=user
    )
    rid = resp.headers["X-Beian-Record-Id"]
    g.gateway.store.flush()
    got = g.gateway.store.get(rid)
    assert got is not None
    return got.training_opt_out


def test_an_opt_out_made_on_one_host_holds_on_the_other_at_once(
    make_gateway: MakeGateway, database: str
) -> None:
    a, b = hosts(make_gateway, database)
    assert flag(b, "ann") is False
    a.gateway.store.set_opt_out("ann", True, via="api")
    assert flag(b, "ann") is True and flag(a, "ann") is True
    a.gateway.store.set_opt_out("ann", False, via="web")
    assert flag(b, "ann") is False
    assert b.gateway.opt_outs.queries == 3  # no cache: asked every time


def test_cache_is_bounded_by_its_configured_staleness(
    make_gateway: MakeGateway, database: str
) -> None:
    a, b = hosts(make_gateway, database, cache_s=4.0)
    started = time.monotonic()
    assert flag(b, "bea") is False
    a.gateway.store.set_opt_out("bea", True, via="api")  # on the other host
    assert flag(b, "bea") is False  # B's answer may be up to 4 s old ...
    assert time.monotonic() - started < 4.0 and b.gateway.opt_outs.queries == 1
    time.sleep(max(0.0, started + 4.2 - time.monotonic()))
    assert flag(b, "bea") is True  # ... and no older
    b.gateway.store.set_opt_out("bea", False, via="web")  # through B itself: at once
    assert flag(b, "bea") is False
    assert b.gateway.opt_outs.queries == 3


@pytest.mark.postgres
def test_lookups_wait_off_the_event_loop_and_share_a_query(
    make_gateway: MakeGateway, pg_database: str
) -> None:
    """While the opt-out table is locked the lookups wait, the gateway keeps serving, and the
    requests that arrived meanwhile are answered by one query when the lock goes."""
    a, b = hosts(make_gateway, pg_database)
    users = [f"user{i}" for i in range(8)]
    a.gateway.store.set_opt_out(users[1], True, via="api")
    a.gateway.store.set_opt_out(users[4], True, via="api")
    engine = create_engine(pg_database.replace("postgresql://", "postgresql+psycopg://", 1))
    got: dict[str, bool] = {}
    errors: list[BaseException] = []

    def ask(user: str) -> Callable[[], None]:
        def run() -> None:
            try:
                got[user] = flag(b, user, timeout=60)
            except BaseException as exc:  # reported below
                errors.append(exc)

        return run

    threads = [threading.Thread(target=ask(u)) for u in users]
    try:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE opt_outs IN ACCESS EXCLUSIVE MODE"))
            for t in threads:
                t.start()
            deadline = time.monotonic() + 30
            while b.gateway.opt_outs.pending < len(users):
                assert time.monotonic() < deadline, "the requests did not all arrive"
                time.sleep(0.02)
            started = time.monotonic()
            health = httpx.get(b.root_url + "/healthz", timeout=5)
            assert health.status_code == 200 and time.monotonic() - started < 1.0
            assert not got  # all still waiting for the database
            conn.rollback()  # the lock goes
        for t in threads:
            t.join(60)
    finally:
        engine.dispose()
    assert not errors, errors
    assert got == {u: u in (users[1], users[4]) for u in users}
    assert b.gateway.opt_outs.queries <= 2  # the one held up, and one for all the others


def test_a_change_during_a_cache_sweep_strands_no_request(
    make_gateway: MakeGateway, database: str
) -> None:
    """A choice changed through this process (another thread) while the loop sweeps a full
    cache: no error, the request is answered (the batched lookup, as on PostgreSQL)."""
    _, b = hosts(make_gateway, database, cache_s=60.0)
    lookup = b.gateway.opt_outs
    lookup.inline = False  # SQLite too: the lookup thread and its batches
    changer: list[threading.Thread] = []

    class ChangedMeanwhile(float):
        """A "valid until" whose comparison, made by the sweep, has another thread change a
        cached user's choice (waiting for it a moment): the change lands mid-sweep."""

        def __gt__(self, other: object) -> bool:
            if not changer:
                changer.append(threading.Thread(target=lookup.forget, args=("k1",)))
                changer[0].start()
                changer[0].join(0.5)
            return True

    far = time.monotonic() + 3600
    lookup._cache.update((f"k{i}", (far, False)) for i in range(100_001))
    lookup._cache["k0"] = (ChangedMeanwhile(far), False)
    assert flag(b, "eve", timeout=10) is False
    changer[0].join(5)
    assert not changer[0].is_alive() and "k1" not in lookup._cache


@pytest.mark.postgres
def test_a_hanging_database_fails_closed_after_the_timeout(
    make_gateway: MakeGateway, pg_database: str
) -> None:
    """A lookup waits at most ``opt_out_timeout_s``: the request goes on as an opted-out user's
    (kept out of training use), and the opt-out page does not hold up the event loop."""
    records = {"url": pg_database, "opt_out_timeout_s": 0.5}
    g = make_gateway(records=records)
    engine = create_engine(pg_database.replace("postgresql://", "postgresql+psycopg://", 1))
    page: list[int] = []
    try:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE opt_outs IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            got = flag_unflushed(g, "cat")
            assert time.monotonic() - started < 5.0
            # the page waits for the database in a thread, the gateway keeps serving
            reader = threading.Thread(target=lambda: page.append(httpx.get(
                g.root_url + "/privacy/opt-out", params={"user": "cat"}, timeout=30).status_code))
            reader.start()
            time.sleep(0.3)
            started = time.monotonic()
            assert httpx.get(g.root_url + "/healthz", timeout=5).status_code == 200
            assert time.monotonic() - started < 1.0
            conn.rollback()
        reader.join(30)
    finally:
        engine.dispose()
    assert page == [200]
    assert g.gateway.opt_outs.timeouts == 1
    metrics = httpx.get(g.root_url + "/metrics", headers=ADMIN, timeout=5).text
    assert "beian_gateway_opt_out_timeouts_total 1.0" in metrics  # the fail-closed event, counted
    g.gateway.store.flush()
    rec = g.gateway.store.get(got)
    assert rec is not None and rec.training_opt_out is True


def flag_unflushed(g: RunningGateway, user: str) -> str:
    """The record id of a request of ``user`` (its record written later)."""
    client = openai.OpenAI(base_url=g.base_url, api_key="sk-test", max_retries=0, timeout=20)
    resp = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "你好"}], user=user
    )
    return str(resp.headers["X-Beian-Record-Id"])


def test_lowering_the_cache_bound_on_reload_drops_kept_answers(
    make_gateway: MakeGateway, database: str, tmp_path: Path, upstream: DemoServer
) -> None:
    ring = KeyRing.generate()
    db = {"url": database} if "://" in database else {"path": database}
    a = make_gateway(ring=ring, records=db)
    path = tmp_path / "b.yaml"
    data = gateway_config(tmp_path, upstream.base_url, records={**db, "opt_out_cache_s": 60})
    dumped = data.model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(dumped, allow_unicode=True), "utf-8")
    b = make_gateway(ring=ring, config=load_gateway_config(path))
    assert flag(b, "dan") is False  # kept for 60 s
    a.gateway.store.set_opt_out("dan", True, via="api")  # on the other host
    dumped["records"]["opt_out_cache_s"] = 1
    path.write_text(yaml.safe_dump(dumped, allow_unicode=True), "utf-8")
    assert b.gateway.reload().ok
    assert flag(b, "dan") is True  # not the answer kept under the old bound (60 s)
