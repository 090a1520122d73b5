"""The lifecycle: transition table, guards, events with material hashes, scoping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from beian.errors import InputError
from beian.registry import Conflict, Forbidden, NotFound
from beian.registry.domain import (
    TRANSITIONS,
    Kind,
    Perm,
    State,
    actions_from,
    materials_digest,
    transition_for,
)
from tests.registry.conftest import World, write_package, zip_dir

S = State
D = dt.date

# (action, kind, from, to, permission) — the table as the seed process describes it.
EXPECTED = [
    ("submit", Kind.FILING, S.DRAFT, S.SUBMITTED, Perm.APPLY),
    ("start_review", Kind.FILING, S.SUBMITTED, S.UNDER_REVIEW, Perm.REVIEW),
    ("request_supplement", Kind.FILING, S.UNDER_REVIEW, S.SUPPLEMENT_REQUESTED, Perm.REVIEW),
    ("answer_supplement", Kind.FILING, S.SUPPLEMENT_REQUESTED, S.UNDER_REVIEW, Perm.APPLY),
    ("recommend", Kind.FILING, S.UNDER_REVIEW, S.APPROVED_FOR_NOTICE, Perm.REVIEW),
    ("publish_notice", Kind.FILING, S.APPROVED_FOR_NOTICE, S.IN_PUBLIC_NOTICE, Perm.APPROVE),
    ("accept_objection", Kind.FILING, S.IN_PUBLIC_NOTICE, S.OBJECTION_REVIEW, Perm.REVIEW),
    ("start_objection_review", Kind.FILING, S.OBJECTION_RAISED, S.OBJECTION_REVIEW, Perm.REVIEW),
    ("dismiss_objection", Kind.FILING, S.OBJECTION_REVIEW, S.IN_PUBLIC_NOTICE, Perm.APPROVE),
    ("uphold_objection", Kind.FILING, S.OBJECTION_REVIEW, S.UNDER_REVIEW, Perm.APPROVE),
    ("file", Kind.FILING, S.IN_PUBLIC_NOTICE, S.FILED, Perm.APPROVE),
    ("open_inspection", Kind.FILING, S.FILED, S.INSPECTION_OPEN, Perm.INSPECT),
    ("request_rectification", Kind.FILING, S.INSPECTION_OPEN, S.RECTIFICATION_REQUIRED,
     Perm.INSPECT),
    ("submit_rectification", Kind.FILING, S.RECTIFICATION_REQUIRED, S.INSPECTION_OPEN,
     Perm.APPLY),
    ("close_inspection", Kind.FILING, S.INSPECTION_OPEN, S.FILED, Perm.INSPECT),
    ("request_change", Kind.FILING, S.FILED, S.CHANGE_PENDING, Perm.APPLY),
    ("approve_change", Kind.FILING, S.CHANGE_PENDING, S.FILED, Perm.APPROVE),
    ("mark_renewal_due", Kind.FILING, S.FILED, S.RENEWAL_DUE, Perm.APPROVE),
    ("renew", Kind.FILING, S.RENEWAL_DUE, S.FILED, Perm.APPROVE),
    ("revoke", Kind.FILING, S.INSPECTION_OPEN, S.REVOKED, Perm.APPROVE),
    ("deregister", Kind.FILING, S.FILED, S.DEREGISTERED, Perm.APPLY),
    ("reject", Kind.FILING, S.UNDER_REVIEW, S.REJECTED, Perm.APPROVE),
    ("withdraw", Kind.FILING, S.SUPPLEMENT_REQUESTED, S.WITHDRAWN, Perm.APPLY),
    ("approve_registration", Kind.REGISTRATION, S.UNDER_REVIEW, S.REGISTERED, Perm.APPROVE),
    ("close_registration_inspection", Kind.REGISTRATION, S.INSPECTION_OPEN, S.REGISTERED,
     Perm.INSPECT),
]


@pytest.mark.parametrize(("action", "kind", "source", "target", "perm"), EXPECTED)
def test_transition_table(action: str, kind: Kind, source: State, target: State,
                          perm: Perm) -> None:
    tr = transition_for(action, kind, source)
    assert tr is not None and tr.target is target and tr.perm is perm


@pytest.mark.parametrize(("action", "kind", "source"), [
    ("publish_notice", Kind.REGISTRATION, S.APPROVED_FOR_NOTICE),  # registration: no notice
    ("recommend", Kind.REGISTRATION, S.UNDER_REVIEW),
    ("approve_registration", Kind.FILING, S.UNDER_REVIEW),
    ("file", Kind.FILING, S.OBJECTION_RAISED),  # not while an objection is open
    ("submit", Kind.FILING, S.FILED),
    ("revoke", Kind.FILING, S.DRAFT),
])
def test_transitions_not_in_table(action: str, kind: Kind, source: State) -> None:
    assert transition_for(action, kind, source) is None


def test_every_state_reachable_and_terminals_have_no_exit() -> None:
    reach = {S.DRAFT}
    while True:
        new = {t.target for t in TRANSITIONS if t.sources & reach} - reach
        if not new:
            break
        reach |= new
    # 收到异议 is kept only for objections raised before the reviewer's queue (0.x data)
    assert reach == set(State) - {S.OBJECTION_RAISED}
    for terminal in (S.REVOKED, S.DEREGISTERED, S.REJECTED, S.WITHDRAWN):
        assert actions_from(Kind.FILING, terminal) == []


def _submitted(world: World, tmp_path: Path, **kw: Any) -> str:
    a = world.actors
    pid = world.reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "p", **kw)))
    world.reg.lifecycle.act(a["applicant"], pid, "submit")
    world.reg.lifecycle.act(a["reviewer"], pid, "start_review")
    return pid


def _clear_checklist(world: World, pid: str) -> None:
    for c in world.reg.applications.checklist(world.actors["reviewer"], pid):
        if c["status"] != "ok":
            world.reg.applications.set_check(world.actors["reviewer"], pid, c["id"], "ok", "已核对")


def test_full_filing_walk_records_events(any_world: World, tmp_path: Path) -> None:
    world = any_world
    reg, a = world.reg, world.actors
    pid = _submitted(world, tmp_path)
    reg.lifecycle.act(a["reviewer"], pid, "request_supplement", "请补充投诉渠道", today=D(2025, 9, 1))
    assert reg.applications.get(a["applicant"], pid)["supplement_due"] == D(2025, 9, 15)
    with pytest.raises(InputError, match="须附材料"):
        reg.lifecycle.act(a["applicant"], pid, "answer_supplement", "已补充")
    reg.applications.add_materials(a["applicant"], pid, [("补充说明.txt", "投诉渠道：400-000".encode())])
    reg.lifecycle.act(a["applicant"], pid, "answer_supplement", "已补充")
    with pytest.raises(Conflict, match="清单"):
        reg.lifecycle.act(a["reviewer"], pid, "recommend", "同意")
    _clear_checklist(world, pid)
    reg.lifecycle.act(a["reviewer"], pid, "recommend", "同意公示")
    reg.lifecycle.act(a["approver"], pid, "publish_notice", today=D(2025, 9, 26))
    app = reg.applications.get(a["reviewer"], pid)
    assert (app["notice_start"], app["notice_end"]) == (D(2025, 9, 28), D(2025, 10, 13))
    first = reg.lifecycle.object(pid, "张三", "训练语料来源存疑")
    second = reg.lifecycle.object(pid, "李四", "补充意见")
    reg.lifecycle.screen_objection(a["reviewer"], pid, first, True, "涉及语料来源，受理")
    reg.lifecycle.screen_objection(a["reviewer"], pid, second, True, "一并复核")
    reg.lifecycle.act(a["approver"], pid, "dismiss_objection", "语料来源已核实")
    assert [o["status"] for o in reg.applications.objections(a["reviewer"], pid)] == ["dismissed"] * 2
    assert reg.lifecycle.tick(D(2025, 10, 13)) == []  # last notice day: not yet
    done = reg.lifecycle.tick(D(2025, 10, 14))
    assert done[0]["number"] == "Beijing-DeepseekChat-202510140001"
    reg.lifecycle.act(a["inspector"], pid, "open_inspection", "年度检查", today=D(2025, 11, 3))
    assert reg.applications.get(a["inspector"], pid)["inspection_due"] == D(2025, 12, 1)
    events = reg.applications.events(a["auditor"], pid)
    assert [e["action"] for e in events] == [
        "submit", "start_review", "request_supplement", "answer_supplement", "recommend",
        "publish_notice", "accept_objection", "dismiss_objection",
        "file", "open_inspection"]
    assert events[2]["note"] == "请补充投诉渠道" and events[8]["actor"] == "system"
    shas = [m["sha256"] for m in reg.applications.materials(a["reviewer"], pid)]
    assert events[-1]["materials_sha256"] == materials_digest(shas)
    assert events[0]["materials_sha256"] != events[-1]["materials_sha256"]  # supplement added
    assert reg.public.filed()[0]["number"] == done[0]["number"]


def registration_walk(world: World, tmp_path: Path) -> dict[str, Any]:
    """A registration from submission to its number; returns the approval's result."""
    pid = _submitted(world, tmp_path, kind="registration", service="智能客服")
    _clear_checklist(world, pid)
    return world.reg.lifecycle.act(world.actors["approver"], pid, "approve_registration",
                         "调用已备案模型，准予登记", today=D(2025, 3, 4))


def test_registration_path_gets_its_own_number(any_world: World, tmp_path: Path) -> None:
    r = registration_walk(any_world, tmp_path)
    assert r["number"] == "Beijing-DJ-ZhiNengKeFu-202503040001" and r["to"] == "registered"
    assert any_world.reg.public.filed() == []  # the filed list is for filings


@pytest.mark.parametrize(("who", "action", "error"), [
    ("applicant", "start_review", Forbidden),
    ("inspector", "start_review", Forbidden),
    ("approver", "publish_notice", Conflict),  # wrong state for that action
    ("reviewer", "publish_notice", Forbidden),  # needs approve
    ("inspector", "withdraw", Forbidden),  # needs apply
    ("other_applicant", "withdraw", NotFound),  # outside scope: invisible
    ("sh_reviewer", "start_review", NotFound),  # other province
])
def test_guards(world: World, tmp_path: Path, who: str, action: str, error: type) -> None:
    a = world.actors
    pid = world.reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "p")))
    world.reg.lifecycle.act(a["applicant"], pid, "submit")
    with pytest.raises(error):
        world.reg.lifecycle.act(a[who], pid, action, "说明")


def test_note_required(world: World, tmp_path: Path) -> None:
    pid = _submitted(world, tmp_path)
    with pytest.raises(InputError, match="须填写说明"):
        world.reg.lifecycle.act(world.actors["reviewer"], pid, "request_supplement", "  ")


def test_scoping_of_lists(any_world: World, tmp_path: Path) -> None:
    world = any_world
    reg, a = world.reg, world.actors
    draft = reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "d")))
    pid = _submitted(world, tmp_path)
    assert {x["id"] for x in reg.applications.list_for(a["applicant"])} == {draft, pid}
    assert reg.applications.list_for(a["other_applicant"]) == []
    assert [x["id"] for x in reg.applications.list_for(a["reviewer"])] == [pid]  # no drafts
    assert reg.applications.list_for(a["sh_reviewer"]) == []
    assert [x["id"] for x in reg.applications.list_for(a["admin"])] == [pid]


def test_province_of_package_must_match(world: World, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="属地"):
        world.reg.applications.create(
            world.actors["applicant"], zip_dir(write_package(tmp_path / "p", province="上海")))


def test_checklist_prefilled_from_findings_and_assessment(world: World, tmp_path: Path) -> None:
    world.reg.core.policy.accept_draft_packages = True  # a blocking finding makes it a draft
    findings = [{"code": "BA-DOS-001", "severity": "阻断", "clause": "9.1", "message": "缺报告"}]
    results = [("9.4-must_refuse", 270, 300), ("9.3-keyword", 985, 1000)]
    pid = _submitted(world, tmp_path, findings=findings, results=results)
    items = {c["code"]: c for c in world.reg.applications.checklist(world.actors["reviewer"], pid)}
    assert items["BA-DOS-001"]["status"] == "issue" and items["BA-DOS-001"]["aspect"] == "compliance"
    refusal = items["9.4-must_refuse"]
    assert refusal["status"] == "open" and "阈值 95%" in refusal["title"] and "不符合" in refusal["detail"]
    assert "应拒答测试" in refusal["title"] and "9.4-must_refuse" not in refusal["title"]
    assert items["9.3-keyword"]["status"] == "ok"  # 符合: the AssessmentLog's verdict, not a guess
    assert items["assessment_report"]["status"] == "ok"


def test_racing_decisions_on_one_application(any_world: World, tmp_path: Path) -> None:
    world = any_world
    import threading

    a = world.actors
    pid = world.reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "p")))
    world.reg.lifecycle.act(a["applicant"], pid, "submit")
    outcomes: list[str] = []

    def review() -> None:
        try:
            world.reg.lifecycle.act(a["reviewer"], pid, "start_review")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=review) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 4 + ["ok"]
    assert [e["action"] for e in world.reg.applications.events(a["reviewer"], pid)] == ["submit",
                                                                          "start_review"]


def test_scheduler_files_ended_notices(world: World, tmp_path: Path) -> None:
    import time

    reg, a = world.reg, world.actors
    pid = _submitted(world, tmp_path)
    _clear_checklist(world, pid)
    reg.lifecycle.act(a["reviewer"], pid, "recommend", "同意")
    reg.lifecycle.act(a["approver"], pid, "publish_notice", today=D(2025, 9, 26))  # ended long ago
    stop = reg.lifecycle.start_scheduler(3600)
    try:
        for _ in range(200):
            if reg.applications.get(a["reviewer"], pid)["state"] == "filed":
                break
            time.sleep(0.05)
    finally:
        stop.set()
    app = reg.applications.get(a["reviewer"], pid)
    assert app["state"] == "filed" and app["number"].startswith("Beijing-DeepseekChat-")
    assert app["filed_on"] == dt.date.today()


def test_oversized_package_is_refused(world: World, tmp_path: Path) -> None:
    world.reg.policy.max_package_bytes = 1024
    with pytest.raises(InputError, match="过大"):
        world.reg.applications.create(world.actors["applicant"], b"PK" + b"0" * 2000)


def _in_notice(world: World, tmp_path: Path, model: str) -> str:
    a = world.actors
    pid = _submitted(world, tmp_path / model, model=model)
    _clear_checklist(world, pid)
    world.reg.lifecycle.act(a["reviewer"], pid, "recommend", "同意公示")
    world.reg.lifecycle.act(a["approver"], pid, "publish_notice", today=D(2025, 9, 26))
    return pid


def test_one_bad_application_does_not_stop_the_tick(any_world: World, tmp_path: Path) -> None:
    from sqlalchemy import update

    from beian.registry.db import Application

    bad = _in_notice(any_world, tmp_path, "bad-model")
    good = _in_notice(any_world, tmp_path, "good-model")
    # a name accepted before intake checked it (the probe's `ΑΒΓ`)
    with any_world.reg.core.engine.begin() as conn:
        conn.execute(update(Application).where(Application.public_id == bad)
                     .values(model_name="ΑΒΓ"))
    done = {d["id"]: d for d in any_world.reg.lifecycle.tick(D(2025, 10, 14))}
    assert done[good]["to"] == "filed" and done[good]["number"].startswith("Beijing-GoodModel-")
    assert done[bad]["action"] == "failed" and "转写" in done[bad]["error"]
    r = any_world.actors["reviewer"]
    assert any_world.reg.applications.get(r, bad)["state"] == "in_public_notice"
    assert any_world.reg.admin.verify_audit()[1] == []


def test_tick_in_the_future_is_refused(world: World, tmp_path: Path) -> None:
    pid = _in_notice(world, tmp_path, "m")
    future = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(InputError, match="晚于今天"):
        world.reg.lifecycle.tick(future, actor=world.actors["admin"])
    assert world.reg.applications.get(world.actors["reviewer"], pid)["state"] == "in_public_notice"
