"""§9.4 verdicts through ``beian assess run`` on answers whose true refusal rate is known.

The answers come from set Y (``benchmarks/data/judge_holdout``): written and labelled apart from the
refusal judge, the held-back set until 2026-12-06 and part of the judge's training data since, so
this checks that correct grades become correct verdicts, not the judge's accuracy on unseen answers
(that is ``benchmarks/judge_bench.py`` on the current held-back set). Each simulated model answers every question with
one labelled answer, so the true refusal rate of a bank is known exactly. A model that passes must
be reported 符合 and one that fails 不符合 — the failure this guards against is the old judge,
which reported 87 % and 不符合 for a model whose true must-refuse refusal rate was 97 %.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import yaml

from beian.assess import AssessmentLog
from tests.conftest import run_cli

HOLDOUT = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "judge_holdout"
REFUSALS = ("拒答", "拒答并正向引导")
CORE = [f"A1{c}" for c in "abcdefgh"] + [f"A2{c}" for c in "abcdefghi"]
ASPECTS = ["system", "belief", "culture", "ethnicity", "history", "gender", "age", "occupation", "health"]


def _holdout() -> dict[str, list[dict[str, str]]]:
    rows = [json.loads(x) for f in sorted(HOLDOUT.glob("*.jsonl")) for x in f.read_text("utf-8").splitlines() if x]
    return {
        "refused": [r for r in rows if r["label"] in REFUSALS],
        "answered": [r for r in rows if r["label"] == "正常回答"],
    }


def _pick(pool: list[dict[str, str]], n: int, offset: int) -> list[dict[str, str]]:
    """``n`` answers from ``pool`` in a fixed order (cycling when the pool is smaller)."""
    return [pool[(offset + i * 7) % len(pool)] for i in range(n)]


def _model(tmp_path: Path, refuse_rate: float, answer_refusal_rate: float) -> tuple[Path, float, float]:
    """A bank of 300 must-refuse and 300 must-answer questions and a model's recorded answers."""
    h = _holdout()
    n = 300
    k_refuse = round(refuse_rate * n)
    k_answer = round(answer_refusal_rate * n)
    plan = [
        ("must_refuse", _pick(h["refused"], k_refuse, 0) + _pick(h["answered"], n - k_refuse, 0)),
        ("must_answer", _pick(h["refused"], k_answer, 3) + _pick(h["answered"], n - k_answer, 5)),
    ]
    bank, answers = [], []
    for kind, picked in plan:
        for i, row in enumerate(picked):
            qid = f"{kind}-{i:03d}"
            q = {"id": qid, "question": row["question"], "kind": kind}
            if kind == "must_refuse":
                q["risk"] = CORE[i % len(CORE)]
            else:
                q["aspect"] = ASPECTS[i % len(ASPECTS)]
            bank.append(q)
            answers.append({"id": qid, "answer": row["answer"]})
    (tmp_path / "bank.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bank), "utf-8")
    (tmp_path / "answers.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in answers), "utf-8"
    )
    cfg = {
        "name": "replay",
        "standards": {"edition": "gbt-45654-2025"},
        "banks": ["bank.jsonl"],
        "target": {"type": "replay", "path": str(tmp_path / "answers.jsonl")},
        "judges": {"refusal": {}},
        "sampling": {"must_refuse": "all", "must_answer": "all"},
    }
    (tmp_path / "assess.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    return tmp_path / "assess.yaml", k_refuse / n, k_answer / n


def _run(tmp_path: Path, refuse_rate: float, answer_refusal_rate: float) -> tuple[AssessmentLog, float, float]:
    cfg, true_refuse, true_answer = _model(tmp_path, refuse_rate, answer_refusal_rate)
    proc = run_cli("assess", "run", str(cfg), "--out", str(tmp_path / "run"), cwd=tmp_path, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    log = AssessmentLog.load(tmp_path / "run" / "assessment.json")
    for item in ("9.4-must_refuse", "9.4-must_answer"):
        r = log.result(item)
        assert r is not None and r.n == 300
    return log, true_refuse, true_answer


def test_a_model_that_fails_both_refusal_tests_is_reported_as_failing(tmp_path: Path) -> None:
    log, true_refuse, true_answer = _run(tmp_path, 0.90, 0.10)
    refuse, answer = log.result("9.4-must_refuse"), log.result("9.4-must_answer")
    assert refuse is not None and answer is not None
    assert (refuse.verdict, answer.verdict) == ("不符合", "不符合")
    assert refuse.rate <= true_refuse  # missed refusals only push it further down
    assert answer.rate >= true_answer  # the judge's false refusals only push it further up


def test_judge_error_on_a_passing_model_is_caught_by_the_human_audit(tmp_path: Path) -> None:
    """A model that truly refuses 98.3 % of must-refuse questions and 1 % of must-answer ones.

    The judge alone misses part of the refusals it never saw (recall 0.94 on the held-back set,
    see benchmarks/results/judge.json), so the raw must-refuse rate falls below 95 %. The human
    review sheet is the judge's audit: a reviewer labels a random sample with the truth, and the
    calibration must then say that the raw 不符合 does not stand, with an interval around the truth.
    """
    log, true_refuse, _ = _run(tmp_path, 0.983, 0.01)
    answer = log.result("9.4-must_answer")
    assert answer is not None and answer.verdict == "符合"
    exp = run_cli("assess", "review", "export", "run", "-o", "review.xlsx", "--n", "150",
                  "--kind", "must_refuse", cwd=tmp_path)
    assert exp.returncode == 0, exp.stderr
    labels = _labels_by_answer()
    answers = {json.loads(x)["id"]: json.loads(x)["answer"] for x in (tmp_path / "answers.jsonl").read_text("utf-8").splitlines()}
    wb = openpyxl.load_workbook(tmp_path / "review.xlsx")
    ws = wb["人工抽检"]
    header = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        qid = ws.cell(row, 1).value
        ws.cell(row, header.index("人工结论") + 1).value = labels[answers[qid]]
        ws.cell(row, header.index("审核人") + 1).value = "复核员"
    wb.save(tmp_path / "review.xlsx")
    imp = run_cli("assess", "review", "import", "run", "review.xlsx", cwd=tmp_path)
    assert imp.returncode in (0, 1), imp.stderr
    cal = json.loads(run_cli("assess", "calibrate", "run", "--format", "json", cwd=tmp_path).stdout)
    item = next(c for c in cal["items"] if c["item"] == "9.4-must_refuse")
    assert item["ci_low"] <= true_refuse <= item["ci_high"]
    assert item["holds"] != "成立" or item["verdict"] == "符合"


def _labels_by_answer() -> dict[str, str]:
    rows = [json.loads(x) for f in sorted(HOLDOUT.glob("*.jsonl")) for x in f.read_text("utf-8").splitlines() if x]
    return {r["answer"]: r["label"] for r in rows}
