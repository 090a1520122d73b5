from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("at the limit", [put("model.corpus.sources.0.harmful_ratio", 5)], []),
    ("over the limit", [put("model.corpus.sources.0.harmful_ratio", 5.1)], ["BA-DOS-007"]),
    (
        "not verified",
        [put("model.corpus.sources.1.verified_after_collection", False)],
        ["BA-DOS-008"],
    ),
    ("ratio unknown", [put("model.corpus.sources.2.harmful_ratio", None)], ["BA-DOS-008"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_corpus_safety(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
