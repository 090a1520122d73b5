"""Issue 18: anonymous objections cannot block or reopen a filing by themselves. They wait in
a queue; a reviewer accepts one (review reopens) or declines it (the notice runs on)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from beian.errors import InputError
from beian.registry import Conflict, Forbidden, RegistryError
from beian.registry.api import create_app
from tests.registry.conftest import World, in_notice

D = dt.date


def _state(world: World, pid: str) -> str:
    return str(world.reg.applications.get(world.actors["reviewer"], pid)["state"])


def test_a_flood_of_objections_changes_nothing_until_screened(any_world: World,
                                                              tmp_path: Path) -> None:
    reg, reviewer = any_world.reg, any_world.actors["reviewer"]
    pid = in_notice(any_world, tmp_path)
    ids = [reg.lifecycle.object(pid, f"匿名{i}", f"反对{i}", source=f"192.0.2.{i}")
           for i in range(40)]
    assert _state(any_world, pid) == "in_public_notice"  # not one reopened review
    held = reg.lifecycle.tick(D(2025, 10, 14))
    assert held == [{"id": pid, "action": "held", "objections": 40}]
    for oid in ids:  # the office declines them …
        reg.lifecycle.screen_objection(reviewer, pid, oid, False, "无具体事实，不予受理")
    done = reg.lifecycle.tick(D(2025, 10, 14))  # … and the filing goes ahead
    assert done[0]["action"] == "file" and done[0]["number"].startswith("Beijing-")
    events = [e["action"] for e in reg.applications.events(any_world.actors["auditor"], pid)]
    assert events[-1] == "file" and "accept_objection" not in events


def test_only_an_accepted_objection_reopens_review(world: World, tmp_path: Path) -> None:
    reg, a = world.reg, world.actors
    pid = in_notice(world, tmp_path)
    first = reg.lifecycle.object(pid, "张三", "训练语料来源存疑")
    second = reg.lifecycle.object(pid, "李四", "同上")
    r = reg.lifecycle.screen_objection(a["reviewer"], pid, first, True, "涉及语料来源")
    assert r == {"status": "open", "state": "objection_review"}
    # a second accepted objection joins the review already open
    r = reg.lifecycle.screen_objection(a["reviewer"], pid, second, True, "一并复核")
    assert r == {"status": "open", "state": "objection_review"}
    with pytest.raises(Conflict, match="已甄别"):
        reg.lifecycle.screen_objection(a["reviewer"], pid, first, False, "改变主意")
    reg.lifecycle.act(a["approver"], pid, "uphold_objection", "语料来源不合规")
    assert _state(world, pid) == "under_review"
    statuses = [o["status_label"] for o in reg.applications.objections(a["reviewer"], pid)]
    assert statuses == ["成立", "成立"]


@pytest.mark.parametrize("who", ["applicant", "approver", "inspector", "sh_reviewer"])
def test_only_a_reviewer_of_the_province_screens(world: World, tmp_path: Path,
                                                 who: str) -> None:
    pid = in_notice(world, tmp_path)
    oid = world.reg.lifecycle.object(pid, "张三", "理由")
    with pytest.raises(RegistryError) as exc:
        world.reg.lifecycle.screen_objection(world.actors[who], pid, oid, True, "受理")
    assert exc.value.status in (403, 404)  # out of province: not even visible
    assert _state(world, pid) == "in_public_notice"


def test_screening_needs_a_reason_and_is_not_a_plain_action(world: World,
                                                            tmp_path: Path) -> None:
    pid = in_notice(world, tmp_path)
    oid = world.reg.lifecycle.object(pid, "张三", "理由")
    with pytest.raises(InputError):
        world.reg.lifecycle.screen_objection(world.actors["reviewer"], pid, oid, False, " ")
    with pytest.raises(Forbidden):  # accepting is tied to one objection, never a bare button
        world.reg.lifecycle.act(world.actors["reviewer"], pid, "accept_objection", "受理")
    got = world.reg.applications.get(world.actors["reviewer"], pid)
    assert "accept_objection" not in [t["action"] for t in got["actions"]]


def test_screening_over_the_api(world: World, tmp_path: Path) -> None:
    pid = in_notice(world, tmp_path)
    client = TestClient(create_app(world.reg))
    r = client.post(f"/api/v1/public/notices/{pid}/objections",
                    json={"name": "张三", "text": "理由"})
    assert r.status_code == 201 and _state(world, pid) == "in_public_notice"
    token, _ = world.login("reviewer")
    url = f"/api/v1/applications/{pid}/objections/{r.json()['id']}/screen"
    got = client.post(url, headers={"Authorization": f"Bearer {token}"},
                      json={"accept": True, "note": "受理"})
    assert got.status_code == 200 and got.json() == {"status": "open",
                                                     "state": "objection_review"}
