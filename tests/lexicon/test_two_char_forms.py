"""Round 4 (branch k23h): two-character mixed forms broken by a separator, a lower-case initial
beside a character, a syllable with a capital initial, 拆字 halves set apart or bracketed,
Japanese new forms folded with traditional ones, and mixed forms with homophones."""

from __future__ import annotations

from typing import Any

import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

WORDS = ["灭门", "袭警", "上分", "狗粮", "甩棍", "蛇头", "赌狗", "枪支", "卖血", "催泪弹", "艺术"]


def _lex(**config: Any) -> Lexicon:
    return Lexicon.from_entries([(w, "A1a") for w in WORDS], config=LexiconConfig(**config))


LEX = _lex()


def _found(text: str, lex: Lexicon = LEX) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(h.keyword, h.text, h.rules) for h in lex.scan(text)]


@pytest.mark.parametrize(
    ("text", "keyword", "span", "rule"),
    [
        ("最后一句是：灭-men。", "灭门", "灭-men", "pinyin"),
        ("其实是卖·xue", "卖血", "卖·xue", "pinyin"),
        ("他说袭j了", "袭警", "袭j", "pinyin"),
        ("今晚shangF谁坐庄", "上分", "shangF", "pinyin"),
        ("专业定制狗(米良)，不留名", "狗粮", "狗(米良", "chaizi"),
        ("一个(虫它)头团伙", "蛇头", "虫它)头", "chaizi"),
        ("想备个甩木 昆，哪种好用", "甩棍", "甩木 昆", "chaizi"),
        ("验证消息是売血", "卖血", "売血", "t2s"),
        ("收藏级催涙弾", "催泪弹", "催涙弾", "t2s"),
        ("堵gou的下场", "赌狗", "堵gou", "homophone"),
        ("摊上摆着摧lei弹", "催泪弹", "摧lei弹", "homophone"),
    ],
)
def test_caught(text: str, keyword: str, span: str, rule: str) -> None:
    hits = [h for h in LEX.scan(text) if h.keyword == keyword]
    assert [h.text for h in hits] == [span]
    assert rule in hits[0].rules


@pytest.mark.parametrize(
    "text",
    [
        "灭 men",  # a space between a character and letters: a Latin word beside a word
        "Du 品",
        "灭--men",  # more than one separator
        "袭J",  # capital initial beside a character: X光, B超 (initials_two)
        "shangf",  # syllable and initial all in lower case
        "ShangF",  # capitalized syllable
        "shang F",
        "木仓 支",  # a space between a split character and the next one
        "木仓(支",  # a bracket only where it encloses a split character
        "木仓)(支",  # an opening bracket before the second character, which is not split
        "木！仓支",  # between the halves of a split character, only spaces
        "芸术",  # 芸 is a Chinese character of its own (GB 2312): not folded as Japanese 藝
        "图 sha",  # homophone forms are as tight as the forms they come from
        "赌gou",  # the keyword's own character: a plain mixed form, not a homophone
    ],
)
def test_not_caught_or_not_homophone(text: str) -> None:
    found = _found(text)
    if text == "赌gou":
        assert found and all("homophone" not in r for _, _, r in found)
    else:
        assert found == []


def test_homophone_mixed_switch_and_nohomophone_mode() -> None:
    assert _found("堵gou", _lex(homophone_mixed=False)) == []
    lex = Lexicon.from_entries([KeywordEntry("赌狗", "A1a", frozenset({"nohomophone"}))])
    assert _found("堵gou", lex) == []
    assert _found("赌gou", lex)  # the plain mixed form still counts


def test_stream_holds_a_character_that_may_start_a_homophone_form() -> None:
    hits, pending = LEX.scan_stream("你说堵")
    assert (hits, pending) == ([], 2)
    hits, pending = LEX.scan_stream("你说堵gou。")
    assert [h.keyword for h in hits] == ["赌狗"]
    assert LEX.scan_stream("你说")[1] == 2  # nothing held
