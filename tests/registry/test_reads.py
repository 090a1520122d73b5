"""Reads do not queue behind writers: on SQLite a read-only transaction begins deferred (WAL),
so a list or a session check answers while another request holds the write lock."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from tests.registry.conftest import World


def test_a_read_does_not_wait_for_a_writer(world: World) -> None:
    reg = world.reg
    token, _ = world.login("applicant")
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with reg.core.tx() as db:  # BEGIN IMMEDIATE: holds SQLite's write lock
            db.execute(text("UPDATE counters SET value = value WHERE 1 = 0"))
            holding.set()
            release.wait(20)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert holding.wait(10)
        started = time.perf_counter()
        assert reg.accounts.actor_for(token) is not None
        assert reg.applications.list_for(world.actors["reviewer"]) == []
        assert reg.public.notices() == []
        assert time.perf_counter() - started < 2  # not the 30 s busy timeout
    finally:
        release.set()
        t.join(20)
