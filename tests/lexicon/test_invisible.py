"""Invisible characters (format characters, combining marks, variation selectors) never count
towards the gap between two keyword characters, and offsets still index the original text."""

from __future__ import annotations

import pytest

from beian.lexicon import Lexicon, LexiconConfig

KEYWORD = "违禁词语"

# (invisible character, name): each is put 1, 4 and 40 times between the keyword's characters
INVISIBLE = [
    ("\u200b", "ZERO WIDTH SPACE"),
    ("\u2060", "WORD JOINER"),
    ("\u00ad", "SOFT HYPHEN"),
    ("\ufe0f", "VARIATION SELECTOR-16"),
    ("\ufe00", "VARIATION SELECTOR-1"),
    ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    ("\u200d", "ZERO WIDTH JOINER"),
    ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ("\u034f", "COMBINING GRAPHEME JOINER"),
    ("\U000e0001", "LANGUAGE TAG"),
    ("\U000e0100", "VARIATION SELECTOR-17"),
    ("\u3164", "HANGUL FILLER"),
]


@pytest.mark.parametrize(("ch", "name"), INVISIBLE)
@pytest.mark.parametrize("n", [1, 4, 40])
def test_invisible_runs_do_not_break_a_keyword(ch: str, name: str, n: int) -> None:
    lex = Lexicon.from_entries([(KEYWORD, "A1a")])
    text = "前文" + (ch * n).join(KEYWORD) + "后文"
    (hit,) = lex.scan(text)
    assert (hit.start, hit.end) == (2, len(text) - 2), name
    assert hit.text == text[2:-2] and "noise" in hit.rules
    hits, _ = lex.scan_stream(text[:-2])  # the hit is there while the stream is open too
    assert [h.keyword for h in hits] == [KEYWORD]


def test_mixed_invisible_and_visible_noise_count_only_the_visible() -> None:
    lex = Lexicon.from_entries([(KEYWORD, "A1a")])  # max_gap 3
    assert lex.scan("违\u200b \u2060 \u00ad 禁\ufe0f\ufe0f词语")  # 3 visible spaces
    assert not lex.scan("违\u200b \u2060 \u00ad  禁词语")  # 4 visible spaces: separated


def test_without_noise_skipping_invisible_characters_are_text() -> None:
    lex = Lexicon.from_entries([(KEYWORD, "A1a")], LexiconConfig(noise=False))
    assert not lex.scan("违\u200b禁词语")
    assert lex.scan(KEYWORD)


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("a gun.", True),
        ("a\u200bgun.", False),  # "agun" as it is seen: no word boundary before the keyword
        ("a gun\u200bs", False),  # "guns"
        ("a g\u200bun.", True),
        ("a gun\u200b.", True),
    ],
)
def test_word_boundaries_look_past_invisible_characters(text: str, hit: bool) -> None:
    lex = Lexicon.from_entries([("gun", "A1a")])
    assert bool(lex.scan(text)) is hit


def test_stream_end_after_an_ascii_keyword_and_invisible_characters_is_still_open() -> None:
    lex = Lexicon.from_entries([("gun", "A1a")])
    hits, pending = lex.scan_stream("a gun\u200b")  # an "s" may still follow
    assert hits == [] and pending == 2
