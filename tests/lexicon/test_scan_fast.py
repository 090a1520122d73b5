"""The scan's fast paths (branch k23p) against the slower code they stand for.

Each fast path must give exactly what the general code gives: the one-pass drop of noise and
invisible characters (long texts) against the per-character normalizer, the separators found
from the dropped characters against ``np.diff`` over the whole text, the hyperscan database
layout against one pattern list, matches that need a repeat dropped before resolving and the
plain-span shortcut against resolving every match; the original offsets found from the dropped
ones (k23q) against the whole offset array, and the collapse of a few repeats by copies. The texts are the development evasion
tables, each alone (short texts) and joined into long ones, and random texts rich in noise runs,
invisible characters, line breaks, tone numbers, number styles and repeats.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig, _lexicon, _matcher
from beian.lexicon._fold import RULE_BITS, FoldFlags, fold_table
from beian.lexicon._normalize import _normalize_long, _normalize_short, normalize, separated
from beian.lexicon._spans import _span_rules
from tests.lexicon.evasion._support import KINDS, rows

# noise of every kind, invisible characters (zero-width, variation selector), separators,
# barriers, CR and LF, characters that fold to several (ﬁ, ㎏), number styles between Chinese
# characters, letters and tone numbers, full-width and traditional forms
PIECES = [
    *"法轮功赌博吸毒开房台独臺獨",
    *"  ＊*·~-_，。！\n\r",
    "\u200b",
    "\ufe0f",
    "\u200b\u200b",
    "* \u200b *",
    "ﬁ",
    "㎏",
    "①",
    "⑴",
    "du3",
    "bo2",
    "mp3",
    "ＡＢ",
    "xd",
    "😀",
    "哈哈",
    "吸吸毒",
    "\r\n",
    "\n\n",
]
# the same without what expands or drops a character otherwise (ﬁ, ㎏, number styles, tones):
# texts where the kept characters are exactly those not dropped as noise (the fast path)
PLAIN = [p for p in PIECES if p not in {"ﬁ", "㎏", "①", "⑴", "du3", "bo2", "mp3"}]


def _long_texts(seed: str, count: int = 60, pieces: list[str] = PIECES) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(60, 900))) for _ in range(count)]


def _lists(n: object) -> tuple[list[int], list[int], list[int] | None]:
    return n.codes.tolist(), n.src.tolist(), n._adj  # type: ignore[attr-defined]


@pytest.mark.parametrize("noise", [True, False])
@pytest.mark.parametrize("max_gap", [None, 0, 1, 3])
def test_long_normalizer_equals_the_per_character_one_on_long_texts(
    noise: bool, max_gap: int | None
) -> None:
    ft = fold_table(FoldFlags(noise=noise))
    for collapse in (True, False):
        plain = _long_texts(f"plain{noise}{max_gap}{collapse}", 20, PLAIN)
        for text in _long_texts(f"{noise}{max_gap}{collapse}") + plain:
            fast = _normalize_long(text, ft, max_gap, collapse)
            assert _lists(fast) == _lists(_normalize_short(text, ft, max_gap, collapse)), text
            # the ASCII positions kept from the normalizer's digit scan: a scan of the codes
            codes = fast.codes
            assert fast.ascii_at().tolist() == np.flatnonzero(codes < 0x80).tolist(), text  # type: ignore[operator]
            if fast.dropped is not None:  # exactly the offsets that were not kept
                kept = np.ones(len(text), dtype=bool)
                kept[fast.dropped] = False
                assert fast.src.tolist() == np.flatnonzero(kept).tolist()  # type: ignore[union-attr]


def _few_repeats(seed: str) -> list[str]:
    """Long texts (thousands of characters) with a few repeats (fewer than one in 1024: the
    collapse copies the stretches between them) and noise, invisible characters, line breaks."""
    rng = random.Random(seed)
    cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    extra = ["  ", "*", "\u200b", "\n", "，", "ＡＢ", "xd", "😀", "臺"]
    out = []
    for _ in range(12):
        chars, size = [cjk[0]], rng.randint(3000, 9000)
        while len(chars) < size:  # no repeat by chance
            chars.append(rng.choice([c for c in rng.sample(cjk, 2) if c != chars[-1]]))
        for _ in range(rng.randint(0, 4)):  # repeats
            k = rng.randrange(1, len(chars))
            chars[k] = chars[k - 1]
        for _ in range(rng.randint(0, 200)):
            chars.insert(rng.randrange(len(chars)), rng.choice(extra))
        out.append("".join(chars))
    return out


def test_offsets_kept_as_dropped_ones_and_few_repeats_equal_the_general_code() -> None:
    """Long texts keep only the dropped offsets (k23q): each offset found from them, one at a
    time or many at once, is the per-character normalizer's; few repeats collapse by copies."""
    ft = fold_table(FoldFlags())
    rng = random.Random(23)
    for max_gap in (None, 3):
        texts = _few_repeats(f"few{max_gap}") + _long_texts(f"lazy{max_gap}", 20, PLAIN)
        for text in texts:
            fast = _normalize_long(text, ft, max_gap, True)
            slow = _normalize_short(text, ft, max_gap, True)
            assert _lists(fast) == _lists(slow), text
            codes = fast.codes
            assert fast.ascii_at().tolist() == np.flatnonzero(codes < 0x80).tolist()  # type: ignore[operator]
            size = len(fast.codes)  # type: ignore[arg-type]
            if not size:
                continue
            idx = np.arange(size)
            assert fast.origins(idx).tolist() == slow.origins(idx).tolist()
            assert fast.kept_count() == slow.kept_count()
            assert fast.kept_origin(-1) == slow.kept_origin(-1)
            for _ in range(50):
                s = rng.randrange(size)
                e = rng.randint(s + 1, min(size, s + 12))
                assert fast.origin(s) == slow.origin(s)
                runs = fast.runs(s, e)
                assert runs == slow.runs(s, e)
                ends = {(1, 1), (runs[0], runs[-1])} if runs else {(1, 1)}  # copies kept
                for head, tail in ends:
                    assert fast.span(s, e, runs, head, tail) == slow.span(s, e, runs, head, tail)


def test_separators_from_the_dropped_characters_equal_the_diff_over_the_text() -> None:
    ft = fold_table(FoldFlags())
    compared = 0
    for max_gap in (None, 0, 3):
        for text in _long_texts(f"sep{max_gap}") + _long_texts(f"plain{max_gap}", 30, PLAIN):
            n = normalize(text, ft, max_gap=max_gap, collapse=True)
            fast = separated(n, text, ft.separators)
            dropped, n.dropped = n.dropped, None  # the general path: np.diff over all of src
            slow = separated(n, text, ft.separators)
            compared += dropped is not None
            assert [a.tolist() for a in fast] == [a.tolist() for a in slow], text
    assert compared >= 60  # the plain texts took the fast path


def test_span_rules_shortcut_equals_the_rule_bits() -> None:
    ft = fold_table(FoldFlags())
    info = ft.span_info

    def reference(span: str) -> set[str]:
        bits = 0
        noise = False
        for ch in span:
            b, z = info[ord(ch)]
            bits |= b
            noise = noise or z
        out = {name for name, bit in RULE_BITS.items() if bits & bit}
        return out | {"noise"} if noise else out or {"exact"}

    spans = ["法轮功", "法輪功", "法 轮功", "ＡＢ", "ab", "", "法①", "吸\u200b毒", "赌博", "睹博"]
    for _ in range(2):  # the second round answers from the set of plain characters
        for span in spans:
            assert _span_rules(ft, span) == reference(span), span
    assert "法" in ft.plain_chars and "輪" not in ft.plain_chars


def test_shard_layout_puts_every_pattern_once_short_ones_apart() -> None:
    rng = random.Random(5)
    encoded = [
        bytes(rng.randrange(1, 256) for _ in range(2 * rng.choice([1, 2, 2, 3, 4, 6, 9])))
        for _ in range(3 * _matcher._SHARD_PATTERNS)
    ]
    shards = _matcher._shards(encoded)
    assert sorted(i for s in shards for i in s) == list(range(len(encoded)))
    assert {len(encoded[i]) for i in shards[0]} == {2}
    assert {len(encoded[i]) for i in shards[1]} == {4}
    assert all(len(encoded[i]) > 4 for s in shards[2:] for i in s)
    assert 3 <= len(shards) <= 2 + _matcher._MAX_SHARDS
    small = encoded[: _matcher._SHARD_PATTERNS]
    assert len(_matcher._shards(small)) == 1


def _table_texts() -> list[str]:
    texts = [r.text for kind in KINDS for r in rows(kind)]
    joined = ["\n".join(texts[i : i + 40]) for i in range(0, len(texts), 40)]
    return texts + joined + ["".join(texts[:200]), "。".join(texts[200:400])]


def _hits(lex: Lexicon, texts: list[str]) -> list[list[tuple[object, ...]]]:
    return [
        [(h.start, h.end, h.keyword, h.risk, h.rules) for h in lex.scan(t, overlapping=True)]
        for t in texts
    ]


@pytest.mark.parametrize("general", ["repeats", "spans"])
@pytest.mark.parametrize("homophones_all", [False, True])
def test_repeat_only_matches_dropped_before_resolving_change_no_hit(
    monkeypatch: pytest.MonkeyPatch, homophones_all: bool, general: str
) -> None:
    """Matches that need a repeat dropped before resolving, and the spans of the main matches
    found for all at once (k23q), against resolving each match from its normalized offsets."""
    from tests.lexicon.evasion._support import _lines

    # keywords written with a repeated character: their patterns need the repeat (哈哈 is 哈
    # twice), so the fast path drops every lone 哈 before resolving it
    entries = [KeywordEntry(c[0], c[1]) for _, c in _lines("keywords.tsv")]
    entries += [KeywordEntry(w, "A1a") for w in ("哈哈", "吸吸毒", "啊啊啊", "xx", "yy")]
    cfg = LexiconConfig(homophones_all=homophones_all)
    texts = _table_texts() + _long_texts("repeat", 20)
    fast = _hits(Lexicon.from_entries(entries, cfg), texts)
    monkeypatch.setattr(_lexicon, "_repeated", lambda matches, n, repeats: matches)
    batch = _lexicon._prepared
    if general == "repeats":  # nothing dropped, no span found in advance
        monkeypatch.setattr(
            _lexicon, "_prepared", lambda m, n, r: [[*x, -1, -1] for x in m.tolist()]
        )
    else:  # the same matches, each span found by resolve
        monkeypatch.setattr(
            _lexicon, "_prepared", lambda m, n, r: [[*x[:3], -1, -1] for x in batch(m, n, r)]
        )
    assert _hits(Lexicon.from_entries(entries, cfg), texts) == fast
    assert any(h[2] == "哈哈" for hs in fast for h in hs)  # the repeated keyword still hits
