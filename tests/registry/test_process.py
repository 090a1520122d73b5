"""Issue 18 item 5: the process is policy — ``seed`` (public notice, objections) or ``cac``
(属地 first review → national review → filing, published afterwards in lists; change and
cancellation reported within 10 / 20 working days)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from beian.errors import InputError
from beian.registry import Actor, Conflict, Forbidden, Settings
from beian.registry.domain import Kind, Perm, Policy, Process, Role, State, transition_for
from tests.registry.conftest import World, write_package, zip_dir

S = State
D = dt.date


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.policy = Policy(argon2_time_cost=1, argon2_memory_kib=1024, process=Process.CAC)
    return settings


@pytest.mark.parametrize(("action", "source", "target", "perm", "seed", "cac"), [
    ("recommend", S.UNDER_REVIEW, S.APPROVED_FOR_NOTICE, Perm.REVIEW, True, False),
    ("publish_notice", S.APPROVED_FOR_NOTICE, S.IN_PUBLIC_NOTICE, Perm.APPROVE, True, False),
    ("accept_objection", S.IN_PUBLIC_NOTICE, S.OBJECTION_REVIEW, Perm.REVIEW, True, False),
    ("file", S.IN_PUBLIC_NOTICE, S.FILED, Perm.APPROVE, True, False),
    ("recommend_national", S.UNDER_REVIEW, S.NATIONAL_REVIEW, Perm.REVIEW, False, True),
    ("approve_national", S.NATIONAL_REVIEW, S.FILED, Perm.APPROVE, False, True),
    ("return_to_province", S.NATIONAL_REVIEW, S.UNDER_REVIEW, Perm.APPROVE, False, True),
    ("start_review", S.SUBMITTED, S.UNDER_REVIEW, Perm.REVIEW, True, True),
    ("request_change", S.FILED, S.CHANGE_PENDING, Perm.APPLY, True, True),
    ("deregister", S.FILED, S.DEREGISTERED, Perm.APPLY, True, True),
])
def test_rows_by_process(action: str, source: State, target: State, perm: Perm, seed: bool,
                         cac: bool) -> None:
    for process, present in ((Process.SEED, seed), (Process.CAC, cac)):
        tr = transition_for(action, Kind.FILING, source, process)
        assert (tr is not None) is present, (action, process)
        if tr is not None:
            assert tr.target is target and tr.perm is perm


def _national_approver(world: World) -> Actor:
    org = world.actors["admin"].org_id
    world.reg.accounts.create_user("nat_approver", Role.APPROVER, org,
                                   password="correct-horse-battery")
    return world.reg.accounts.actor("nat_approver")


def _at_national(world: World, tmp_path: Path) -> str:
    reg, a = world.reg, world.actors
    pid = reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "p")))
    reg.lifecycle.act(a["applicant"], pid, "submit")
    reg.lifecycle.act(a["reviewer"], pid, "start_review")
    offered = [t["action"] for t in reg.applications.get(a["reviewer"], pid)["actions"]]
    assert "recommend_national" in offered and "recommend" not in offered
    with pytest.raises(Conflict, match="清单"):
        reg.lifecycle.act(a["reviewer"], pid, "recommend_national", "初审通过")
    for c in reg.applications.checklist(a["reviewer"], pid):
        reg.applications.set_check(a["reviewer"], pid, c["id"], "ok")
    reg.lifecycle.act(a["reviewer"], pid, "recommend_national", "初审通过")
    return pid


def test_cac_two_stages_then_the_number(any_world: World, tmp_path: Path) -> None:
    reg, a = any_world.reg, any_world.actors
    pid = _at_national(any_world, tmp_path)
    assert reg.applications.get(a["reviewer"], pid)["state"] == "national_review"
    with pytest.raises(Forbidden, match="国家网信部门"):  # the province cannot file it itself
        reg.lifecycle.act(a["approver"], pid, "approve_national", "同意")
    with pytest.raises(Conflict):  # no public notice in this process
        reg.lifecycle.act(a["approver"], pid, "publish_notice")
    nat = _national_approver(any_world)
    r = reg.lifecycle.act(nat, pid, "approve_national", "复审通过", today=D(2025, 10, 14))
    assert r["to"] == "filed" and r["number"] == "Beijing-DeepseekChat-202510140001"
    assert reg.public.notices() == []
    assert [f["number"] for f in reg.public.filed()] == [r["number"]]


def test_national_review_can_return_to_the_province(world: World, tmp_path: Path) -> None:
    pid = _at_national(world, tmp_path)
    nat = _national_approver(world)
    world.reg.lifecycle.act(nat, pid, "return_to_province", "请补充语料来源说明")
    assert world.reg.applications.get(world.actors["reviewer"], pid)["state"] == "under_review"


def test_published_lists_by_filing_date(world: World, tmp_path: Path) -> None:
    nat = _national_approver(world)
    numbers = []
    for i, day in enumerate((D(2025, 9, 30), D(2025, 10, 14))):
        pid = _at_national(world, tmp_path / str(i))
        numbers.append(world.reg.lifecycle.act(nat, pid, "approve_national", "通过",
                                               today=day)["number"])
    october = world.reg.public.filed(since=D(2025, 10, 1), until=D(2025, 10, 31))
    assert [f["number"] for f in october] == [numbers[1]]
    assert numbers[0] not in world.reg.public.filed_csv(since=D(2025, 10, 1))


def test_change_and_cancellation_periods(world: World, tmp_path: Path) -> None:
    reg, a = world.reg, world.actors
    pid = _at_national(world, tmp_path)
    reg.lifecycle.act(_national_approver(world), pid, "approve_national", "通过",
                      today=D(2025, 9, 1))
    reg.applications.add_materials(a["applicant"], pid, [("变更说明.txt", "更换基础模型".encode())])
    r = reg.lifecycle.act(a["applicant"], pid, "request_change", "更换基础模型",
                          today=D(2025, 9, 12), effective=D(2025, 9, 2))
    note = reg.applications.events(a["reviewer"], pid)[-1]["note"]
    assert r["to"] == "change_pending" and "至 2025-09-16，按期办理" in note
    reg.lifecycle.act(a["approver"], pid, "approve_change", "同意变更")
    reg.lifecycle.act(a["applicant"], pid, "deregister", "停止服务", today=D(2025, 11, 20),
                      effective=D(2025, 10, 9))
    note = reg.applications.events(a["reviewer"], pid)[-1]["note"]
    assert "逾期办理（应于 2025-11-05 前）" in note
    with pytest.raises(InputError, match="只有申请变更与申请注销"):
        reg.lifecycle.act(a["approver"], pid, "revoke", "x", effective=D(2025, 10, 1))
