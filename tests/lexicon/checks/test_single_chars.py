from __future__ import annotations

import pytest

from beian.lexicon.checks import single_chars
from tests.lexicon.checks._helpers import codes, context

CASES = [
    # name, keywords, singles, codes
    ("none", ["具体词语", "两字"], [], []),
    ("two singles, sorted", ["枪", "具体词语", "毒"], ["枪", "毒"], ["BA-LEX-008"]),
    ("full-width letter folds to one character", ["Ａ"], ["Ａ"], ["BA-LEX-008"]),
    ("spaces around do not count", [" 枪 "], [" 枪 "], ["BA-LEX-008"]),
]


@pytest.mark.parametrize(("name", "words", "singles", "expected"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_single_chars(name: str, words: list[str], singles: list[str], expected: list[str]) -> None:
    ctx = context([(w, "A3a") for w in words])
    assert ctx.fact(single_chars.single_chars) == singles
    assert codes(single_chars.check, ctx) == expected


def test_the_message_lists_at_most_twenty() -> None:
    words = [chr(0x4E00 + i) for i in range(25)]
    (f,) = single_chars.check(context([(w, "A3a") for w in words]))
    assert "等 25 个" in f.message and chr(0x4E00 + 20) not in f.message
