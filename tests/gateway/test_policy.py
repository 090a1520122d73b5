"""The moderation policy: which action a finding gets, rule by rule, and sentence cutting."""

from __future__ import annotations

from typing import Any

import pytest

from beian.gateway import (
    Finding,
    Moderation,
    ModerationConfig,
    Substitute,
    SubstituteLibrary,
    sentence_end,
    sentences,
)

RULES: list[dict[str, Any]] = [
    {"risk": "A1a", "level": "unsafe", "stage": "input", "action": "substitute"},
    {"risk": "A2", "action": "flag"},
    {"risk": "A3e", "level": "controversial", "action": "allow"},
    {"risk": "*", "level": "error", "stage": "output", "action": "flag"},
]
LIB = SubstituteLibrary([Substitute("S1", "A1a", "标准答复。", ("问题",))])


def f(stage: str, risk: str, level: str, check: str = "classifier") -> Finding:
    return Finding(stage, check, (risk,), level, 0.9, "m")


@pytest.mark.parametrize(
    ("finding", "action"),
    [
        (f("input", "A1a", "unsafe"), "substitute"),  # rule 1
        (f("output", "A1a", "unsafe"), "block"),  # rule 1 is for input: the unsafe default
        (f("input", "A1a", "controversial"), "flag"),  # rule 1 is for unsafe: controversial's
        (f("output", "A2c", "unsafe"), "flag"),  # rule 2: category A2, any level and stage
        (f("input", "A3e", "controversial"), "allow"),  # rule 3
        (f("input", "A3e", "unsafe"), "block"),
        (f("output", "GUARD_ERROR", "error", "guard"), "flag"),  # rule 4
        (f("input", "GUARD_ERROR", "error", "guard"), "block"),  # no guard: fail closed
    ],
)
def test_first_matching_rule_wins(finding: Finding, action: str) -> None:
    m = Moderation(ModerationConfig.model_validate({"policy": RULES}), substitutes=LIB)
    ruling = m.rule(finding, "问题")
    assert ruling.action == action
    d = ruling.decision().to_json()
    assert (d["stage"], d["action"], d["check"], d["score"]) == (
        finding.stage, action, finding.check, 0.9,
    )  # fmt: skip


def test_substitute_without_an_answer_is_a_block() -> None:
    cfg = ModerationConfig.model_validate({"unsafe_action": "substitute"})
    m = Moderation(cfg, substitutes=LIB)
    assert m.rule(f("input", "A4a", "unsafe")).action == "block"  # nothing for A4a
    ruling = m.rule(f("input", "A1a", "unsafe"), "问题")
    assert ruling.action == "substitute" and ruling.substitute == LIB.entries[0]
    low = Moderation(cfg.model_copy(update={"substitute_min_score": 0.99}), substitutes=LIB)
    assert low.rule(f("input", "A1a", "unsafe"), "完全不同").action == "block"  # too dissimilar


def test_dry_run_never_stops() -> None:
    m = Moderation(ModerationConfig.model_validate({"dry_run": True}))
    ruling = m.rule(f("input", "A1a", "unsafe"))
    assert ruling.action == "block" and not ruling.stops
    assert "试运行" in ruling.decision().note
    keyword = m.rule(f("input", "A1a", "unsafe", check="keyword"))
    assert keyword.action == "block" and keyword.stops  # the keyword library always holds


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("还没说完", 0),
        ("一句。还没", 3),
        ("第一句！第二句？", 8),
        ("Pi is 3.", 0),  # a full stop at the very end may be a decimal point
        ("Pi is 3.14. Next", 11),
        ("行一\n行二", 3),
    ],
)
def test_sentence_end(text: str, end: int) -> None:
    assert sentence_end(text) == end


def test_sentences() -> None:
    assert sentences("甲。乙！丙") == ["甲。", "乙！", "丙"]
    assert sentences("  ") == []
