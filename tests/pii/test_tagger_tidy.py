"""The corrections ``tidy`` makes to the tagger's spans (sentences written for this test)."""

from __future__ import annotations

import pytest

from beian.pii._tagger_tidy import tidy


def _spans(text: str, marked: list[str]) -> list[tuple[str, int, int]]:
    """NAME spans of the given pieces of ``text`` (each found once, in order)."""
    out, at = [], 0
    for piece in marked:
        a = text.index(piece, at)
        out.append(("NAME", a, a + len(piece)))
        at = a + len(piece)
    return out


@pytest.mark.parametrize(
    ("text", "tagged", "kept"),
    [
        # Latin names end at word ends
        ("申请人：PARK JIWOO（朴智宇）", ["PARK JIW"], ["PARK JIWOO"]),
        ("5.Haruto Sato 6.", ["aruto Sato"], ["Haruto Sato"]),
        ("Bat-Erdene（蒙古国）", ["rdene"], ["Erdene"]),
        ("联系 Tom Lee 即可", ["Tom Lee"], ["Tom Lee"]),  # already whole
        ("log: operator=liuhongb", ["liuhon"], ["liuhongb"]),
        ("loginLi Wenjie ok", ["i Wenjie"], ["Li Wenjie"]),  # not across "login"
        # a lower-case pinyin name: surname and given name are one name
        ("visit patient=luo xinran done", ["luo"], ["luo xinran"]),
        ("holder=yang guifang;", ["guifang"], ["yang guifang"]),
        ("user=liu at 09:00", ["liu"], ["liu"]),  # "at" is no pinyin given name
        ("host=lin server", ["lin"], ["lin"]),  # "server" is no pinyin
        # one-character names are left as they are (no rule for them was kept)
        ("房东魏，你好", ["魏"], ["魏"]),
        # amounts in capital numerals
        ("合计伍万叁仟元整", ["伍万"], []),
        ("伍万里来了", ["伍万里"], ["伍万里"]),  # a name before other characters
    ],
)
def test_tidy(text: str, tagged: list[str], kept: list[str]) -> None:
    assert [text[a:b] for _, a, b in tidy(text, _spans(text, tagged))] == kept


def test_tidy_leaves_addresses() -> None:
    text = "寄到冷库"
    assert tidy(text, [("ADDRESS", 2, 4)]) == [("ADDRESS", 2, 4)]
