"""A whole run through the library against the real demo server: records, log, rescore, report."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from beian.assess import (
    AssessmentLog,
    evaluate_item,
    load_assess_config,
    read_records,
    rescore,
    run_assessment,
    write_report,
)
from beian.assess.judges import save_manual
from beian.demo import DemoBehavior, DemoServer, serve_in_thread
from beian.standards import load_edition

from .conftest import EXAMPLE_DATA, write_small_bank

ED = load_edition("tc260-003-2024")


def _config(tmp_path: Path, server: DemoServer, judge_url: str | None = None) -> Path:
    bank = write_small_bank(
        tmp_path / "bank.jsonl", {"generation": 60, "must_refuse": 30, "must_answer": 30}
    )
    cfg = {
        "name": "t",
        "banks": [bank.name],
        "target": {
            "type": "openai",
            "base_url": server.base_url,
            "model": "beian-demo-1",
            "concurrency": 8,
            "backoff": 0.01,
        },
        "judges": {"refusal": {}, "keyword": {"lexicon": str(EXAMPLE_DATA / "lexicon.csv")}},
        "sampling": {
            "method": "stratified",
            "seed": 5,
            "generation": 40,
            "must_refuse": "all",
            "must_answer": 25,
        },
    }
    if judge_url:
        cfg["judges"]["llm"] = {"base_url": judge_url, "model": "judge", "kinds": ["must_refuse"]}
        cfg["policy"] = {
            "items": {"9.4-must_refuse": {"judges": ["refusal", "llm"], "combine": "any"}}
        }
    p = tmp_path / "assess.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    return p


def test_full_run(tmp_path: Path) -> None:
    beh = DemoBehavior(rate_limit_every=5, unsafe_every=6)
    with serve_in_thread(beh) as s, serve_in_thread(DemoBehavior(judge=True)) as judge:
        cfg = load_assess_config(_config(tmp_path, s, judge.base_url))
        phases: list[str] = []
        res = run_assessment(cfg, ED, tmp_path / "run", lambda p, d, t: phases.append(p))
    assert {"ask", "judge"} <= set(phases)
    recs = read_records(tmp_path / "run")
    assert len(recs) == 40 + 30 + 25 == len({r["id"] for r in recs})
    for key in (
        "question",
        "answer",
        "outcome",
        "verdicts",
        "asked_at",
        "answered_at",
        "response_hash",
        "final",
    ):
        assert key in recs[0]
    for r in recs:  # the LLM judge only sees the kinds it is configured for
        assert set(r["verdicts"]) == (
            {"refusal", "keyword", "llm"} if r["kind"] == "must_refuse" else {"refusal", "keyword"}
        )
    assert any(r["attempts"] > 1 for r in recs)  # the 429s were retried
    log = AssessmentLog.load(tmp_path / "run" / "assessment.json")
    assert log == res.log
    assert [r.item for r in log.results] == ["9.3-keyword", "9.4-must_refuse", "9.4-must_answer"]
    kw = log.result("9.3-keyword")
    assert kw is not None and kw.n == 40 and 0 < kw.k < 40  # unsafe_every makes some answers fail
    assert (
        sum(b.n for b in kw.by_risk.values()) == 40 and not kw.sample_ok and kw.verdict == "不符合"
    )
    mr = log.result("9.4-must_refuse")
    assert mr is not None and mr.n == 30 and set(mr.by_risk) <= set(ED.risks)
    ma = log.result("9.4-must_answer")
    assert ma is not None and set(ma.by_risk) <= set(ED.aspects)
    assert log.samples == {"generation": 40, "must_refuse": 30, "must_answer": 25}
    assert log.seeds == {"generation": 5, "must_refuse": 5, "must_answer": 5}
    assert (
        log.target
        and log.target["model"] == "beian-demo-1"
        and "api_key" not in json.dumps(log.target).replace("api_key_env", "")
    )
    assert {j["name"] for j in log.judges} == {"refusal", "keyword", "llm"}
    assert log.extra["policy"]["items"]["9.4-must_refuse"] == {
        "judges": ["refusal", "llm"],
        "combine": "any",
    }
    assert log.extra["refusal_matrix"]["must_refuse"]["拒答"] > 0

    # human verdicts arrive later: rescore adds 9.3-manual without asking the model again
    gen = [r["id"] for r in recs if r["kind"] == "generation"][:10]
    save_manual(
        tmp_path / "run",
        {qid: {"label": "不合格" if i == 0 else "合格"} for i, qid in enumerate(gen)},
    )
    log2 = rescore(tmp_path / "run", ED)
    manual = log2.result("9.3-manual")
    assert manual is not None and (manual.n, manual.k) == (10, 9)
    kw2 = log2.result("9.3-keyword")
    assert kw2 is not None and kw2.n == 40  # manual verdicts win for the records they cover

    # corpus results written into the same log (9.2-*) survive a rescore and a rerun
    log3 = AssessmentLog.load(tmp_path / "run" / "assessment.json")
    log3.upsert(evaluate_item(ED, "9.2-manual", k=3900, n=4000))
    log3.save(tmp_path / "run" / "assessment.json")
    assert rescore(tmp_path / "run", ED).result("9.2-manual") is not None
    with serve_in_thread(beh) as s2, serve_in_thread(DemoBehavior(judge=True)) as judge2:
        cfg2 = load_assess_config(_config(tmp_path, s2, judge2.base_url))
        again = run_assessment(cfg2, ED, tmp_path / "run")
    assert again.log.result("9.2-manual") is not None and again.log.results[0].item == "9.2-manual"

    html = write_report(tmp_path / "run", ED).read_text("utf-8")
    assert "安全评估报告" in html and "<svg" in html and "拒答矩阵" in html and "生成内容人工抽检" in html


def test_rerun_uses_cache(tmp_path: Path, demo: DemoServer) -> None:
    cfg = load_assess_config(_config(tmp_path, demo))
    first = run_assessment(cfg, ED, tmp_path / "run")
    before = demo.stats.requests
    second = run_assessment(cfg, ED, tmp_path / "run")
    assert first.asked == 95 and second.asked == 0 and demo.stats.requests == before
    assert [r.model_dump() for r in first.log.results] == [
        r.model_dump() for r in second.log.results
    ]
