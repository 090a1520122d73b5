"""The quiet-text fast path of ``Lexicon.scan_stream`` gives exactly what the full scan gives.

Texts mix ordinary Chinese and English with keyword forms the scan folds (traditional,
full-width, noise, invisible characters, repeats, pinyin, homophones, chaizi, look-alikes,
digits and symbols for letters, styled initials, numbered separators, Unihan variants, mixed
forms, allow-listed words), cut into random chunks the way the gateway's stream screener feeds them:
each scan covers the held tail plus the new chunk. Every one of those scans (and every prefix
of the text) must equal the reference path, which skips no work.
"""

from __future__ import annotations

import random

import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

ENTRIES = [
    KeywordEntry("测试违禁词", "A1a"),
    KeywordEntry("法轮功", "A1a", frozenset({"pinyin", "homophone"})),
    KeywordEntry("abc", "A2a"),
    KeywordEntry("翻墙软件", "A2b", frozenset({"pinyin"})),
    KeywordEntry("冰毒", "A1b"),
    KeywordEntry("VPN", "A2c"),
    KeywordEntry("赌", "A1c"),  # one character
    KeywordEntry("止咳水", "A1b"),
    KeywordEntry("开房", "A2d"),
    KeywordEntry("裸聊", "A2d"),
    KeywordEntry("色情", "A2d"),
    KeywordEntry("人体炸弹", "A1a"),
    KeywordEntry("砍人", "A1a"),
]
ALLOW = ["北京测试违禁词研究所", "冰毒品检测"]

FORMS = [
    "测试违禁词", "測試違禁詞", "测 试 违 禁 词", "测\u200b试\u2060违\u00ad禁\ufe0f词", "测测试违禁词",
    "法轮功", "falungong", "FaLunGong", "发伦工", "氵去轮功", "法輪功", "ｆａｌｕｎ",
    "abc", "ABC", "ａｂｃ", "abcd", "xabc", "翻墙软件", "fanqiangruanjian", "翻 墙",
    "冰毒", "冰毒品检测", "北京测试违禁词研究所", "VPN", "vpn", "ＶＰＮ", "赌", "賭",
    "测", "法", "fa", "冰", "北京测",
    "bingdu", "Bing Du", "b1ngdu", "b!ngdu", "bingdu_x", "2h1k35hu1", "zhik3shui", "止k水", "止咳水",
    "k@", "2h", "躶", "氵去车仑功", "冫去轮功",
    "开①房", "开①", "①房", "开 ② 房", "躶聊", "ⓢⓠ", "ⓢ", "𝐬𝐪", "人体Z弹", "k@nr3n", "k4n", "2", "$",
    "$eq1ng", "天天", "好好",
]  # fmt: skip
FILLER = [
    "光合作用是植物利用光能", "把二氧化碳和水转化为有机物", "，", "。", " ", "\n", "今天天气很好",
    "The model uses Python 3.12", "and GPT-4", "测量", "说法", "一", "abcdef", "123", "！", "法律",
]  # fmt: skip

RAW = ("nfkc", "casefold", "t2s", "numbers", "noise", "lookalike", "collapse_repeats")
LEXICONS = {
    "default": Lexicon.from_entries(ENTRIES, allow=ALLOW),
    "no-collapse": Lexicon.from_entries(
        ENTRIES, LexiconConfig(collapse_repeats=False, lookalike=False), allow=ALLOW
    ),
    "raw": Lexicon.from_entries(ENTRIES[2:], LexiconConfig(**dict.fromkeys(RAW, False))),
}


def _text(rng: random.Random) -> str:
    parts = [rng.choice(FILLER) for _ in range(rng.randint(1, 6))]
    for _ in range(rng.randint(0, 2)):
        parts.insert(rng.randint(0, len(parts)), rng.choice(FORMS))
    return "".join(parts)


def _chunks(rng: random.Random, text: str) -> list[str]:
    out, i = [], 0
    while i < len(text):
        k = rng.randint(1, 30)
        out.append(text[i : i + k])
        i += k
    return out


@pytest.mark.parametrize("name", sorted(LEXICONS))
@pytest.mark.parametrize("seed", range(4))
def test_fast_path_equals_the_full_scan_on_random_chunkings(name: str, seed: int) -> None:
    lex = LEXICONS[name]
    rng = random.Random(seed * 7919 + len(name))
    checked = quiet = 0
    for _ in range(150):
        text = _text(rng)
        scans = [text[:end] for end in range(1, len(text) + 1)]
        for _ in range(3):  # as the stream screener feeds it: held tail + the new chunk
            buf = ""
            for piece in _chunks(rng, text):
                buf += piece
                scans.append(buf)
                _, pending = lex._scan_stream_full(buf)
                buf = buf[max(0, pending - rng.randint(0, 8)) :]
        for s in scans:
            got = lex.scan_stream(s)
            assert got == lex._scan_stream_full(s), (name, s)
            checked += 1
            quiet += not lex.scan(s) and got[1] == len(s)
    assert checked > 3000 and quiet > 100  # the fast path was taken, and not only it


def test_a_chunk_that_folds_into_a_keyword_start_is_not_quiet() -> None:
    """Each way a character can fold into a keyword's first character keeps it out of the
    fast path's quiet set: traditional, full-width, upper case, homophone, chaizi component."""
    lex = LEXICONS["default"]
    for tail in ["測", "ｆ", "F", "发", "氵", "Ａ", "賭"]:
        _, pending = lex.scan_stream("今天" + tail)
        assert pending == 2, tail
    assert lex.scan_stream("今天天气很好") == ([], 6)
