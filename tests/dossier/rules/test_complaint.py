from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("no channels", [put("safety.complaint.channels", [])], ["BA-DOS-023"]),
    ("no rules", [put("safety.complaint.rules_url", None)], ["BA-DOS-023"]),
    ("no time limit", [put("safety.complaint.response_days", None)], ["BA-DOS-023"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_complaint(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
