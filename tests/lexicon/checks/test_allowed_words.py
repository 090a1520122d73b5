from __future__ import annotations

import pytest

from beian.lexicon.checks import allowed_words
from tests.lexicon.checks._helpers import codes, context

CASES = [
    # name, keywords, allow words, (keyword, allow word) pairs, codes
    ("no allow list", ["法官受贿"], [], [], []),
    ("contains an allow word", ["法官受贿", "具体词语"], ["法官"], [("法官受贿", "法官")],
     ["BA-LEX-007"]),
    ("equal to the allow word is not containing", ["法官"], ["法官"], [], []),
    ("two allow words inside one keyword", ["法官受贿案"], ["法官", "受贿"],
     [("法官受贿案", "受贿"), ("法官受贿案", "法官")], ["BA-LEX-007"]),
    ("case folded", ["ABC受贿"], ["abc"], [("ABC受贿", "abc")], ["BA-LEX-007"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "words", "allow", "pairs", "expected"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_allowed_words(
    name: str, words: list[str], allow: list[str], pairs: list[tuple[str, str]],
    expected: list[str],
) -> None:  # fmt: skip
    ctx = context([(w, "A3a") for w in words], allow=allow)
    assert ctx.fact(allowed_words.contains_allowed) == pairs
    assert codes(allowed_words.check, ctx) == expected
