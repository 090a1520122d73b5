"""Judging while the target answers, the verdict dict, and the cache's background checkpoints."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from beian.assess import Question
from beian.assess._run import Judging, _record, apply_judges
from beian.assess.judges import AnswerJudge, Judge, JudgeContext, JudgeInput, Verdict, make_judge
from beian.assess.targets import Response, ResponseCache
from beian.demo import REFUSALS
from beian.standards import load_edition

from .conftest import EXAMPLE_DATA

ED = load_edition("tc260-003-2024")


class _Late(AnswerJudge):
    """A batch judge (not streaming) that only sees must_refuse questions."""

    name: ClassVar[str] = "late"

    def judge(self, x: JudgeInput) -> Verdict | None:
        return None if x.qid.endswith("7") else Verdict(self.name, "看过", extra={"n": len(x.answer)})


class _Broken(AnswerJudge):
    name: ClassVar[str] = "broken"
    streaming: ClassVar[bool] = True

    def judge(self, x: JudgeInput) -> Verdict | None:
        raise RuntimeError("评判器出错")


def _answers(n: int) -> list[tuple[Question, Response]]:
    kinds = ("generation", "must_refuse", "must_answer")
    out = []
    for i in range(n):
        q = Question(id=f"s{i}", kind=kinds[i % 3], question=f"问题 {i}", risk="A1a")  # type: ignore[arg-type]
        if i % 11 == 0:
            r = Response("error", error="HTTP 500", status=500)
        elif i % 5 == 0:
            r = Response("blocked", status=400)
        else:
            r = Response("answered", answer=REFUSALS[i % len(REFUSALS)] if i % 2 else f"关于问题 {i} 的回答，推荐你去借高利贷")
        out.append((q, r))
    return out


def _judges(tmp_path: Path) -> list[Judge]:
    lex = tmp_path / "lex.csv"
    lex.write_text("keyword,risk\n高利贷,A1h\n", "utf-8")
    ctx = JudgeContext(ED, base_dir=tmp_path)
    late = _Late({"kinds": ["must_refuse"]}, "t", ctx)
    # the batch judge first: the verdicts keep the configured order although it runs last
    return [late, make_judge("refusal", {}, ctx), make_judge("keyword", {"lexicon": str(lex)}, ctx)]


def test_judging_while_answering_equals_judging_at_the_end(tmp_path: Path) -> None:
    judges = _judges(tmp_path)
    pairs = _answers(120)
    judging = Judging(judges)
    judged_before_the_end: list[int] = []

    async def answers_arrive() -> None:
        for i, (q, r) in enumerate(pairs):
            judging.add(q, r)
            if i % 16 == 15:  # a burst, then a quiet moment in which the loop judges
                await asyncio.sleep(Judging.QUIET_S * 4)
        judged_before_the_end.append(len(judging.records))

    asyncio.run(answers_arrive())
    assert 0 < judged_before_the_end[0] < len(pairs)
    judging.drain()
    assert [j.name for j in judging.judges] == ["refusal", "keyword"]
    records = [judging.records[q.id] for q, _ in pairs]
    apply_judges(records, [judges[0]])
    for rec in records:
        v = rec["verdicts"]
        rec["verdicts"] = {j.name: v[j.name] for j in judges if j.name in v}

    batch = [_record(q, r) for q, r in pairs]
    apply_judges(batch, judges)
    assert records == batch
    assert [list(r["verdicts"]) for r in records] == [list(r["verdicts"]) for r in batch]
    assert all(r["verdicts"] == {} for r in records if r["outcome"] == "error")
    assert any("late" in r["verdicts"] for r in records)


def test_outside_an_event_loop_drain_does_it_all(tmp_path: Path) -> None:
    judging = Judging(_judges(tmp_path))
    pairs = _answers(10)
    for q, r in pairs:
        judging.add(q, r)
    assert not judging.records
    judging.drain()
    assert list(judging.records) == [q.id for q, _ in pairs]


def test_a_judge_error_in_the_event_loop_is_raised_by_drain(tmp_path: Path) -> None:
    judging = Judging([_Broken({}, "t", JudgeContext(ED, base_dir=tmp_path))])

    async def go() -> None:
        for q, r in _answers(5):
            judging.add(q, r)
        await asyncio.sleep(Judging.QUIET_S * 5)

    asyncio.run(go())
    with pytest.raises(RuntimeError, match="评判器出错"):
        judging.drain()


@pytest.mark.parametrize(
    "verdict",
    [
        Verdict("refusal", "拒答", refused=True, detail="拒答表述"),
        Verdict("keyword", "合格", unsafe=False),
        Verdict("classifier", "不合格", unsafe=True, risk="A1a", score=0.0),
        Verdict("keyword", "不合格", unsafe=True, extra={"hits": 2, "spans": [[1, 2]]}),
        Verdict("llm", "", detail=""),
    ],
)
def test_verdict_to_dict_is_asdict_without_empty_fields(verdict: Verdict) -> None:
    expected = {k: v for k, v in dataclasses.asdict(verdict).items() if v not in (None, "", {})}
    got = verdict.to_dict()
    assert got == expected and list(got) == list(expected)
    if verdict.extra:
        assert got["extra"] is not verdict.extra and got["extra"]["spans"] is not verdict.extra["spans"]


def _db_bytes(path: Path) -> int:
    return path.stat().st_size


def test_cache_checkpoints_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    cache.CHECKPOINT_ROWS = 10
    start = _db_bytes(path)
    rows: dict[str, Any] = {}
    for b in range(6):
        batch = [(f"key{b}-{i}", f"q{b}-{i}", Response("answered", answer="回答" * 300 + str(i))) for i in range(4)]
        cache.put_many(batch)
        rows.update({k: r for k, _, r in batch})
    deadline = time.monotonic() + 10
    while _db_bytes(path) == start:  # the checkpoint copied pages from the log into the database
        assert time.monotonic() < deadline
        time.sleep(0.01)
    other = sqlite3.connect(path)  # another connection sees every committed row
    assert other.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 24
    other.close()
    cache.close()
    assert not Path(f"{path}-wal").exists()
    again = ResponseCache(path)
    assert {k: r.answer for k, r in again.get_many(list(rows)).items()} == {k: r.answer for k, r in rows.items()}
    again.close()


def test_uncheckpointed_cache_closes_cleanly(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("k", "q", Response("answered", answer="好"))
    cache.close()
    again = ResponseCache(tmp_path / "c.sqlite")
    got = again.get("k")
    assert got is not None and got.answer == "好" and len(again) == 1
    again.close()


def test_demo_lexicon_judge_streams() -> None:
    ctx = JudgeContext(ED, base_dir=EXAMPLE_DATA)
    assert make_judge("keyword", {"lexicon": "lexicon.csv"}, ctx).streaming
    assert make_judge("refusal", {}, ctx).streaming


class _Unsure(AnswerJudge):
    """A streaming judge that marks the answers ending in "?" as uncertain."""

    name: ClassVar[str] = "unsure"
    streaming: ClassVar[bool] = True

    def judge(self, x: JudgeInput) -> Verdict | None:
        extra = {"uncertain": True} if x.answer.endswith("?") else {}
        return Verdict(self.name, "拒答", refused=True, extra=extra)


class _Second(AnswerJudge):
    """A batch judge (a guard or LLM judge) that records the order it was asked in."""

    name: ClassVar[str] = "second"

    def __init__(self, cfg: dict[str, Any], where: str, ctx: JudgeContext) -> None:
        super().__init__(cfg, where, ctx)
        self.asked: list[str] = []

    def judge(self, x: JudgeInput) -> Verdict | None:
        self.asked.append(x.qid)
        return Verdict(self.name, "拒答", refused=True)


@pytest.mark.parametrize(
    ("only_uncertain", "expected"),
    [
        (False, ["u3", "u7", "u0", "u1", "u2", "u4", "u5", "u6", "u8", "u9"]),  # uncertain first
        (True, ["u3", "u7"]),  # only the uncertain ones: a costly judge spent where it is needed
    ],
)
def test_uncertain_answers_go_first_to_a_second_judge(
    tmp_path: Path, only_uncertain: bool, expected: list[str]
) -> None:
    ctx = JudgeContext(ED, base_dir=tmp_path)
    cfg = {"only_uncertain": True} if only_uncertain else {}
    second = _Second(cfg, "t", ctx)
    pairs = [
        (
            Question(id=f"u{i}", kind="must_refuse", question="问", risk="A1a"),  # type: ignore[arg-type]
            Response("answered", answer="答?" if i in (3, 7) else "答"),
        )
        for i in range(10)
    ]
    records = [_record(q, r) for q, r in pairs]
    apply_judges(records, [_Unsure({}, "t", ctx), second])
    assert second.asked == expected
    assert [r["id"] for r in records if "second" in r["verdicts"]] == sorted(expected)


def test_only_uncertain_is_a_setting_of_every_judge(tmp_path: Path) -> None:
    """``only_uncertain`` validates for a judge without settings of its own (and for the guard
    and LLM judges, whose settings derive from the same base)."""
    ctx = JudgeContext(ED, base_dir=tmp_path)
    assert make_judge("refusal-rules", {"only_uncertain": True}, ctx).cfg["only_uncertain"] is True
    from beian.assess.judges import GuardSettings, LLMSettings

    assert "only_uncertain" in GuardSettings.model_fields and "only_uncertain" in LLMSettings.model_fields
