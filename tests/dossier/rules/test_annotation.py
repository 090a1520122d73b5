from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("same person", [put("model.annotation.tasks.0.reviewers", ["R01", "A02"])], ["BA-DOS-010"]),
    ("no reviewer", [put("model.annotation.tasks.1.reviewers", [])], ["BA-DOS-010"]),
    ("untrained", [put("model.annotation.annotators_trained", False)], ["BA-DOS-011"]),
    ("not assessed", [put("model.annotation.annotators_assessed", False)], ["BA-DOS-011"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_annotation(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
