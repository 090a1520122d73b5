from __future__ import annotations

import pytest

from beian.lexicon.checks import common_words
from tests.lexicon.checks._helpers import codes, context

CASES = [
    # name, keywords, the caller's extra common words, common keywords, codes
    ("none", ["具体词语"], [], [], []),
    ("builtin list", ["中国", "具体词语"], [], ["中国"], ["BA-LEX-009"]),
    ("caller's own words", ["具体词语"], ["具体词语"], ["具体词语"], ["BA-LEX-009"]),
]


@pytest.mark.parametrize(("name", "words", "extra", "commons", "expected"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_common_words(
    name: str, words: list[str], extra: list[str], commons: list[str], expected: list[str]
) -> None:
    ctx = context([(w, "A3a") for w in words], common=extra)
    assert ctx.fact(common_words.common_keywords) == commons
    assert codes(common_words.check, ctx) == expected


def test_builtin_list_is_keyed() -> None:
    assert "中国" in common_words.builtin_common_words()
