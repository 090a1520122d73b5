"""拆字 written with each character's alternatives combined (round nine, k23n): the enclosed part
first (乂凵 for 凶), a part split again (米女攵 for 数), radicals as full characters in several
split characters at once (人叚…言正 for 假…证), and every splittable character split."""

from __future__ import annotations

import pytest

from beian.lexicon import KeywordEntry, Lexicon
from beian.lexicon._chaizi import alternatives, chaizi_table, split_forms
from beian.lexicon._words import phrases

# character, a way of writing it that the alternatives must hold (and why)
ALTERNATIVES = [
    ("凶", "乂凵"),  # split around (ot): the enclosed part written first
    ("远", "元辶"),  # the same for 辶
    ("数", "米女攵"),  # 娄 split again: three parts
    ("假", "人叚"),  # 亻 written as 人
    ("证", "言正"),  # 讠 written as 言
]


@pytest.mark.parametrize(("char", "written"), ALTERNATIVES)
def test_alternatives_hold_the_writing_after_the_table_split(char: str, written: str) -> None:
    alts = alternatives(char)
    assert written in alts
    assert alts[0] == chaizi_table()[char]  # the first table's split stays first
    assert char not in alts


# keyword, text written with the combined alternatives (none of these texts is caught by the
# forms before round nine: one split at a time, the table's order, one full form per keyword)
CAUGHT = [
    ("雇凶", "网上有人说要雇乂凵，快报警"),
    ("远程控制", "教你元辶程控制别人电脑"),
    ("用户数据", "出售用户米女攵扌居，量大从优"),
    ("假证件", "代办人叚言正件，当天取"),
    ("诈骗电话", "小心言乍马扁电话"),
    ("保险诈骗", "这就是人呆阝佥言乍马扁"),
]


@pytest.fixture(scope="module")
def small() -> Lexicon:
    words = sorted({k for k, _ in CAUGHT})
    return Lexicon.from_entries([KeywordEntry(w, "A1-1") for w in words]).compile()


@pytest.mark.parametrize(("keyword", "text"), CAUGHT)
def test_combined_splits_are_caught(small: Lexicon, keyword: str, text: str) -> None:
    hits = [h for h in small.scan(text) if h.keyword == keyword]
    assert hits and "chaizi" in hits[0].rules, small.scan(text)


@pytest.mark.parametrize(("keyword", "text"), CAUGHT)
def test_combined_forms_are_new_and_only_for_small_libraries(keyword: str, text: str) -> None:
    # large libraries (typed=False) keep the two table splits per keyword
    large = [f for f, _ in split_forms(keyword, 2, False, phrases())]
    assert len(large) <= 2 and not any(f in text for f in large)
    small = [f for f, _ in split_forms(keyword, 24, True, phrases())]
    assert any(f in text for f in small)


def test_full_characters_do_not_make_a_word_with_a_neighbour() -> None:
    # 女人 is a word: 女人尤 for 女优 stays out of the combined forms too
    forms = [f for f, _ in split_forms("女优", 24, True, phrases())]
    assert "女人尤" not in forms and "女亻尤" in forms


def test_plain_text_with_the_parts_is_not_a_hit(small: Lexicon) -> None:
    assert small.scan("他是个凶手，数据是假的，我们用户要证据") == []
