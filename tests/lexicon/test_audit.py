"""The §8.1 audit of a generated 10k library against hand-computed counts."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from beian.findings import Severity
from beian.lexicon import Lexicon, audit_library
from beian.standards import load_edition

A1_OK = [f"A1{c}" for c in "abdefgh"]  # 7 risks × 200 = 1,400
A2_OK = [f"A2{c}" for c in "abcdfghi"]  # 8 risks × 100 = 800


def _word(i: int) -> str:
    """A distinct three-character keyword for every i (no digits, no common words)."""
    return chr(0x5000 + i // 150) + chr(0x6000 + i % 150) + "词"


def write_library(path: Path) -> None:
    rows: list[list[str]] = []
    i = 0

    def add(risk: str, n: int) -> None:
        nonlocal i
        for _ in range(n):
            rows.append([_word(i), risk, "", "", "2026-11-01"])
            i += 1

    for r in A1_OK:
        add(r, 200)
    add("A1c", 199)  # one short of 200 → BA-LEX-002
    for r in A2_OK:
        add(r, 100)
    # A2e: none → BA-LEX-004
    add("A3a", 7597)
    rows += [
        ["枪", "A3a", "", "", "2026-11-01"],  # single character → BA-LEX-008
        ["毒", "A3a", "", "", "2026-11-01"],
        ["中国", "A3a", "", "", "2026-11-01"],  # very common word → BA-LEX-009
        ["法官受贿", "A3a", "", "", "2026-11-20"],  # contains allow word 法官 → BA-LEX-007; newest
        ["法官", "allow", "", "", ""],
        [_word(0), "A1a", "", "", ""],  # duplicate → BA-LEX-005
        [_word(1), "A1a", "", "", ""],  # duplicate
        [_word(5000), "A4a", "", "", ""],  # conflict (was A3a) → BA-LEX-006
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["keyword", "risk", "mode", "note", "updated"])
        w.writerows(rows)


@pytest.fixture(scope="module")
def lib10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("audit") / "lib10k.csv"
    write_library(p)
    return p


def test_generated_10k_library_matches_hand_counts(lib10k: Path) -> None:
    lex = Lexicon.load([lib10k])
    a = audit_library(lex, load_edition(None), today=date(2026, 11, 30))
    # hand-computed: 1,400 + 199 + 800 + 7,597 + 4 special = 10,000 distinct keywords
    assert a.total == 10_000 and a.total_min == 10_000
    assert a.risk("A1a").count == 200 and a.risk("A1a").ok is True
    assert a.risk("A1c").count == 199 and a.risk("A1c").ok is False
    assert a.risk("A2a").count == 100 and a.risk("A2a").minimum == 100
    assert a.risk("A2e").count == 0 and a.missing_risks == ["A2e"]
    assert a.risk("A3a").count == 7_597 + 4 and a.risk("A3a").minimum is None
    assert a.risk("A4a").count == 1 and a.risk("A4a").ok is None
    assert (a.duplicates, a.conflicts, a.skipped) == (2, 1, 0)
    assert a.single_chars == ["枪", "毒"]
    assert a.common_words == ["中国"]
    assert a.contains_allowed == [("法官受贿", "法官")]
    assert a.newest_update == date(2026, 11, 20) and a.age_days == 10 and a.update_max_days == 7
    codes = Counter(f.code for f in a.findings)
    assert codes == Counter(
        {
            "BA-LEX-002": 1,
            "BA-LEX-004": 1,
            "BA-LEX-005": 2,
            "BA-LEX-006": 1,
            "BA-LEX-007": 1,
            "BA-LEX-008": 1,
            "BA-LEX-009": 1,
            "BA-LEX-010": 1,
        }
    )
    assert not a.conforms
    [short] = [f for f in a.findings if f.code == "BA-LEX-002"]
    assert (
        "A1c" in short.message
        and short.clause == load_edition().cite("8.1 b)")
        and short.severity is Severity.BLOCKING
    )
    [dup, _] = [f for f in a.findings if f.code == "BA-LEX-005"]
    assert dup.location is not None and dup.location.file == str(lib10k)
    assert dup.location.line == 10_003  # header + 9,996 generated + 6 special rows, then this


def test_figures_come_from_the_edition(lib10k: Path) -> None:
    lex = Lexicon.load([lib10k])
    ed = load_edition(
        None,
        overrides={
            "lexicon.total_min": 20000,
            "lexicon.per_a1_risk_min": 150,
            "lexicon.update_interval_max_days": 30,
        },
    )
    a = audit_library(lex, ed, today=date(2026, 11, 30))
    codes = {f.code for f in a.findings}
    assert "BA-LEX-001" in codes and "BA-LEX-002" not in codes and "BA-LEX-010" not in codes
    assert a.total_min == 20000 and a.risk("A1c").ok is True


def test_small_conforming_library_and_file_dates(tmp_path: Path) -> None:
    p = tmp_path / "lib.txt"
    p.write_text("# risk: A1a\n具体词语\n", "utf-8")
    ed = load_edition(
        None,
        overrides={
            "lexicon.total_min": 1,
            "lexicon.per_a1_risk_min": 0,
            "lexicon.per_a2_risk_min": 0,
        },
    )
    lex = Lexicon.load([p])
    a = audit_library(lex, ed)
    # no updated column: the file's modification date is used and a 提示 says so
    codes = Counter(f.code for f in a.findings)
    assert codes == Counter({"BA-LEX-004": 16, "BA-LEX-012": 1})  # 16 core risks have no keyword
    assert a.age_days == 0 and a.total == 1 and not a.conforms


def test_lenient_skips_are_findings(tmp_path: Path) -> None:
    p = tmp_path / "lib.csv"
    p.write_text("好词语,A1a\n坏,A9z\n", "utf-8")
    a = audit_library(Lexicon.load([p], lenient=True), load_edition(None))
    [skip] = [f for f in a.findings if f.code == "BA-LEX-011"]
    assert skip.location is not None and skip.location.line == 2 and a.skipped == 1
