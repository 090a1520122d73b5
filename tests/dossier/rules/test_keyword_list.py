from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import Mutation, plant, put, write_keyword_library


def _library(name: str, **kw: int) -> Mutation:
    def apply(data: dict[str, object], d: Path) -> None:
        write_keyword_library(d / name, **kw)
        put("attachments.keyword_list", name)(data, d)  # type: ignore[arg-type]

    return apply


def _text(name: str, text: str) -> Mutation:
    def apply(data: dict[str, object], d: Path) -> None:
        (d / name).write_text(text, encoding="utf-8")
        put("attachments.keyword_list", name)(data, d)  # type: ignore[arg-type]

    return apply


CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    (
        "too few per risk and in total",
        [_library("small.csv", per_risk=150)],
        ["BA-LEX-001", *["BA-LEX-002"] * 8],
    ),
    ("stale library", [_library("old.csv", age_days=30)], ["BA-LEX-010"]),
    ("unreadable", [_text("bad.csv", "keyword,risk\n好词,Z9z\n")], ["BA-DOS-013"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_keyword_list(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected
