"""MOBILE: 手机号码 (1[3-9]x xxxx xxxx), with +86 / 0086 / 86, spaces or dashes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, glued_label, register
from beian.pii._scan import DIGITS, Scan
from beian.pii._types import Entity

_PREFIX = re.compile(r"(?:\+86|0086|86)[ -]?$")


def _glued(text: str, pos: int) -> bool:
    """An ASCII digit, or letters that are neither a label nor a name, right before ``pos``."""
    if pos == 0:
        return False
    before = text[pos - 1]
    if not before.isascii() or not before.isalnum():
        return False
    return before.isdigit() or not glued_label(text, pos)


@register
class MobileRecognizer(RegexRecognizer):
    entity_type = "MOBILE"
    name = "mobile"
    # The left edge is checked in ``find`` because of the optional country code.
    # Written in groups, no more digits may follow after a space or a dash (138 1234 5678 9 is
    # something else); eleven digits in a row may stand before a space and more digits
    # ("phone=13866012347 200 35ms", "柯少华 15906052238 4月5日").
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        r"1[3-9]\d(?:\d{8}(?![0-9A-Za-z]|-\d)|(?:[ -]?\d{4}){2}(?![0-9A-Za-z]|[ -]\d))"
    )
    score = 0.9
    context = ("手机", "电话", "联系", "致电", "短信", "微信")
    negative = ("单号", "流水号", "运单", "订单编号")

    trigger = DIGITS
    needs = (DIGITS,)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        for start, value in self.matches(text, scan):
            end = start + len(value)
            if len({c for c in value if not c.isdigit()}) > 1:
                continue  # mixed separators: "138 1234-5678" is not how numbers are written
            prefix = _PREFIX.search(text, max(0, start - 5), start)
            if prefix is not None and not _glued(text, prefix.start()):
                start = prefix.start()
            elif _glued(text, start):
                continue
            score = self.context_score(text, start, self.score)
            if score is None:
                continue
            yield Entity(self.entity_type, start, end, text[start:end], score, self.name)
