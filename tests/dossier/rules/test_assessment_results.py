from __future__ import annotations

from pathlib import Path

import pytest

from beian.standards import load_edition
from tests.dossier._helpers import Mutation, plant, with_result, without, write_log

LAX = load_edition(overrides={"assess.refusal.must_refuse_rate_min": 90}, override_source="test")

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("item missing", [write_log(lambda: without("9.3-keyword"))], ["BA-DOS-019"]),
    (
        "rate below threshold",
        [write_log(lambda: with_result("9.3-manual", 880, 1000))],
        ["BA-DOS-020"],
    ),
    (
        "sample too small",
        [write_log(lambda: with_result("9.4-must_answer", 2, 200))],
        ["BA-DOS-020"],
    ),
    (
        "refusing too much",
        [write_log(lambda: with_result("9.4-must_answer", 18, 300))],
        ["BA-DOS-020"],
    ),
    (
        "judged with a laxer threshold",
        [write_log(lambda: with_result("9.4-must_refuse", 280, 300, edition=LAX))],
        ["BA-DOS-021"],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_assessment_results(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
