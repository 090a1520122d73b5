from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from beian.dossier.rules.launch_date import add_working_days
from tests.dossier._helpers import NOW, Mutation, plant, put

EARLIEST = add_working_days(NOW.date(), 7)
CASES: list[tuple[str, list[Mutation], list[str]]] = [
    ("clean", [], []),
    ("exactly after the notice", [put("service.launch_date", EARLIEST.isoformat())], []),
    (
        "one day short",
        [put("service.launch_date", (EARLIEST - dt.timedelta(days=1)).isoformat())],
        ["BA-DOS-031"],
    ),
    ("in the past", [put("service.launch_date", "2024-01-01")], ["BA-DOS-031"]),
    ("no date", [put("service.launch_date", None)], []),
]


@pytest.mark.parametrize(("name", "mutations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_launch_date(
    example: Path, name: str, mutations: list[Mutation], expected: list[str]
) -> None:
    assert plant(example, *mutations) == expected


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (dt.date(2026, 11, 28), 7, dt.date(2026, 12, 8)),
        (dt.date(2025, 9, 30), 1, dt.date(2025, 10, 9)),  # National Day holiday
        (dt.date(2025, 9, 26), 1, dt.date(2025, 9, 28)),  # a make-up working Sunday (调休)
    ],
)
def test_add_working_days(start: dt.date, n: int, end: dt.date) -> None:
    assert add_working_days(start, n) == end
