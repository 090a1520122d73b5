"""The shared scan: digit shapes, joined windows and the combined anchor scan find exactly what
each pattern's own search over the whole text finds."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from beian.pii import Entity, PiiConfig, PiiEngine
from beian.pii._scan import DIGITS, DOTTED, Anchor, Scan, ScanPlan, Trigger
from beian.pii.recognizers.bank_card import BankCardRecognizer
from beian.pii.recognizers.ip import IpRecognizer
from beian.pii.recognizers.name import FORM_LABELS as PREFIX_WORDS
from beian.pii.recognizers.name import TITLES
from beian.pii.recognizers.plate import PROVINCES

# Pieces that make digit runs, separators, window edges and every kind of anchor likely.
_PIECES = (
    *"0123456789",
    *" -+()·•.:@\n?Aa年号的，王李张",
    *PREFIX_WORDS,
    *TITLES,
    *"上会大老长户诉人名叫",  # halves of words found from their second character
    *"东南门角室楼栋村嘎查二员者",  # heads found only after one of their ``before``
    *"省市区县州旗盟",
    "北京市",
    "朝阳区",
    "欧阳",
    "1234",
    "是",
    "：",
    *PROVINCES,
    "A",
    "B·D",
    "A12345",
    "C1234警",
    "\U0001f600",
)
_DIGITISH = "0123456789" * 6 + " -+()·•.:@\n?Aa年号的王\U0001f600"


def _texts(n: int, seed: int, pieces: tuple[str, ...] | str = _PIECES) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(0, 24))) for _ in range(n)]


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("编号123456的", ["123456"]),
        ("电话 138 1234 5678，", [" 138 1234 5678"]),
        ("2024年3月5日，12345元", []),  # no six digits, no 3 + separator + 3
        ("卡号6222-0212-3456-7894与E12345678", ["6222-0212-3456-7894", "E12345678"]),
        ("a123 456b和123-45", ["a123 456b"]),
        ("号码•123456•7，A1 234 567", ["•123456•7", "A1 234 567"]),  # • is outside Latin-1
        ("（0755）123456\n?888888", ["123456", "888888"]),  # full-width brackets end a run
    ],
)
def test_digit_windows(text: str, windows: list[str]) -> None:
    found = DIGITS.windows(text)
    assert (found.joined.split("\n") if found.joined else []) == windows


def test_digit_shapes_find_the_windows_of_the_pattern() -> None:
    by_pattern = Trigger(DIGITS.pattern, DIGITS.chars)
    for text in _texts(20000, 1, _DIGITISH):
        a, b = DIGITS.windows(text), by_pattern.windows(text)
        assert (a.joined, a.starts, a.shifts) == (b.joined, b.starts, b.shifts), text


def test_run_shape_finds_the_windows_character_by_character_finds() -> None:
    # Without a character the Latin-1 shape cannot show (•), the windows' ends come from the
    # run-class shape; they must be those of the pattern's own windows.
    assert DIGITS._runs is not None  # type: ignore[attr-defined]
    by_pattern = Trigger(DIGITS.pattern, DIGITS.chars)
    for text in _texts(20000, 2, _DIGITISH.replace("•", "é")):
        a, b = DIGITS.windows(text), by_pattern.windows(text)
        assert (a.joined, a.starts, a.shifts) == (b.joined, b.starts, b.shifts), text


def test_windows_map_matches_back_to_the_text() -> None:
    text = "甲1.2.3.4乙，丙10.0.0.1"
    windows = DOTTED.windows(text)
    assert windows.joined == "1.2.3.4\n10.0.0.1"
    digits = re.compile(r"\d+\.\d+")
    assert windows.matches(digits) == [(1, "1.2"), (5, "3.4"), (11, "10.0"), (16, "0.1")]
    assert all(text[s : s + len(v)] == v for s, v in windows.matches(digits))


@pytest.mark.parametrize(
    ("config", "count"),
    [
        (PiiConfig(), 21),
        (PiiConfig(fast_names=True), 18),
        (PiiConfig(context_names=True), 26),
    ],
)
def test_anchor_plan_matches_each_anchor_alone(config: PiiConfig, count: int) -> None:
    engine = PiiEngine(config)
    assert engine._plan is not None
    anchors = engine._plan.anchors
    # default: form labels (found from the first character; from the second, with and without
    # a third), titles (from the first character, from the second, one character); the
    # address's numbered parts, villages and roads after a division; plate provinces; 老/小.
    # context_names: cue words (the same three, and one character) for the form labels, and
    # particulars, chat speakers, a parcel's 收：/寄：, a mobile number after a name. All: a
    # person word before a colon, a mask after a surname, a crossing of roads, a Latin street,
    # Latin names, a named entrance (南门), building-unit-room with dashes. All but fast_names:
    # minority name elements, compound surnames (two).
    assert len(anchors) == count
    assert any(a.before for a in anchors)
    for text in _texts(20000, 2):
        found = engine._plan.find(text)
        for a in anchors:
            expected = [m.span() for m in a.pattern.finditer(text)]
            assert [m.span() for m in found.get(a, [])] == expected, (a.pattern.pattern, text)


def test_scan_without_plan_searches_directly() -> None:
    anchor = Anchor(re.compile("[省市]"), "省市")
    assert [m.start() for m in Scan("广东省深圳市").anchored(anchor)] == [2, 5]
    plan = ScanPlan.of((anchor,))
    assert plan is ScanPlan.of((anchor,))  # built once
    assert [m.start() for m in Scan("广东省深圳市", plan).anchored(anchor)] == [2, 5]


@pytest.mark.parametrize(
    "pattern",
    [re.compile("a", re.I), re.compile("(?P<x>a)"), re.compile(r"(a)\1")],
)
def test_anchor_patterns_must_embed_unchanged(pattern: re.Pattern[str]) -> None:
    with pytest.raises(ValueError, match="anchor"):
        Anchor(pattern, "a")


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("会长", [(0, 2)]),  # the match starts at the text's first character, before its head
        ("王会长和李处长", [(1, 3), (5, 7)]),
        ("长会长", [(1, 3)]),  # a head with nothing before it starts no match
        ("增长", []),
    ],
)
def test_anchor_found_from_its_second_character(text: str, spans: list[tuple[int, int]]) -> None:
    late = Anchor(re.compile("[会处]长"), "长", back=1)
    other = Anchor(re.compile("王"), "王")  # a plan of one anchor would search it directly
    plan = ScanPlan((late, other))
    assert [m.span() for m in plan.find(text).get(late, [])] == spans
    assert [m.span() for m in late.pattern.finditer(text)] == spans


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("东门", [(1, 2)]),
        ("西南角", [(2, 3)]),
        ("门口", []),  # 门 after nothing: the scan passes it on to no anchor
        ("部门东门门", [(3, 4)]),
        ("南", []),
    ],
)
def test_anchor_with_before_passes_only_after_one_of_them(
    text: str, spans: list[tuple[int, int]]
) -> None:
    gate = Anchor(re.compile("(?<=[东西南北正])[门角]"), "门角", before="东西南北正")
    other = Anchor(re.compile("王"), "王")
    plan = ScanPlan((gate, other))
    assert "东西南北正" in plan.pattern.pattern  # the pair is tested in the scan itself
    assert [m.span() for m in plan.find(text).get(gate, [])] == spans
    assert [m.span() for m in gate.pattern.finditer(text)] == spans


def test_anchors_declare_every_character_before_their_heads() -> None:
    # ``before`` must hold whatever stands before a head in a match: a wrong one would lose
    # matches in the combined scan (the plan test above finds that too, on random text).
    engine = PiiEngine(PiiConfig(context_names=True))
    assert engine._plan is not None
    late = [a for a in engine._plan.anchors if a.before]
    assert len(late) >= 5
    for text in _texts(20000, 3):
        for a in late:
            for m in a.pattern.finditer(text):
                head = m.start() + a.back
                assert head > 0 and text[head - 1] in a.before, (a.pattern.pattern, text)


def test_window_patterns_with_a_digit_look_behind_find_the_same() -> None:
    # Recognizers that declare no match starts right after a digit search the windows with a
    # look-behind for one first: the matches must be those of the pattern itself.
    engine = PiiEngine()
    checked = [r for r in engine.recognizers if getattr(r, "after_digit", True) is False]
    assert {r.name for r in checked} == {"id_card", "passport", "permit", "phone", "uscc"}
    pieces = (*"0123456789" * 4, *" -+()·.:\nAEGCHMTXNYx（）", "+86", "0086", "400", "800")
    for text in _texts(40000, 4, pieces):
        windows = DIGITS.windows(text)
        for r in checked:
            assert windows.matches(r._window_pattern) == windows.matches(r.pattern), (r.name, text)


def test_anchor_back_is_zero_or_one() -> None:
    with pytest.raises(ValueError, match="back"):
        Anchor(re.compile("上诉人"), "人", back=2)


def test_anchored_lists_keep_the_order_of_the_anchors_and_leave_out_empty_ones() -> None:
    provinces = Anchor(re.compile("[省市]"), "省市")
    roads = Anchor(re.compile("路"), "路")
    none = Anchor(re.compile("村"), "村")
    text = "广东省深圳市深南路"
    for plan in (ScanPlan.of((provinces, roads, none)), None):
        lists = Scan(text, plan).anchored_lists((roads, none, provinces))
        assert [[m.start() for m in ms] for ms in lists] == [[8], [2, 5]]


@pytest.mark.parametrize(
    ("config", "names"),
    [
        (PiiConfig(), "name"),  # bare names too, anywhere
        (PiiConfig(fast_names=True), "name_fast"),  # labels and titles
        (PiiConfig(context_names=True), "name_context"),
    ],
)
def test_recognizers_find_nothing_without_what_they_need(config: PiiConfig, names: str) -> None:
    # The engine skips a recognizer in a text that lacks what it needs (a match of its
    # anchors, a window of its trigger): it must find nothing there, in short texts and long.
    engine = PiiEngine(config)
    assert {r.name for r in engine.recognizers if not r.needs} == {names}
    texts = [
        *_texts(1500, 40),
        "".join(_texts(300, 3)),
        "今天天气晴朗。",
        "IP fe80::1 登录",
        "a@b.cn",
        "买买提·艾力",
        "",
    ]
    idle = 0
    for text in texts:
        for rec in engine.recognizers:
            if rec.needs and Scan(text, engine._plan).lacks(rec.needs):
                idle += 1
                assert list(rec.find(text, Scan(text, engine._plan))) == [], (rec.name, text)
    assert idle > len(texts)  # most recognizers are idle in most short texts


def test_a_find_of_its_own_declares_its_needs_again() -> None:
    class Own(BankCardRecognizer):  # looks elsewhere too: must not be skipped for lack of digits
        def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
            yield from ()

    class Same(BankCardRecognizer):
        trigger = DOTTED

    class Inherits(IpRecognizer):
        pass

    assert BankCardRecognizer.needs == (DIGITS,)
    assert Own.needs == ()
    assert Same.needs == (DOTTED,)
    assert Inherits.needs == IpRecognizer.needs
