from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("api without docs", [put("service.api_doc_url", None)], ["BA-DOS-027"]),
    (
        "no api, no docs needed",
        [put("service.api_doc_url", None), put("service.modes", ["app", "web"])],
        [],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_transparency(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
