from __future__ import annotations

from datetime import date

import pytest

from beian.lexicon import KeywordEntry, LoadReport
from beian.lexicon.checks import freshness
from tests.lexicon.checks._helpers import codes, context


def dated(*days: date | None) -> list[KeywordEntry]:
    return [KeywordEntry(f"词语{i}", "A3a", updated=d) for i, d in enumerate(days)]


FILES = LoadReport(file_dates={"lib.txt": date(2026, 11, 1)})
CASES = [
    # name, entries, report, newest, age, codes
    ("fresh", dated(date(2026, 11, 25), date(2026, 11, 28)), None, date(2026, 11, 28), 2, []),
    ("at the limit", dated(date(2026, 11, 23)), None, date(2026, 11, 23), 7, []),
    ("stale", dated(date(2026, 11, 22)), None, date(2026, 11, 22), 8, ["BA-LEX-010"]),
    ("newest date counts, undated rows ignored", dated(None, date(2026, 11, 29)), FILES,
     date(2026, 11, 29), 1, []),
    ("no dates: the files' dates, and a note", dated(None), FILES, date(2026, 11, 1), 29,
     ["BA-LEX-012", "BA-LEX-010"]),
    ("empty library says nothing", [], None, None, None, []),
    ("a date after today (a typo) is flagged", dated(date(2026, 11, 28), date(2027, 11, 28)), None,
     date(2027, 11, 28), -363, ["BA-LEX-013"]),
    ("files dated after --today are no typo", dated(None), LoadReport(file_dates={"l.txt": date(2026, 12, 8)}),
     date(2026, 12, 8), -8, ["BA-LEX-012"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "entries", "report", "newest", "age", "expected"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_freshness(
    name: str, entries: list[KeywordEntry], report: LoadReport | None, newest: date | None,
    age: int | None, expected: list[str],
) -> None:  # fmt: skip
    ctx = context(entries, report=report)
    f = ctx.fact(freshness.freshness)
    assert (f.newest, f.age_days) == (newest, age)
    assert codes(freshness.check, ctx) == expected


def test_the_limit_is_the_editions_figure() -> None:
    ctx = context(dated(date(2026, 11, 1)), figures={"lexicon.update_interval_max_days": 30})
    assert codes(freshness.check, ctx) == []
