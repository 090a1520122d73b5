"""NAME: a compound surname (复姓) and its given name, wherever it stands (欧阳子轩, 尉迟晓雯,
诸葛宇航, 司马卫东).

A compound surname is rare enough in ordinary text that it marks a name by itself: no label,
title or delimiter is needed (``我是诸葛宇航的妈妈``, ``车主是我爱人尉迟晓雯``). The given name is
one or two characters that are not function characters and are not unlike a given name's
(their log-likelihood ratio in ``given_chars`` is not negative: ``上官网`` is no name).
Left out: compound surnames that are everyday words (东方, 西门, 百里, 第五, 长孙, 微生…), a
surname whose first character makes a word with the character before it (新闻人物, 马上官方),
and a place after it (濮阳市).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import methodcaller

from beian.pii._names import is_han, name_tables
from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity
from beian.pii.recognizers.name import _STOP as _STOP_NAMES
from beian.pii.recognizers.name import _TITLE_AT
from beian.pii.recognizers.name_list import list_members

__all__ = ["CompoundNameRecognizer"]

# Compound surnames that are words or titles in everyday text.
_WORDS = frozenset(
    {"东方", "南门", "西门", "百里", "第五", "单于", "太史", "南宫", "长孙", "微生", "段干", "仲孙"}
)
_SURNAMES = tuple(sorted(c for c in name_tables().compound if c not in _WORDS))
# Each surname is found from the rarer of its two characters, where the engine's scan stops:
# the second (上官, 公孙, 司马: 上, 公, 司 are frequent) or the first (欧阳, 淳于, 闻人, 宇文).
_FROM_FIRST = frozenset(
    {"慕容", "赫连", "呼延", "宗政", "澹台", "端木", "乐正", "尉迟", "濮阳", "欧阳", "诸葛", "闻人"}
    | {"宇文", "巫马", "淳于", "谷梁", "颛孙"}
)


def _anchor(surnames: tuple[str, ...], back: int) -> Anchor:
    return Anchor(
        re.compile("(?:" + "|".join(surnames) + ")(?=[\u4e00-\u9fff])"),
        "".join(dict.fromkeys(c[back] for c in surnames)),
        back=back,
    )


_ANCHORS = (
    _anchor(tuple(c for c in _SURNAMES if c in _FROM_FIRST), 0),
    _anchor(tuple(c for c in _SURNAMES if c not in _FROM_FIRST), 1),
)
# Function characters that end a given name or cannot start one.
_STOP = frozenset(
    "的了是在和与及等说就也都还又要会可从向对为因于到这那有很去来把被给让由以或并但而"
)
_PLACE = frozenset("市县区镇乡村路街")
_START = methodcaller("start")


@register
class CompoundNameRecognizer(Recognizer):
    """A compound surname and one or two given-name characters (see the module)."""

    entity_type = "NAME"
    name = "name_compound"
    full = True  # not with pii.fast_names
    anchors = _ANCHORS
    needs = anchors
    score = 0.7

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        t = name_tables()
        hits = (scan or Scan(text)).anchored_lists(_ANCHORS)
        for m in sorted((m for ms in hits for m in ms), key=_START):
            start, pos = m.start(), m.end()
            if start > 0 and text[start - 1] + text[start] in t.words:
                continue  # "新闻人物", "马上官方"
            size = 0
            while size < 2 and pos + size < len(text):
                ch = text[pos + size]
                if not is_han(ch) or ch in _STOP or t.given.get(ch, -9.0) < 0.0:
                    break
                size += 1
            if size == 2 and text[pos + 1 : pos + 3] in t.words:
                size = 1  # "欧阳可同学": 同学 is a word
            if not size or text[pos : pos + 1] in _PLACE:
                continue
            end = pos + size
            found = Entity("NAME", start, end, text[start:end], self.score, self.name)
            yield found
            yield from list_members(text, found, _STOP_NAMES, _TITLE_AT)  # "扎西顿珠、周瑜"
