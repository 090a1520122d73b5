from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put

CASES: list[tuple[str, Mutation | None, list[str]]] = [
    ("valid", None, []),
    ("valid lower case", put("provider.uscc", "91110108ma01c0rp1j"), []),
    ("wrong check digit", put("provider.uscc", "91110108MA01C0RP1K"), ["BA-DOS-003"]),
    ("too short", put("provider.uscc", "91110108MA01C0RP1"), ["BA-DOS-003"]),
    ("forbidden letter O", put("provider.uscc", "91110108MA01COOP1J"), ["BA-DOS-003"]),
    ("empty: reported by completeness only", put("provider.uscc", ""), ["BA-DOS-001"]),
]


@pytest.mark.parametrize(("name", "mutation", "expected"), CASES, ids=[c[0] for c in CASES])
def test_uscc(example: Path, name: str, mutation: Mutation | None, expected: list[str]) -> None:
    assert plant(example, *([mutation] if mutation else [])) == expected
