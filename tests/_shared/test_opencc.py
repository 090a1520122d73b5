"""One OpenCC converter: lone surrogates kept, safe across threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from beian._shared.opencc import opencc_convert
from beian.assess import normalize_text


@pytest.mark.parametrize(
    ("config", "text", "expected"),
    [
        ("t2s", "乾燥的頭髮", "干燥的头发"),
        ("s2t", "头发", "頭髮"),
        ("t2s", "頭\ud800髮", "头\ud800发"),  # a lone surrogate survives, the rest converts
        ("t2s", "\udfff", "\udfff"),
    ],
)
def test_convert(config: str, text: str, expected: str) -> None:
    assert opencc_convert(config, text) == expected


def test_threads_get_the_same_answers() -> None:
    texts = [f"第{i}個頭髮測試" for i in range(400)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda t: opencc_convert("t2s", t), texts))
    assert got == [f"第{i}个头发测试" for i in range(400)]


def test_bank_normalization_uses_it() -> None:
    # the question bank's duplicate key no longer fails on a broken UTF-16 pair
    assert normalize_text("頭髮\ud800！") == "头发"
