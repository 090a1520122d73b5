"""Texts with every evasion form the scan folds, and every way to cut them into stream chunks.

Shared by the lexicon's own stream test (the release protocol of ``scan_stream``) and the
gateway's stream screener test: a form split across chunks at any position must be caught as
the whole text is, and no character of a hit may leave before the stream is blocked.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from beian.lexicon import KeywordEntry

ENTRIES = [
    KeywordEntry("砍人", "A1a"),
    KeywordEntry("止咳水", "A1b"),
    KeywordEntry("色情", "A2a"),
    KeywordEntry("开房", "A2b"),
    KeywordEntry("裸聊", "A2c"),
    KeywordEntry("人体炸弹", "A1c"),
    KeywordEntry("恐怖袭击", "A1d"),
    KeywordEntry("冰毒", "A1e"),
    KeywordEntry("测试违禁词", "A3a"),
    KeywordEntry("法轮功", "A3b", frozenset({"pinyin", "homophone"})),
    KeywordEntry("千术", "A1h"),
    KeywordEntry("成人网站", "A2a"),
]
ALLOW = ["北京测试违禁词研究所"]

# (kind, form): every form is a hit of the whole-text scan (asserted by the tests)
FORMS = [
    ("leet", "k@nr3n"), ("leet", "kanr3n"), ("leet", "k4nren"), ("leet", "2h1k35hu1"),
    ("leet", "zhik3shui"), ("leet", "b1ngdu"), ("leet", "$eq1ng"), ("leet", "ｋ＠ｎｒ３ｎ"),
    ("leet", "止咳$hui"),
    ("styled", "ⓢⓠ"), ("styled", "𝐬𝐪"), ("styled", "⒮⒬"), ("styled", "ⓢ ⓠ"),
    ("numbered", "开①房"), ("numbered", "开②房"), ("numbered", "开 ① 房"), ("numbered", "色①情"),
    ("unihan", "躶聊"), ("unihan", "躶 聊"),
    ("mixed", "人体Z弹"), ("mixed", "kongbu袭j"), ("mixed", "止k水"),
    ("pinyin", "bingdu"), ("pinyin", "falungong"), ("homophone", "发伦工"),
    ("noise", "测\u200b试 违禁词"), ("traditional", "測試違禁詞"), ("chaizi", "氵去轮功"),
    ("separated", "开-fang"), ("separated", "se·情"), ("separated", "裸_liao"),
    ("lettered", "开f"), ("lettered", "b毒"), ("lettered", "kanR"), ("lettered", "bingD"),
    ("split", "裸(耳卯)"), ("split", "裸耳 卯"), ("split", "石 欠人"), ("split", "【石欠】人"),
    ("shinjitai", "人体炸弾"), ("shinjitai", "恐怖袭撃"),
    ("homophone_mixed", "堪ren"), ("homophone_mixed", "瑟qing"), ("homophone_mixed", "指咳shui"),
    ("homophone_mixed", "ren体炸蛋"),
    ("homophone_gap", "坎~忍"), ("homophone_gap", "冰🔥读"), ("homophone_gap", "只 可 水"),
    ("homophone_gap", "止⁠可⁠睡"), ("homophone_gap", "坎坎*仁"), ("homophone_gap", "色※晴"),
    ("split_symbol", "石✨欠人"), ("split_symbol", "石欠~人"), ("styled_letters", "ᴋᴀɴʀᴇɴ"),
    ("styled_letters", "🅱🅸🅽🅶🅳🆄"),
    ("line_break", "人体\n炸弹"), ("line_break", "恐怖\r\n袭击"),
    ("kana", "チ术"), ("compat_supplement", "\U0002f8b2人网站"),
    ("full_radical", "色心青"),
]  # fmt: skip
# ordinary text, with near misses: digits beside letters, lone marks, pieces of forms
FILLER = [
    "今天天气很好", "，", "。", " ", "看", "开", "①", "2", "k@", "GPT-4o", "a1", "ok", "Python 3.12",
    "色", "s", "躶", "北京测", "冰", "了", "\u200b", "zhi", "$", "ⓢ", "kan", "堪", "(", "-", "R",
    "耳", "石", "~", "坎", "🔥", "只 ", "⁠", "喜 迁", "色・情",
]  # fmt: skip


def texts(rng: random.Random, kind: str, count: int) -> Iterator[str]:
    """``count`` texts with forms of ``kind`` (one or two) among filler; every fourth has none
    (filler letters beside a form may also break its word boundary: no hit either)."""
    forms = [f for k, f in FORMS if k == kind]
    for i in range(count):
        parts = [rng.choice(FILLER) for _ in range(rng.randint(0, 4))]
        for _ in range(0 if i % 4 == 0 else rng.randint(1, 2)):
            parts.insert(rng.randint(0, len(parts)), rng.choice(forms))
        yield "".join(parts)


def chunkings(rng: random.Random, text: str) -> Iterator[list[str]]:
    """Every single cut, one character at a time, and a few random multi-cuts."""
    n = len(text)
    for c in range(1, n):
        yield [text[:c], text[c:]]
    yield list(text)
    for _ in range(4):
        cuts = sorted(rng.sample(range(1, n), rng.randint(0, min(6, n - 1)))) if n > 1 else []
        yield [text[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
