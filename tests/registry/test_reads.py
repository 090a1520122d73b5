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
from tests.registry.conftest import World, in_notice, write_package, zip_dir


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
