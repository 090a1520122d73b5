"""The training opt-out of a request's user is asked off the event loop, in batches, and still
holds across gateway hosts sharing one database (SQLite file and PostgreSQL): a choice made
through one gateway is the next record's flag on another at once, unless a cache is configured,
and then within ``records.opt_out_cache_s``. The client is the unmodified ``openai`` SDK."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import openai
import pytest
from sqlalchemy import create_engine, text

from beian.crypto import KeyRing
from beian.gateway import RunningGateway

from .conftest import MakeGateway

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
