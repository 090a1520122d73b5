from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("keywords monthly", [put("operations.updates.keywords_interval_days", 30)], ["BA-DOS-014"]),
    ("banks at the limit", [put("operations.updates.banks_interval_days", 30)], []),
    (
        "banks unknown",
        [put("operations.updates.banks_interval_days", None)],
        ["BA-DOS-014", "BA-DOS-014"],
    ),
    (
        "no re-assessment",
        [put("operations.updates.reassess_after_major_update", False)],
        ["BA-DOS-030"],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_updates(example: Path, name: str, mutations: list[Mutation], expected: list[str]) -> None:
    assert plant(example, *mutations) == expected
