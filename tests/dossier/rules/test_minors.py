from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, edit_file, plant, put

AGREEMENT = edit_file(
    "service_agreement.md",
    "## 八、投诉举报",
    "## 九、未成年人保护\n\n未成年人模式。\n\n## 八、投诉举报",
)
CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("minors without measures", [put("service.scope.minors", True), AGREEMENT], ["BA-DOS-022"]),
    (
        "minors with blank measures",
        [put("service.scope.minors", True), put("service.scope.minors_measures", [" "]), AGREEMENT],
        ["BA-DOS-022"],
    ),
    (
        "minors with measures",
        [
            put("service.scope.minors", True),
            put("service.scope.minors_measures", ["未成年人模式"]),
            AGREEMENT,
        ],
        [],
    ),
    # a service not meant for minors says how it keeps them out (a warning: text unverified)
    ("not for minors, no keep-out", [put("service.scope.minors_exclusion", [])], ["BA-DOS-035"]),
    (
        "not for minors, blank keep-out",
        [put("service.scope.minors_exclusion", [" "])],
        ["BA-DOS-035"],
    ),
    (
        "for minors, no keep-out needed",
        [
            put("service.scope.minors", True),
            put("service.scope.minors_measures", ["未成年人模式"]),
            put("service.scope.minors_exclusion", []),
            AGREEMENT,
        ],
        [],
    ),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_minors(example: Path, name: str, mutations: list[Mutation], expected: list[str]) -> None:
    assert plant(example, *mutations) == expected
