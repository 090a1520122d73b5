"""``Lexicon.scan_stream``: hits, and where a text's unfinished tail begins (original offsets)."""

from __future__ import annotations

import random

import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

LEX = Lexicon.from_entries(
    [
        KeywordEntry("测试违禁词", "A1a"),
        KeywordEntry("法轮功", "A1a", frozenset({"pinyin", "homophone"})),
        KeywordEntry("abc", "A2a"),
    ],
    allow=["北京测试违禁词研究所"],
)

# text, keywords hit, the held tail (text[pending:])
CASES = [
    ("今天天气很好", [], ""),
    ("今天天气测", [], "测"),  # could begin 测试违禁词
    ("今天天气测试违", [], "测试违"),
    ("今天天气測試", [], "測試"),  # traditional forms fold first
    ("今天 测 试 违", [], "测 试 违"),  # noise inside the tail is held with it
    ("测测测试", [], "测测测试"),  # every copy of a repeated first character
    ("ＡＢ", [], "ＡＢ"),  # full-width ASCII
    ("今天天气测  。", [], ""),  # 。 stops a match: nothing can continue it
    ("今天天气测      ", [], ""),  # a noise run longer than the gap stops it too
    ("说法", [], "法"),
    ("说发伦", [], "发伦"),  # a homophone of the start of 法轮功
    ("falun", [], "falun"),  # pinyin of the start of 法轮功
    ("今天测试违禁词", ["测试违禁词"], "测试违禁词"),  # a whole pattern is held too
    ("我们abc", [], "abc"),  # "abcd" would be no hit: undecided until the next character
    ("我们abc，", ["abc"], "abc，"),  # decided, and held (the stream is blocked anyway)
    ("北京测", [], "北京测"),  # may still become the allow-listed 北京测试违禁词研究所
    ("北京测试违禁词", [], "北京测试违禁词"),  # likewise: no hit yet, all of it held
    ("北京测试违禁词研究所", [], "北京测试违禁词研究所"),
    ("北京测试违禁词大厦", ["测试违禁词"], ""),
]


@pytest.mark.parametrize(("text", "keywords", "tail"), CASES)
def test_scan_stream(text: str, keywords: list[str], tail: str) -> None:
    hits, pending = LEX.scan_stream(text)
    assert [h.keyword for h in hits] == keywords
    assert set(hits) <= set(LEX.scan(text))  # those the text to come cannot undo
    assert text[pending:] == tail


def test_raw_mode() -> None:
    steps = dict(nfkc=False, casefold=False, t2s=False, numbers=False, noise=False, lookalike=False)
    lex = Lexicon.from_entries(
        [("测试违禁词", "A1a")], LexiconConfig(**steps, collapse_repeats=False)
    )
    assert lex.scan_stream("好的测试") == ([], 2)
    assert lex.scan_stream("好的測試") == ([], 4)  # no folding in raw mode


@pytest.mark.parametrize("seed", range(60))
def test_a_stream_blocks_before_any_character_of_a_hit_is_released(seed: int) -> None:
    """Release everything before the pending tail after every character: the stream is blocked
    before any character of a hit has been released. (It may be blocked a character after the
    hit ends, when the hit is undecided until then: an ASCII keyword's right edge, or a hit
    inside what may still become an allow-listed word.)"""
    rng = random.Random(seed)
    variants = ["测试违禁词", "測試違禁詞", "测 试 违 禁 词", "测测试违禁词", "发伦工", "abc"]
    pieces = ["正常", "测量", "说法", "，", " ", "ab", "北京测试"]
    text = "".join(rng.choice(pieces) for _ in range(8))
    if seed % 3:  # two in three texts carry a keyword form
        cut = rng.randint(0, len(text))
        text = text[:cut] + rng.choice(variants) + text[cut:]
    whole = LEX.scan(text)
    released = 0
    for end in range(1, len(text) + 1):
        hits, pending = LEX.scan_stream(text[:end])
        if hits:
            assert all(h.start >= released for h in hits)
            assert whole and min(h.end for h in whole) <= end
            return
        released = max(released, pending)
    # the end of the stream: the screener scans the held tail, so a hit left there blocks too
    assert all(h.start >= released for h in whole)
