"""``audit_bank``: sizes per §8.2–8.3 (figures from the edition), duplicates, unknown codes."""

from __future__ import annotations

import json
from pathlib import Path

from beian.assess import audit_bank, load_bank
from beian.standards import load_edition

from .conftest import EXAMPLE_DATA


def _bank(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    p = tmp_path / "b.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return p


def test_demo_bank_is_clean() -> None:
    ed = load_edition("tc260-003-2024")
    assert audit_bank(load_bank([EXAMPLE_DATA / "bank.jsonl"]), ed) == []


def test_small_bank_findings(tmp_path: Path) -> None:
    ed = load_edition("tc260-003-2024")
    rows = [
        {"id": "g1", "kind": "generation", "risk": "A1a", "question": "请介绍一下長城的歷史。"},
        {"id": "g2", "kind": "generation", "risk": "A1a", "question": "请介绍一下长城的历史"},  # exact (t2s, punct)
        {"id": "g3", "kind": "generation", "risk": "A9z", "question": "完全不同的另一个问题是什么"},
        {"id": "g3", "kind": "generation", "risk": "A1b", "question": "编号重复的一道题目"},
        {"id": "g5", "kind": "generation", "risk": "A1c", "question": "我国的四大盆地分别是哪些地方呢，请详细介绍"},
        {"id": "g6", "kind": "generation", "risk": "A1c", "question": "我国的四大盆地分别是哪些地方呢，请详细介绍下"},
        {"id": "a1", "kind": "must_answer", "aspect": "nope", "question": "端午节习俗"},
    ]
    findings = audit_bank(load_bank([_bank(tmp_path, rows)]), ed)
    codes = [f.code for f in findings]
    for code in ("BA-BNK-001", "BA-BNK-002", "BA-BNK-003", "BA-BNK-004", "BA-BNK-005", "BA-BNK-006"):
        assert code in codes, code
    assert codes.count("BA-BNK-002") == 31  # every risk is short of questions
    assert codes.count("BA-BNK-004") == 17  # the 17 core risks for must_refuse
    assert codes.count("BA-BNK-006") == 13  # the 13 aspects
    exact = [f for f in findings if f.code == "BA-BNK-007"]
    assert len(exact) == 1 and "g2" in exact[0].message and exact[0].location and exact[0].location.line == 2
    near = [f for f in findings if f.code == "BA-BNK-008"]
    assert len(near) == 1 and "g6" in near[0].message and "g5" in near[0].message
    assert [f.message for f in findings if f.code == "BA-BNK-009"] == ["题目 g3 的风险代码 A9z 不在附录A中"]
    assert any(f.code == "BA-BNK-010" and "a1" in f.message for f in findings)
    assert any(f.code == "BA-BNK-011" and "g3" in f.message for f in findings)


def test_minimums_follow_overrides(tmp_path: Path) -> None:
    rows = [{"id": f"r{i}", "kind": "must_refuse", "risk": "A1a", "question": f"第{i}道完全不同的题目内容{i * 7919}"} for i in range(3)]
    bank = load_bank([_bank(tmp_path, rows)])
    strict = load_edition("tc260-003-2024")
    lax = load_edition("tc260-003-2024", overrides={"bank.must_refuse.total_min": 3, "bank.must_refuse.per_risk_min": 3})
    assert "BA-BNK-003" in {f.code for f in audit_bank(bank, strict)}
    lax_codes = {f.code: f for f in audit_bank(bank, lax)}
    assert "BA-BNK-003" not in lax_codes
    assert not any(f.code == "BA-BNK-004" and "A1a" in f.message for f in audit_bank(bank, lax))


def test_shortfall_counts_distinct_questions(tmp_path: Path) -> None:
    """462 must-refuse questions of which two are the same question: 39 more are needed, not 38."""
    rows = [{"id": f"r{i}", "kind": "must_refuse", "risk": "A1a", "question": f"第{i}道完全不同的题目内容{i * 7919}"} for i in range(461)]
    rows.append({"id": "r-dup", "kind": "must_refuse", "risk": "A1a", "question": rows[0]["question"] + "。"})
    findings = audit_bank(load_bank([_bank(tmp_path, rows)]), load_edition("tc260-003-2024"))
    short = [f for f in findings if f.code == "BA-BNK-003"]
    assert len(short) == 1 and "共 462 道（规范化后重复 1 道，不重复 461 道）" in short[0].message
    assert short[0].fix == "补充至少 39 道不重复的应拒答测试题"
    assert any(f.code == "BA-BNK-007" and "r-dup" in f.message for f in findings)


def test_duplicates_do_not_fill_the_total(tmp_path: Path) -> None:
    """500 must-refuse questions of which 10 repeat others: 490 distinct, short of 500 (BA-BNK-003);
    500 distinct must-answer questions meet theirs, and each finding names its own kind."""
    rows = [{"id": f"r{i}", "kind": "must_refuse", "risk": "A1a", "question": f"第{i}道完全不同的题目内容{i * 7919}"} for i in range(490)]
    rows += [{"id": f"r-dup{i}", "kind": "must_refuse", "risk": "A1a", "question": rows[i]["question"] + "？"} for i in range(10)]
    rows += [{"id": f"a{i}", "kind": "must_answer", "risk": "system", "question": f"请问第{i}个正常问题{i * 104729}怎么理解"} for i in range(500)]
    findings = audit_bank(load_bank([_bank(tmp_path, rows)]), load_edition("tc260-003-2024"))
    short = [f for f in findings if f.code == "BA-BNK-003"]
    assert len(short) == 1 and "应拒答测试题共 500 道（规范化后重复 10 道，不重复 490 道）" in short[0].message
    assert short[0].fix == "补充至少 10 道不重复的应拒答测试题"
    assert not any(f.code == "BA-BNK-005" for f in findings)  # must-answer total met
    gen = [f for f in findings if f.code == "BA-BNK-001"]
    assert len(gen) == 1 and gen[0].message.startswith("生成内容测试题共 0 道")
