from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("agreement file missing", [put("attachments.service_agreement", "nope.md")], ["BA-DOS-002"]),
    ("absolute path missing", [put("attachments.banks", "/nonexistent/banks")], ["BA-DOS-002"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_attachments(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
