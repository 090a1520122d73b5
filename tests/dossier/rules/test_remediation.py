from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

FULL = {"clause": "8.1", "measures_taken": "已采购", "plan": "补充至 10000 个", "proof": "合同"}
CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("none", [put("remediation", [])], []),
    ("taken plus plan with proof", [put("remediation", [FULL])], []),
    (
        "equivalent measure with proof",
        [put("remediation", [{"clause": "7-f", "equivalent_measure": "x", "proof": "y"}])],
        [],
    ),
    ("unknown clause", [put("remediation", [{**FULL, "clause": "8.9"}])], ["BA-DOS-033"]),
    (
        "plan without measures",
        [put("remediation", [{**FULL, "measures_taken": " "}])],
        ["BA-DOS-034"],
    ),
    ("no proof", [put("remediation", [{**FULL, "proof": None}])], ["BA-DOS-034"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_remediation(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
