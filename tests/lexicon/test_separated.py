"""Evasions written apart on purpose (issue 23 item 4, combinations): homophones broken up by
separators (``homophone_gap``), 拆字 broken up by symbols, and styled letters NFKC leaves alone
(negative squared and circled letters, small capitals)."""

from __future__ import annotations

import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

WORDS = ["赌博", "可卡因", "洗钱", "止咳水", "嘿嘿", "气枪", "楼凤", "代签到", "大尺度"]


def _lex(**cfg: object) -> Lexicon:
    return Lexicon.from_entries([(w, "A1a") for w in WORDS], LexiconConfig(**cfg))


LEX = _lex()


def _found(lex: Lexicon, text: str) -> list[tuple[str, str]]:
    return [(h.text, h.keyword) for h in lex.scan(text)]


@pytest.mark.parametrize(
    ("text", "span", "keyword"),
    [
        ("拉人堵~博的广告", "堵~博", "赌博"),  # a homophone, a symbol between
        ("可 咖 因管够", "可 咖 因", "可卡因"),  # three characters: spaces count
        ("止~可\u2060水还有吗", "止~可\u2060水", "止咳水"),  # zero-width characters count
        ("要不要喜🔥迁", "喜🔥迁", "洗钱"),  # emoji
    ],
)
def test_separated_homophones_hit(text: str, span: str, keyword: str) -> None:
    hits = LEX.scan(text)
    assert [(h.text, h.keyword) for h in hits] == [(span, keyword)]
    assert "homophone" in hits[0].rules and "noise" in hits[0].rules


@pytest.mark.parametrize(
    "text",
    [
        "他喜迁新居",  # no separator: homophones stay off by default
        "喜，迁",  # prose punctuation
        "喜、迁",
        "喜 迁",  # two characters: a space joins words (names, titles)
        "喜・迁",  # a dot joins names
        "喜-迁",  # a dash: ranges
        "喜○迁",  # a blank stands for a character
        "摸・摸",  # repeats collapse to one character: no place to break up
        "可咖 因",  # a place without a separator
    ],
)
def test_ordinary_writing_is_no_hit(text: str) -> None:
    assert _found(LEX, text) == []


def test_switches_turn_it_off() -> None:
    assert _found(_lex(homophone_gap=False), "拉人堵~博") == []
    assert _found(_lex(homophones=False), "拉人堵~博") == []
    nohomo = Lexicon.from_entries([KeywordEntry("赌博", "A1a", frozenset({"nohomophone"}))])
    assert _found(nohomo, "拉人堵~博") == []


def test_stream_holds_a_last_character_that_may_start_one() -> None:
    """``堵`` can still become 堵~博: its tail is held; without a separator to come the
    whole text yields the same verdict."""
    assert LEX.scan_stream("拉人堵") == ([], 2)
    assert LEX.scan_stream("拉人堵~") == ([], 2)
    assert LEX.scan_stream("拉人堵堵") == ([], 2)  # repeats collapse: the first of them
    hits, _ = LEX.scan_stream("拉人堵~博")
    assert [(h.text, h.keyword) for h in hits] == [("堵~博", "赌博")]
    assert LEX.scan_stream("拉人说")[1] == 3  # nothing can start one


@pytest.mark.parametrize(
    ("text", "span", "keyword"),
    [
        ("出售大威力气✨木仓，打鸟", "气✨木仓", "气枪"),
        ("求本地木☆娄☆凤推荐", "木☆娄☆凤", "楼凤"),
    ],
)
def test_split_characters_broken_up_by_symbols(text: str, span: str, keyword: str) -> None:
    hits = LEX.scan(text)
    assert [(h.text, h.keyword) for h in hits] == [(span, keyword)]
    assert "chaizi" in hits[0].rules


def test_split_characters_beside_a_word_stay_apart() -> None:
    lex = Lexicon.from_entries([("枪支", "A1a")])
    assert _found(lex, "木仓 支") == [] and _found(lex, "木仓·支") == []


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("ᴅᴀɪqɪᴀɴᴅᴀᴏ", "代签到"),  # small capitals
        ("🅳🅰🅲🅷🅸🅳🆄", "大尺度"),  # negative squared letters
        ("🅓🅐🅒🅗🅘🅓🅤", "大尺度"),  # negative circled letters
    ],
)
def test_styled_letters_fold(text: str, keyword: str) -> None:
    hits = LEX.scan(f"他说{text}了")
    assert [h.keyword for h in hits] == [keyword]
    assert "nfkc" in hits[0].rules


def test_flags_stay_noise() -> None:
    """Regional indicators are not folded to letters: two of them are a flag emoji, skipped
    between a keyword's characters like any emoji."""
    lex = Lexicon.from_entries([("台独", "A1a")])
    assert [h.text for h in lex.scan("臺 🇹🇼獨")] == ["臺 🇹🇼獨"]
