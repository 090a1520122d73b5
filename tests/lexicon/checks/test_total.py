from __future__ import annotations

import pytest

from beian.lexicon.checks import total
from tests.lexicon.checks._helpers import codes, context

CASES = [
    # name, keywords, total_min, distinct, codes
    ("enough", ["甲词", "乙词", "丙词"], 3, 3, []),
    ("short", ["甲词", "乙词"], 3, 2, ["BA-LEX-001"]),
    ("case and width fold", ["ABC词", "abc词", "ＡＢＣ词"], 2, 1, ["BA-LEX-001"]),
    ("empty", [], 1, 0, ["BA-LEX-001"]),
]


@pytest.mark.parametrize(("name", "words", "minimum", "distinct", "expected"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_total(
    name: str, words: list[str], minimum: int, distinct: int, expected: list[str]
) -> None:
    ctx = context([(w, "A1a") for w in words], figures={"lexicon.total_min": minimum})
    assert ctx.fact(total.distinct_total) == distinct
    assert codes(total.check, ctx) == expected
