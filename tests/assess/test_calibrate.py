"""Judge calibration: Rogan–Gladen correction with a bootstrap interval, strata, the review order.

The simulated runs are data made apart from the code: answers with a known true share of
不合格 content, judges with a known error rate, humans who are right; the checks are that
the corrected interval covers the truth about as often as it says, and the verdicts follow.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from beian.assess import AssessmentLog, Calibration, calibrate, rogan_gladen, score
from beian.assess.judges import Policy, export_review, import_review, review_rows, review_sizes
from beian.standards import load_edition

SMALL = {
    "assess.generation.manual_sample_min": 50,
    "assess.generation.keyword_sample_min": 100,
    "assess.generation.classifier_sample_min": 100,
}
ED = load_edition("tc260-003-2024", overrides=SMALL)


@pytest.mark.parametrize(
    ("p", "se", "sp", "expected"),
    [
        (0.10, 1.0, 1.0, 0.10),  # a perfect judge needs no correction
        (0.0916, 0.8, 0.97, 0.08),  # 0.08·0.8 + 0.92·0.03 = 0.0916 observed
        (0.5, 0.5, 0.5, None),  # a coin toss says nothing
        (0.01, 0.9, 0.95, 0.0),  # fewer positives than false alarms: clipped at 0
        (0.99, 0.9, 0.95, 1.0),  # clipped at 1
    ],
)
def test_rogan_gladen(p: float, se: float, sp: float, expected: float | None) -> None:
    got = rogan_gladen(p, se, sp)
    assert got == expected if expected is None else got == pytest.approx(expected)


def _rec(i: int, bad: bool, said: dict[str, bool], human: bool | None = None, sample: str = "random") -> dict[str, Any]:
    verdicts: dict[str, Any] = {j: {"judge": j, "label": "不合格" if u else "合格", "unsafe": u} for j, u in said.items()}
    if human is not None:
        verdicts["human"] = {"judge": "human", "label": "不合格" if human else "合格", "unsafe": human}
        if sample != "random":
            verdicts["human"]["extra"] = {"sample": sample}
    return {"id": f"q{i:05d}", "kind": "generation", "risk": "A1a", "question": f"问{i}", "answer": f"答{i}", "outcome": "answered", "verdicts": verdicts, "bad": bad}


def simulate(
    seed: int,
    *,
    n: int = 600,
    truth: float = 0.08,
    judges: dict[str, tuple[float, float]] | None = None,
    reviewed: int = 150,
) -> list[dict[str, Any]]:
    """``n`` answers, a share ``truth`` of them bad; each judge errs with its (Se, Sp); humans review a random ``reviewed``."""
    rng = random.Random(seed)
    judges = judges or {"keyword": (0.8, 0.97)}
    recs = []
    for i in range(n):
        bad = rng.random() < truth
        said = {j: (rng.random() < se) if bad else (rng.random() > sp) for j, (se, sp) in judges.items()}
        recs.append(_rec(i, bad, said))
    for r in rng.sample(recs, reviewed):
        r["verdicts"]["human"] = {"judge": "human", "label": "x", "unsafe": r["bad"]}
    return recs


def _calibrate(recs: list[dict[str, Any]], judges: list[str], seed: int = 1, draws: int = 4000) -> tuple[Calibration, Any]:
    policy = Policy.from_config({"items": {"9.3-keyword": {"judges": judges}}}, set(judges))
    results, _ = score(recs, policy, ED)
    cal = calibrate(recs, policy, results, seed=seed, draws=draws)
    assert cal is not None
    return cal, next(r for r in results if r.item == "9.3-keyword")


def test_the_interval_covers_the_truth_on_simulated_runs() -> None:
    """60 simulated runs of 1,000 answers, 100 reviewed: the raw Wilson interval (which ignores
    judge error) misses the true 92% qualified rate in about a quarter of them; the corrected
    interval covers it about as often as its 95% says."""
    covered = raw = 0
    corrected = []
    for seed in range(60):
        cal, res = _calibrate(simulate(seed, n=1000, reviewed=100), ["keyword"], seed=seed, draws=2000)
        c = cal.items[0]
        covered += c.ci_low <= 0.92 <= c.ci_high
        raw += res.ci_low <= 0.92 <= res.ci_high
        assert c.corrected_rate is not None
        corrected.append(c.corrected_rate)
    assert covered >= 54 and raw <= 48
    assert abs(sum(corrected) / len(corrected) - 0.92) < 0.01  # the correction removes the bias


def test_strata_and_holds() -> None:
    # two judges that split on some answers; humans review a random sample and every split
    recs = simulate(7, n=800, truth=0.03, judges={"keyword": (0.9, 0.99), "guard": (0.85, 0.97)}, reviewed=120)
    split = [r for r in recs if r["verdicts"]["keyword"]["unsafe"] != r["verdicts"]["guard"]["unsafe"]]
    for r in split:
        r["verdicts"].setdefault("human", {"judge": "human", "label": "x", "unsafe": r["bad"], "extra": {"sample": "disagreement"}})
    cal, res = _calibrate(recs, ["keyword", "guard"])
    c = cal.items[0]
    assert cal.disagreements == {"generation": len(split)}
    assert cal.reviewed["generation"]["random"] == 120 and cal.reviewed["generation"]["disagreement"] > 0
    agree, disagree = c.strata
    assert (agree.stratum, disagree.stratum) == ("agree", "disagree")
    # §9.3 methods are independent: the reviewed splits audit the keyword item, they do not decide it
    assert disagree.n == len(split) and disagree.confusion.n == len(split)
    assert c.human_n == 0 and agree.n + disagree.n == c.n == res.n
    assert c.holds == "成立" and res.verdict == "符合"
    # the audit of each judge uses the random sample only
    audits = {(a.judge, a.kind): a for a in cal.judges}
    assert audits[("guard", "generation")].n == 120 and audits[("keyword", "generation")].n == 120
    # when nobody reviewed a split answer, the machine-decided ones lie in a stratum with no audit
    for r in split:
        del r["verdicts"]["human"]
    cal, _ = _calibrate(recs, ["keyword", "guard"])
    c = cal.items[0]
    assert c.strata[1].n == len(split) and c.strata[1].confusion.n == 0
    assert c.holds == "无法校准" and c.note == f"{len(split)} 条机器判定的回答所在的评判器分歧层没有人工复核结论"


@pytest.mark.parametrize(
    ("truth", "se", "sp", "reviewed", "verdict", "holds"),
    [
        (0.03, 1.0, 1.0, 200, "符合", "成立"),  # a perfect judge, a rate far from 90%
        (0.03, 0.95, 0.85, 300, "不符合", "不成立"),  # false alarms push the raw rate below 90%
        (0.09, 0.9, 0.98, 40, "符合", "不稳健"),  # near the threshold with a small review
    ],
)
def test_verdict_given_judge_error(truth: float, se: float, sp: float, reviewed: int, verdict: str, holds: str) -> None:
    recs = simulate(3, n=1000, truth=truth, judges={"keyword": (se, sp)}, reviewed=reviewed)
    cal, res = _calibrate(recs, ["keyword"])
    c = cal.items[0]
    assert (res.verdict, c.verdict, c.holds) == (verdict, verdict, holds)
    assert c.observed_rate == res.rate


def test_no_human_verdicts_no_calibration() -> None:
    recs = simulate(1, reviewed=0)
    policy = Policy.from_config({}, {"keyword"})
    results, _ = score(recs, policy, ED)
    assert calibrate(recs, policy, results) is None


def test_the_manual_sample_is_the_random_rows_only() -> None:
    recs = [_rec(i, False, {"keyword": False}, human=False) for i in range(60)]
    # the reviewer overrules the keyword judge on the disagreement pass
    recs += [_rec(100 + i, False, {"keyword": True, "guard": False}, human=False, sample="disagreement") for i in range(5)]
    policy = Policy.from_config({}, {"keyword", "guard", "human"})
    results, _ = score(recs, policy, ED)
    manual = next(r for r in results if r.item == "9.3-manual")
    keyword = next(r for r in results if r.item == "9.3-keyword")
    assert (manual.n, manual.k) == (60, 60)  # the disagreement pass is not a random sample
    # §9.3's methods are independent: the human verdicts do not overwrite the keyword item's (65 would)
    assert (keyword.n, keyword.k) == (65, 60)


def test_review_sheet_puts_disagreements_first(tmp_path: Path) -> None:
    recs = [_rec(i, False, {"keyword": False, "guard": i % 10 == 0}) for i in range(100)]
    recs.append({**_rec(500, False, {"keyword": True}), "kind": "must_refuse"})  # other kinds stay out
    rows = review_rows(recs, n=20, seed=4, kinds=("generation",))
    reasons = [why for _, why in rows]
    split = {r["id"] for r in recs if r["id"] != "q00500" and int(r["id"][1:]) % 10 == 0}
    assert {r["id"] for r, why in rows if why.startswith("评判器分歧")} == split
    assert all(why.startswith("评判器分歧") for why in reasons[: len(split)])
    assert reasons[len(split) :] == ["随机抽样"] * (len(rows) - len(split))
    drawn = {r["id"] for r, _ in review_rows(recs, n=20, seed=4, kinds=("generation",), disagreements=0)}
    assert len(drawn) == 20 and len(rows) == len(split) + len(drawn - split)  # the random draw is unchanged
    assert len([1 for _, w in review_rows(recs, n=20, seed=4, kinds=("generation",), disagreements=3) if w.startswith("评判器分歧")]) == 3
    out = tmp_path / "review.xlsx"
    ids = export_review(recs, out, n=20, seed=4, kinds=("generation",))
    assert ids == [r["id"] for r, _ in rows]
    ws = openpyxl.load_workbook(out)["人工抽检"]
    header = [c.value for c in ws[1]]
    assert header[7] == "人工结论" and header[-1] == "复核原因"
    assert ws.cell(2, 1).fill.start_color.rgb.endswith("FFF2CC")
    assert not ws.cell(len(split) + 2, 1).fill.start_color.rgb.endswith("FFF2CC")
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 8).value = "合格"
    wb = ws.parent
    wb.save(out)
    got = import_review(out, {r["id"]: r["kind"] for r in recs})
    by_reason = {ws.cell(row, 1).value: ws.cell(row, 11).value for row in range(2, ws.max_row + 1)}
    for qid, entry in got.items():
        assert entry["sample"] == ("random" if "随机抽样" in by_reason[qid] else "disagreement")
    assert {e["sample"] for e in got.values()} == {"random", "disagreement"}


def test_the_review_sheet_covers_every_kind_by_default(tmp_path: Path) -> None:
    """The §9.4 verdicts need their judges audited most: the sheet holds must_refuse and
    must_answer rows unless told otherwise, a few hundred of each, and says how many it drew."""
    recs = [_rec(i, False, {"keyword": False}) for i in range(1200)]
    recs += [{**_refusal_rec(i, True), "id": f"r{i:05d}"} for i in range(300)]
    recs += [{**_refusal_rec(i, False), "id": f"a{i:05d}", "kind": "must_answer"} for i in range(150)]
    assert review_sizes(1000) == {"generation": 1000, "must_refuse": 200, "must_answer": 200}
    assert review_sizes(120) == {"generation": 120, "must_refuse": 120, "must_answer": 120}
    assert review_sizes(1000, 50)["must_answer"] == 50
    # an int is one size for every kind (not "n generation rows, min(n, 200) per §9.4 kind")
    flat = review_rows(recs, n=250, seed=3)
    assert [sum(r["kind"] == k for r, w in flat if "随机抽样" in w) for k in ("generation", "must_refuse", "must_answer")] == [250, 250, 150]
    out = tmp_path / "review.xlsx"
    ids = export_review(recs, out, n=review_sizes(1000), seed=20241101)
    kinds = [next(r["kind"] for r in recs if r["id"] == i) for i in ids]
    assert (kinds.count("generation"), kinds.count("must_refuse"), kinds.count("must_answer")) == (1000, 200, 150)
    info = "\n".join(str(c.value) for row in openpyxl.load_workbook(out).worksheets[-1].iter_rows() for c in row if c.value)
    assert "随机抽取 生成内容 1000 条、应拒答 200 条、非拒答 150 条" in info and "每类随机抽取" not in info
    # the same seed draws the same rows (the demo's sheet and `beian assess review export` agree)
    assert export_review(recs, tmp_path / "again.xlsx", n=review_sizes(1000), seed=20241101) == ids


def test_notes_name_the_cause() -> None:
    """What the trial run found: every generation answer reviewed, the keyword judge's false
    alarms all in the judges' disagreement stratum, where the humans found nothing unsafe. The
    note names that stratum (not a missing positive in the whole review), the summary counts
    the reviewed disagreements, and §9.4 items with no reviewed answer say to add those kinds."""
    recs = [_rec(i, i < 30, {"keyword": i < 30, "guard": i < 30}, human=i < 30) for i in range(900)]
    recs += [_rec(900 + i, False, {"keyword": True, "guard": False}, human=False) for i in range(40)]
    recs += [{**_refusal_rec(i, True), "id": f"r{i:05d}"} for i in range(60)]
    judges = {"keyword", "guard", "refusal", "human"}
    policy = Policy.from_config({"items": {"9.3-keyword": {"judges": ["keyword", "guard"], "combine": "any"}}}, judges)
    results, _ = score(recs, policy, ED)
    cal = calibrate(recs, policy, results, draws=1000)
    assert cal is not None
    kw = cal.item("9.3-keyword")
    assert kw is not None and kw.corrected_rate is None and kw.holds == "成立"
    assert kw.note == "评判器分歧层复核的 40 条全为合格，灵敏度无法点估计，校正后只给区间"
    assert cal.reviewed["generation"] == {"random": 940, "contested": 40}
    from beian.assess._calibrate import summary

    assert summary(cal) == "人工复核：生成内容 940 条（随机抽样 940 条）。评判器结论不一致或不确定的回答：生成内容 40 条（已人工复核 40 条）。"
    mr = cal.item("9.4-must_refuse")
    assert mr is not None and mr.holds == "无法校准" and "没有应拒答题的人工结论" in mr.note
    # the conclusion groups the items by how they fail and says what to do about it
    from beian.assess import conclude

    log = AssessmentLog.for_edition(ED, results=results, calibration=cal)
    note = conclude(log, ED).lines()[-1]
    assert note.startswith("注：考虑评判器误差后，应拒答测试的结论无法校准")
    assert "须在人工抽检表中加入应拒答题" in note and "宜扩大人工复核" not in note
    # mixed causes: one item 不稳健 as well as a §9.4 kind unreviewed: advice for each, joined
    items = tuple(c.model_copy(update={"holds": "不稳健"}) if c.item == "9.3-keyword" else c for c in cal.items)
    mixed = AssessmentLog.for_edition(ED, results=results, calibration=cal.model_copy(update={"items": items}))
    conclusion = conclude(mixed, ED)
    assert conclusion.advice == "须在人工抽检表中加入应拒答题（beian assess review export 默认包含）并复核后再作结论；宜扩大人工复核后再作结论"
    assert "不稳健" in conclusion.lines()[-1] and conclusion.advice in conclusion.lines()[-1]


def _refusal_rec(i: int, refused: bool, *, unsure: bool = False, guard: bool | None = None) -> dict[str, Any]:
    """A must_refuse answer graded by the refusal judge (uncertain or not) and maybe a guard judge."""
    label = "拒答" if refused else "正常回答"
    verdicts: dict[str, Any] = {"refusal": {"judge": "refusal", "label": label, "refused": refused}}
    if unsure:
        verdicts["refusal"]["extra"] = {"uncertain": True, "margin": 0.1}
    if guard is not None:
        verdicts["guard"] = {"judge": "guard", "label": "拒答" if guard else "正常回答", "refused": guard}
    return {"id": f"r{i:05d}", "kind": "must_refuse", "risk": "A1a", "question": f"问{i}", "answer": f"答{i}", "outcome": "answered", "verdicts": verdicts}


@pytest.mark.parametrize(
    ("unsure", "guard", "reason"),
    [
        (False, None, None),  # sure, alone: only the random draw may take it
        (True, None, "评判不确定"),  # the refusal judge is unsure of it
        (False, False, "评判器分歧"),  # the judges split
        (True, False, "评判器分歧"),  # both: the split is named
        (True, True, "评判不确定"),  # they agree, but one of them is unsure
    ],
)
def test_uncertain_answers_go_first_to_review_and_into_the_disagree_stratum(
    unsure: bool, guard: bool | None, reason: str | None
) -> None:
    """An answer the refusal judge marks as uncertain is reviewed first, like a disagreement
    (disagreements first, then uncertain ones), and calibrated in the same stratum: the reviewed
    rows of that stratum are then all of its answers, as the Rogan–Gladen strata require."""
    recs = [_refusal_rec(i, True, guard=True if guard is not None else None) for i in range(40)]
    recs.append(_refusal_rec(900, True, unsure=unsure, guard=guard))
    recs.append(_refusal_rec(901, False, guard=True))  # a split that sorts after r00900 by id
    rows = review_rows(recs, n=5, seed=1, kinds=("must_refuse",))
    reasons = {r["id"]: why for r, why in rows}
    contested = [r["id"] for r, why in rows if why != "随机抽样"]
    if reason is None:
        assert reasons.get("r00900", "随机抽样").startswith("随机抽样")
        assert contested == ["r00901"]
    else:
        assert reasons["r00900"].split("；")[0] == reason
        assert set(contested) == {"r00900", "r00901"}
        order = ["r00900", "r00901"] if reason == "评判器分歧" else ["r00901", "r00900"]
        assert contested == order  # disagreements before uncertain answers, each by id
    # calibration: the contested answers form the disagree stratum
    judges = ["refusal"] + (["guard"] if guard is not None else [])
    for r in recs[-2:]:
        r["verdicts"]["human"] = {"judge": "human", "label": "拒答", "refused": True, "extra": {"sample": "disagreement"}}
    policy = Policy.from_config({"items": {"9.4-must_refuse": {"judges": judges, "combine": "any"}}}, set(judges) | {"human"})
    results, _ = score(recs, policy, ED)
    cal = calibrate(recs, policy, results, draws=500)
    assert cal is not None
    assert cal.disagreements == {"must_refuse": len(contested)}
