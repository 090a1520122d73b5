"""ADDRESS: 地址, lower confidence: administrative names (省/市/区/县) plus street detail.

Place names come from python-stdnum's division table; a chain of adjacent names is extended by road, number, building and room. A single
name alone ("去过北京市") is an address only with a street detail or a context word before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import ClassVar

from beian.pii._regions import admin_names
from beian.pii._registry import Recognizer, clause_before, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity

_H = r"(?:(?![的了是在到从向为我你他她它])[\u4e00-\u9fff])"
_ROAD = "(?:大道|大街|路|街|巷|弄|胡同|村)"
_DETAIL = re.compile(
    rf"(?:{_H}{{1,6}}?(?:街道|镇|乡))?"
    # A road with its number first ("中关村大街27号" must not stop at 村), else a road alone.
    rf"(?:(?:{_H}|\d){{1,10}}?{_ROAD}\d{{1,5}}(?:-\d{{1,5}})?号院?|(?:{_H}|\d){{1,10}}?{_ROAD})?"
    rf"(?:{_H}{{2,8}}?(?:小区|花园|大厦|公寓|家园|苑|广场|中心|科技园|园区|大楼))?"
    r"(?:\d{1,3}(?:号楼|栋|幢|座))?(?:\d{1,2}单元)?(?:\d{1,5}(?:室|房))?"
)
_STREET = re.compile(r"路|街|巷|弄|胡同|村|号|镇|乡|小区|大厦|花园|公寓|苑|室")
CONTEXT = ("地址", "住址", "住在", "家住", "寄到", "送到", "位于", "户籍", "居住", "籍贯", "收货")
_CONTEXT_RE = re.compile("|".join(CONTEXT))


_SUFFIX = Anchor(re.compile("[省市区县州旗盟]"), "省市区县州旗盟")


@lru_cache(maxsize=1)
def _names() -> tuple[frozenset[str], tuple[int, ...]]:
    names = frozenset(admin_names())
    return names, tuple(sorted({len(n) for n in names}, reverse=True))


def _places(text: str, suffixes: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Division names in ``text``, left to right, not overlapping.

    Every name ends in one of 省市区县州旗盟 (``suffixes``: their matches, an anchor found by the
    engine's one scan of the text), and the few possible names ending there are looked up in a
    set: faster than an automaton over the whole text, because these characters are rare.
    """
    names, lengths = _names()
    out: list[tuple[int, int]] = []
    last = 0
    for m in suffixes:
        end = m.end()
        for n in lengths:  # the longest name ending here that does not overlap the last one
            start = end - n
            if start >= last and text[start:end] in names:
                out.append((start, end))
                last = end
                break
    return out


@register
class AddressRecognizer(Recognizer):
    entity_type = "ADDRESS"
    name = "address"
    score: ClassVar[float] = 0.6
    window: ClassVar[int] = 8
    anchors = (_SUFFIX,)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        places = _places(text, (scan or Scan(text)).anchored(_SUFFIX))
        i = 0
        while i < len(places):
            start, end = places[i]
            parts = 1
            while i + 1 < len(places) and places[i + 1][0] == end:
                i += 1
                end = places[i][1]
                parts += 1
            i += 1
            detail = _DETAIL.match(text, end)
            has_street = detail is not None and _STREET.search(detail.group()) is not None
            before = clause_before(text, start, self.window)
            context = _CONTEXT_RE.search(before) is not None
            if parts < 2 and not has_street and not context:
                continue
            if has_street and detail is not None:
                end = detail.end()
            score = self.score + (0.15 if has_street else 0.0) + (0.15 if context else 0.0)
            yield Entity(self.entity_type, start, end, text[start:end], round(score, 4), self.name)
