from __future__ import annotations

import pytest

from beian.findings import Location
from beian.lexicon import LoadProblem, LoadReport
from beian.lexicon.checks import load_problems
from tests.lexicon.checks._helpers import context

CASES = [
    # name, report, (code, location) of each finding
    ("clean", LoadReport(), []),
    (
        "duplicate at its line",
        LoadReport(duplicates=[LoadProblem("lib.csv:7", "重复", "duplicate")]),
        [("BA-LEX-005", Location(file="lib.csv", line=7))],
    ),
    (
        "conflict and skipped line, in that order",
        LoadReport(skipped=[LoadProblem("a.txt:2", "无法识别")],
                   conflicts=[LoadProblem("b.csv:9", "冲突", "conflict")]),
        [("BA-LEX-006", Location(file="b.csv", line=9)),
         ("BA-LEX-011", Location(file="a.txt", line=2))],
    ),
    (
        "a place without a line number has no location",
        LoadReport(skipped=[LoadProblem("词库.xlsx", "工作表为空")]),
        [("BA-LEX-011", None)],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "report", "expected"), CASES, ids=[c[0] for c in CASES])
def test_load_problems(
    name: str, report: LoadReport, expected: list[tuple[str, Location | None]]
) -> None:
    found = list(load_problems.check(context(report=report)))
    assert [(f.code, f.location) for f in found] == expected
