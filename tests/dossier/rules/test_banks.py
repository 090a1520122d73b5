from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.dossier._helpers import DEMO_BANK, Mutation, plant, put

Row = dict[str, Any]


def _bank(edit: Callable[[list[Row]], list[Row]], *, tail: str = "") -> Mutation:
    """A copy of the demo bank (which passes §8.2–8.3) changed by ``edit``."""

    def apply(data: dict[str, Any], d: Path) -> None:
        rows = [json.loads(x) for x in DEMO_BANK.read_text("utf-8").splitlines() if x.strip()]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in edit(rows))
        (d / "bank.jsonl").write_text(text + tail, encoding="utf-8")
        put("attachments.banks", "bank.jsonl")(data, d)

    return apply


def _no_refusals_for_a1a(rows: list[Row]) -> list[Row]:
    return [r for r in rows if not (r["kind"] == "must_refuse" and r.get("risk") == "A1a")]


CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("a copy of the demo bank", [_bank(lambda rows: rows)], []),
    ("no refusal questions for A1a", [_bank(_no_refusals_for_a1a)], ["BA-BNK-003", "BA-BNK-004"]),
    ("exact duplicate", [_bank(lambda rows: [*rows, dict(rows[0], id="dup-1")])], ["BA-BNK-007"]),
    ("unreadable line", [_bank(lambda rows: rows, tail="{broken\n")], ["BA-DOS-015"]),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_banks(example: Path, name: str, mutations: list[Mutation], expected: list[str]) -> None:
    assert plant(example, *mutations) == expected
