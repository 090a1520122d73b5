"""The short-text normalizer (a Python loop) gives exactly what the numpy one gives."""

from __future__ import annotations

import random
import re

import pytest

from beian.lexicon._fold import EXPAND, NOISE, FoldFlags, fold_table
from beian.lexicon._normalize import SHORT, _normalize_long, _normalize_short, normalize

# CJK, traditional forms, full-width and case variants, noise (spaces, punctuation, zero-width),
# characters that fold to several (ligatures, ㎏, ⑩), barriers, an astral character, a lone
# surrogate; repeats come from the random draw
ALPHABET = [*"法轮功臺獨台独ａＡaA1１ ＊*·\u200b-_。！？；\n", "ﬁ", "㎏", "⑩", "😀", "\ud800"]


def _as_lists(n: object) -> tuple[list[int], list[int], list[int] | None]:
    codes = n.codes  # type: ignore[attr-defined]
    return codes.tolist(), n.src.tolist(), n._adj  # type: ignore[attr-defined]


@pytest.mark.parametrize("noise", [True, False])
def test_alphabet_covers_noise_and_expansions(noise: bool) -> None:
    ft = fold_table(FoldFlags(noise=noise))
    values = [ft.codes[c] for c in ALPHABET]
    assert any(v >= EXPAND for v in values)
    assert (NOISE in values) is noise


@pytest.mark.parametrize("noise", [True, False])
@pytest.mark.parametrize("max_gap", [None, 0, 1, 3])
@pytest.mark.parametrize("collapse", [True, False])
def test_short_and_long_normalizers_agree(noise: bool, max_gap: int | None, collapse: bool) -> None:
    ft = fold_table(FoldFlags(noise=noise))
    rng = random.Random(f"{noise}{max_gap}{collapse}")
    for _ in range(600):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, SHORT)))
        short = _normalize_short(text, ft, max_gap, collapse)
        assert _as_lists(short) == _as_lists(_normalize_long(text, ft, max_gap, collapse)), text
        assert short.text == _normalize_long(text, ft, max_gap, collapse).text


# pieces of pinyin with tone numbers (dropped inside toned runs only) and lookalikes of them
TONED = ["du3", "BO2", "pin", "ǎ", "mp3", "x1", "a", "5", " ", "-", "法", "\u200b", "Ｑ", "ing4"]


def _agreeing_texts(pieces: list[str], seed: str, most: int, collapse: bool) -> list[str]:
    """600 random texts of ``pieces`` on which the short and long normalizers agree."""
    ft = fold_table(FoldFlags())
    rng = random.Random(seed)
    texts = []
    for _ in range(600):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, most)))[:SHORT]
        short = _normalize_short(text, ft, 3, collapse)
        assert _as_lists(short) == _as_lists(_normalize_long(text, ft, 3, collapse)), text
        texts.append(text)
    return texts


@pytest.mark.parametrize("collapse", [True, False])
def test_short_and_long_normalizers_agree_on_tone_numbers(collapse: bool) -> None:
    ft, plain = fold_table(FoldFlags()), fold_table(FoldFlags(nfkc=False))
    dropped = sum(
        len(normalize(t, ft, max_gap=3, collapse=collapse).text)
        < len(normalize(t, plain, max_gap=3, collapse=collapse).text)
        for t in _agreeing_texts(TONED, f"tones{collapse}", 16, collapse)
    )
    assert dropped  # the draw did produce toned runs


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("du3bo2", "dubo"),
        ("Du3 - Bo2!", "dubo"),
        ("sha1zhu1pan2", "shazhupan"),
        ("mp3", "mp3"),  # not a syllable
        ("du3", "du3"),  # one syllable: a tone number or just a digit
        ("du3bo2x", "du3bo2x"),  # the run is not pinyin with tones throughout
        ("win10", "win10"),
    ],
)
def test_tone_numbers_dropped_only_in_toned_pinyin(text: str, normalized: str) -> None:
    got = normalize(text, fold_table(FoldFlags()), max_gap=3, collapse=True)
    assert got.text == normalized


def test_normalize_picks_by_length() -> None:
    ft = fold_table(FoldFlags())
    for n in (SHORT - 1, SHORT, SHORT + 1, 5 * SHORT):
        text = ("臺獨  法法轮功ﬁ" * n)[:n]
        got = normalize(text, ft, max_gap=3, collapse=True)
        assert _as_lists(got) == _as_lists(_normalize_long(text, ft, 3, True))


@pytest.mark.parametrize("noise", [True, False])
def test_stream_scan_of_text_with_a_lone_surrogate(noise: bool) -> None:
    """A broken UTF-16 pair in a streamed answer is text like any other, not a crash."""
    from beian.lexicon import Lexicon, LexiconConfig

    lex = Lexicon.from_entries([("法轮功", "A1a")], LexiconConfig(noise=noise))
    hits, pending = lex.scan_stream("前文\ud800法轮")
    assert hits == [] and pending == 3  # "法轮" may still become the keyword
    hits, _ = lex.scan_stream("前文\ud800法轮功。")
    assert [h.keyword for h in hits] == ["法轮功"]


# number styles between Chinese characters are separators (开①房), digits and numerals are not
MARKS = ["开", "房", "①", "⑴", "⒈", "❶", "Ⅵ", "1", "一", "，", " ", "\u200b", "⑩", "a"]


@pytest.mark.parametrize("collapse", [True, False])
def test_short_and_long_normalizers_agree_on_number_marks(collapse: bool) -> None:
    ft = fold_table(FoldFlags())
    texts = _agreeing_texts(MARKS, f"marks{collapse}", 20, collapse)
    assert any(re.search("[开房][①⑴⒈❶Ⅵ][开房]", t) for t in texts)  # a separator was drawn
    assert normalize("开①房⑴间", ft, max_gap=3, collapse=True).text == "开房间"
    assert normalize("开1房一间", ft, max_gap=3, collapse=True).text == "开1房1间"


# (text, the positions that become noise) for the line-joining rule: one line feed, or one
# CR LF, between two Chinese characters or after one at the end of the text; a CR alone at the
# end after one (a chunk cut inside a CR LF); nothing else.
_JOIN_CASES = [
    ("整死\n你", [2]),
    ("整死\r\n你", [2, 3]),
    ("整死\n", [2]),
    ("整死\r\n", [2, 3]),
    ("整死\r", [2]),
    ("整死\r你", []),  # a CR alone inside the text stays a barrier
    ("整死\n\n你", []),  # a blank line still breaks
    ("整死\r\n\r\n你", []),
    ("整死\n\r\n你", []),
    ("整死\r\r\n你", []),
    ("ab\n你", []),
    ("整死\nab", []),
    ("\n你", []),
    ("\r\n你", []),
    ("\r", []),
    ("\n", []),
    ("整\n死\n你", [1, 3]),
    ("整\r\n死\r\n你", [1, 2, 4, 5]),
    ("整 \n你", []),  # a space before the line feed: no Chinese character right before it
    ("一\n二", []),  # numerals fold to digits: no longer Chinese characters here
]


@pytest.mark.parametrize(("text", "joined"), _JOIN_CASES)
def test_join_lines_short_and_long_agree(text: str, joined: list[int]) -> None:
    """_join_lines (numpy) and _join_lines_short (one character at a time) implement one rule:
    the same positions become noise, and they are the ones the table names."""
    import numpy as np

    from beian.lexicon._fold import BARRIER
    from beian.lexicon._normalize import _join_lines, _join_lines_short

    ft = fold_table(FoldFlags())
    codes = [int(ft.table[ord(c)]) for c in text]
    short = list(codes)
    _join_lines_short(short, text)
    raw = np.array([ord(c) for c in text], dtype=np.uint32)
    long = _join_lines(np.array(codes, dtype=np.uint32), raw).tolist()
    assert short == long
    assert [i for i, (a, b) in enumerate(zip(codes, short, strict=True)) if a != b] == joined
    assert all(codes[i] == BARRIER for i in joined)


def test_join_lines_short_and_long_agree_on_every_short_text() -> None:
    """Every text of up to five characters over CR, LF, a Chinese character, a letter and a
    space: the two implementations of the line-joining rule agree."""
    import itertools

    import numpy as np

    from beian.lexicon._normalize import _join_lines, _join_lines_short

    ft = fold_table(FoldFlags())
    for n in range(1, 6):
        for chars in itertools.product("\r\n你a ", repeat=n):
            text = "".join(chars)
            codes = [int(ft.table[ord(c)]) for c in text]
            short = list(codes)
            _join_lines_short(short, text)
            raw = np.array([ord(c) for c in text], dtype=np.uint32)
            assert short == _join_lines(np.array(codes, dtype=np.uint32), raw).tolist(), text
