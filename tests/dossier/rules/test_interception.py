from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("no keywords", [put("operations.interception.keywords", False)], ["BA-DOS-028"]),
    ("no classifier", [put("operations.interception.classifier", False)], ["BA-DOS-028"]),
    ("no monitors", [put("operations.interception.monitors", 0)], ["BA-DOS-028"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_interception(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
