from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("not offered", [put("safety.training_opt_out.offered", False)], ["BA-DOS-026"]),
    ("at the limit", [put("safety.training_opt_out.clicks", 4)], []),
    ("too many clicks", [put("safety.training_opt_out.clicks", 5)], ["BA-DOS-026"]),
    ("clicks unknown", [put("safety.training_opt_out.clicks", None)], ["BA-DOS-026"]),
    ("no notice", [put("safety.training_opt_out.notice", "")], ["BA-DOS-026"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_opt_out(example: Path, name: str, mutations: list[Mutation], expected: list[str]) -> None:
    assert plant(example, *mutations) == expected
