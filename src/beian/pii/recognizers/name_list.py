"""NAME in a list: the other members of a list in which one name was recognised.

``参会人：张伟、李娜、王芳`` — the label finds 张伟; 李娜 and 王芳, joined to it by 、, 和, 及 or 与,
are names too when each is a surname (with 复姓) and one or two given-name characters, is not a
common word (``张伟和周边居民``: 周边 is a word) and ends at a delimiter. ``王总、刘经理和陈静``:
a title after a member is stepped over. Runs only where a name was found, so it costs nothing
on text without names. Used by :class:`beian.pii.recognizers.name.NameRecognizer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._names import is_han, name_tables
from beian.pii._types import Entity

__all__ = ["SEPARATORS", "list_members"]

SEPARATORS = "、和及与"
# What may follow the last character of a member (besides a separator or a stop character).
_END = re.compile(r"[\s，,。；;：:（）()【】\[\]\d!！?？“”\"]|$")
# A short note in brackets after a member, before the separator.
_NOTE = re.compile(r"[（(][^（()）\n]{1,16}[）)]")
_SCORE = 0.7


def list_members(
    text: str, found: Entity, stop: frozenset[str], titles: re.Pattern[str]
) -> Iterator[Entity]:
    """Names listed with ``found``, after it and before it, each chained to the next.

    ``stop`` holds the characters that end a given name; ``titles`` matches a title (经理,
    总…) at a position.
    """
    end = found.end
    while (member := _after(text, end, stop, titles)) is not None:
        yield member
        end = member.end
    start = found.start
    while (member := _before(text, start, stop, titles)) is not None:
        yield member
        start = member.start


def _after(text: str, end: int, stop: frozenset[str], titles: re.Pattern[str]) -> Entity | None:
    if (t := titles.match(text, end)) is not None:
        end = t.end()
    elif (p := _NOTE.match(text, end)) is not None:
        end = p.end()  # "叶海洋（四川）、欧阳晨曦（湖南）"
    if text[end : end + 1] not in SEPARATORS or end >= len(text):
        return None
    pos = end + 1
    tables = name_tables()
    n = tables.surname_at(text, pos)
    if not n or titles.match(text, pos + n) is not None:
        return None  # "李娜和王先生": the title rule finds 王
    for g in (2, 1):
        stop_at = pos + n + g
        if _plain(text, pos + n, stop_at, stop) and _ends(text, stop_at, stop, titles):
            body = text[pos:stop_at]
            if body not in tables.words:
                return Entity("NAME", pos, stop_at, body, _SCORE, "name")
    return None


def _before(text: str, start: int, stop: frozenset[str], titles: re.Pattern[str]) -> Entity | None:
    if start < 3 or text[start - 1] not in SEPARATORS:
        return None
    end = start - 1
    tables = name_tables()
    for size in (4, 3, 2):
        first = end - size
        if first < 0 or not _plain(text, first, end, stop):
            continue
        n = tables.surname_at(text, first)
        prev = text[first - 1 : first]
        if (
            n
            and 1 <= size - n <= 2
            and (not prev or not is_han(prev) or prev in SEPARATORS)
            and text[first:end] not in tables.words
        ):
            if (t := titles.match(text, first + n)) is not None and t.end() == end:
                end = first + n  # "王总、刘经理": the surname
            return Entity("NAME", first, end, text[first:end], _SCORE, "name")
    return None


def _plain(text: str, start: int, end: int, stop: frozenset[str]) -> bool:
    """Whether ``text[start:end]`` is that many Chinese characters, none a stop character."""
    chars = text[start:end]
    return len(chars) == end - start and all(is_han(c) and c not in stop for c in chars)


def _ends(text: str, pos: int, stop: frozenset[str], titles: re.Pattern[str]) -> bool:
    nxt = text[pos : pos + 1]
    return (
        nxt in SEPARATORS
        or (nxt != "" and nxt in stop)
        or _END.match(text, pos) is not None
        or titles.match(text, pos) is not None
    )
