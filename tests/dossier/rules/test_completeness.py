from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("provider name blank", [put("provider.name", "  ")], ["BA-DOS-001"]),
    (
        "contacts only blank",
        [put("provider.contacts", [{"name": "", "phone": ""}])],
        ["BA-DOS-001"],
    ),
    ("no functions", [put("service.functions", [])], ["BA-DOS-001"]),
    ("no training compute", [put("model.training_compute", None)], ["BA-DOS-001"]),
    (
        "two fields",
        [put("safety.backup", ""), put("safety.encryption", ...)],
        ["BA-DOS-001", "BA-DOS-001"],
    ),
    (
        "registration needs no training compute",
        [
            put("service.kind", "registration"),
            put("model.training_compute", ""),
            put("model.corpus.total_scale", ""),
        ],
        [],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_completeness(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
