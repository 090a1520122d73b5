from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from beian.assess import AssessmentLog
from tests.dossier._helpers import NOW, Mutation, passing_log, plant, put, write_log


def _other_edition() -> AssessmentLog:
    log = passing_log()
    log.edition = "tc260-003-2024"
    return log


CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("not json", [write_log(lambda: "{not json")], ["BA-DOS-016"]),
    ("wrong shape", [write_log(lambda: '{"edition": 1, "results": "x"}')], ["BA-DOS-016"]),
    ("other edition", [write_log(_other_edition)], ["BA-DOS-017"]),
    (
        "stale",
        [write_log(lambda: passing_log(created_at=NOW - dt.timedelta(days=200)))],
        ["BA-DOS-018"],
    ),
    (
        "recent enough",
        [write_log(lambda: passing_log(created_at=NOW - dt.timedelta(days=179)))],
        [],
    ),
    ("file missing", [put("attachments.assessment", "gone.json")], ["BA-DOS-002"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_assessment_log(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
