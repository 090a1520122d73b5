from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("no consent", [put("model.corpus.sources.2.consent.personal", False)], ["BA-DOS-009"]),
    (
        "sensitive without separate consent",
        [put("model.corpus.sources.2.sensitive_personal_information", True)],
        ["BA-DOS-009"],
    ),
    (
        "sensitive with separate consent",
        [
            put("model.corpus.sources.2.sensitive_personal_information", True),
            put("model.corpus.sources.2.consent.sensitive_separate", True),
        ],
        [],
    ),
    (
        "sensitive only, separate consent given",
        [
            put("model.corpus.sources.0.sensitive_personal_information", True),
            put("model.corpus.sources.0.consent", {"sensitive_separate": True}),
        ],
        [],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_personal_info(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
