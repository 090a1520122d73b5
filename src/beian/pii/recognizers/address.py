"""ADDRESS: 地址, lower confidence: administrative names (省/市/区/县) plus street detail.

Place names come from python-stdnum's division table and are found with one Aho-Corasick
pass; a chain of adjacent names is extended by road, number, building and room. A single
name alone ("去过北京市") is an address only with a street detail or a context word before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, ClassVar

from beian.pii._regions import admin_names
from beian.pii._registry import Recognizer, clause_before, has_any, register
from beian.pii._types import Entity
from beian.pii._view import TextView

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


@lru_cache(maxsize=1)
def _matcher() -> Any:
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(
        list(admin_names()), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
    )


@register
class AddressRecognizer(Recognizer):
    entity_type = "ADDRESS"
    name = "address"
    score: ClassVar[float] = 0.6
    window: ClassVar[int] = 8

    def find_view(self, view: TextView) -> Iterator[Entity]:
        text = view.text
        matches = _matcher().find_matches_as_indexes(text)
        i = 0
        while i < len(matches):
            _, start, end = matches[i]
            parts = 1
            while i + 1 < len(matches) and matches[i + 1][1] == end:
                i += 1
                end = matches[i][2]
                parts += 1
            i += 1
            detail = _DETAIL.match(text, end)
            has_street = detail is not None and _STREET.search(detail.group()) is not None
            before = clause_before(text, start, self.window)
            context = has_any(before, CONTEXT)
            if parts < 2 and not has_street and not context:
                continue
            if has_street and detail is not None:
                end = detail.end()
            score = self.score + (0.15 if has_street else 0.0) + (0.15 if context else 0.0)
            yield Entity(self.entity_type, start, end, text[start:end], round(score, 4), self.name)
