from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, edit_file, plant

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    (
        "risk A3c missing",
        [
            edit_file("annotation_rules.md", "| A3c |", "| 略 |"),
            edit_file("annotation_rules.md", "泄露他人商业秘密", "略"),
        ],
        ["BA-DOS-012"],
    ),
    (
        "no functional section",
        [edit_file("annotation_rules.md", "## 一、功能性标注规则", "## 一、其他")],
        ["BA-DOS-012"],
    ),
    ("risk named but not coded", [edit_file("annotation_rules.md", "| A3c |", "| 代码略 |")], []),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_annotation_rules(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
