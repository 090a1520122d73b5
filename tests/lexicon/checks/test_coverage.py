from __future__ import annotations

import pytest

from beian.lexicon.checks import coverage
from tests.lexicon.checks._helpers import CORE, codes, context

FIGURES = {"lexicon.per_a1_risk_min": 2, "lexicon.per_a2_risk_min": 1}


def covered(**counts: int) -> list[tuple[str, str]]:
    """Two keywords per core risk, then ``counts`` overriding some risks' numbers."""
    want = {r: 2 for r in CORE} | counts
    return [(f"{r}词{i}", r) for r, n in want.items() for i in range(n)]


CASES = [
    # name, entries, codes, missing
    ("all covered", covered(), [], []),
    ("A1 short", covered(A1c=1), ["BA-LEX-002"], []),
    ("A2 at its minimum", covered(A2d=1), [], []),
    ("A2 missing", covered(A2e=0), ["BA-LEX-004"], ["A2e"]),
    ("A1 missing and A1 short", covered(A1a=0, A1b=1), ["BA-LEX-004", "BA-LEX-002"], ["A1a"]),
    ("non-core risks have no minimum", covered(A3a=0, A5b=1), [], []),
    ("empty library", [], ["BA-LEX-004"] * len(CORE), CORE),
]


@pytest.mark.parametrize(("name", "entries", "expected", "missing"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_coverage(
    name: str, entries: list[tuple[str, str]], expected: list[str], missing: list[str]
) -> None:
    ctx = context(entries, figures=FIGURES)
    assert codes(coverage.check, ctx) == expected
    assert coverage.missing_risks(ctx) == missing


def test_counts_and_minima() -> None:
    counts = {r.code: r for r in context(covered(A1c=1, A3a=3), figures=FIGURES).fact(
        coverage.risk_counts)}  # fmt: skip
    assert (counts["A1c"].count, counts["A1c"].minimum, counts["A1c"].ok) == (1, 2, False)
    assert (counts["A2a"].count, counts["A2a"].minimum, counts["A2a"].ok) == (2, 1, True)
    assert (counts["A3a"].count, counts["A3a"].minimum, counts["A3a"].ok) == (3, None, None)
