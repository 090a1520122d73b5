"""PHONE: 固定电话 with area code (010-12345678, (0755) 1234 5678), an extension after a dash
(010-62517788-2306), the country code (+86 21 6278 3390), and 400/800 numbers."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS

_AREA = r"(?:10|2\d|[3-9]\d{2})"
_EXT = r"(?:-\d{1,5})?"  # an extension after a dash: 021-62351188-2034
# the local number in two groups (0532-8590 1276, 020 3867-2290); such a number must not continue a
# group of digits before it (the middle of a spaced bank card: 6226 0906 3318 2745)
_GROUPS = r"[2-8]\d{2,3}[ -]\d{4}"
_NOT_IN_GROUPS = r"(?<![0-9][ -]0)"
# Not glued to letters or digits, not followed by a dash and a digit, nor by a space and a short
# group of digits (more of the same number); a space and another long number may follow
# ("029-64171057 19965402838").
_RIGHT = r"(?![0-9A-Za-z]|-\d| \d{1,4}(?!\d))"
_EXT_END = re.compile(r"(?<=\d{6})-\d{1,5}$")


@register
class PhoneRecognizer(RegexRecognizer):
    entity_type = "PHONE"
    name = "phone"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        "|".join(
            (
                bounded("0", rf"{_AREA}[ -]?[2-8]\d{{6,7}}{_EXT}", right=_RIGHT, left="0-9"),
                bounded(
                    "0", rf"{_NOT_IN_GROUPS}{_AREA}[ -]?{_GROUPS}{_EXT}", right=_RIGHT, left="0-9"
                ),
                bounded(
                    r"\(",
                    rf"0{_AREA}\)[ -]?(?:[2-8]\d{{6,7}}|{_GROUPS}){_EXT}",
                    right=r"(?![0-9A-Za-z])",
                ),
                bounded(
                    "[48]", r"00[ -]?\d{3}[ -]?\d{4}", right=r"(?![0-9A-Za-z]|[ -]\d)", left="0-9"
                ),
                # With the country code: +86 21 6278 3390, +86-10-62517788.
                bounded(r"\+", rf"86[ -]?{_AREA}[ -]?[2-8]\d{{2,3}}[ -]?\d{{4}}", right=_RIGHT),
            )
        )
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    glue = True
    score = 0.75
    context = ("电话", "座机", "固话", "联系", "致电", "热线", "客服", "传真", "Tel", "TEL")
    negative = ("订单", "单号", "流水号", "运单", "编号")

    def check(self, value: str, text: str, start: int) -> float | None:
        digits = sum(c.isdigit() for c in _EXT_END.sub("", value))  # without the extension
        if value[0] in "48":
            return self.score if digits == 10 else None
        if value[0] == "+":
            digits -= 2  # the country code
        return self.score if 10 <= digits <= 12 else None
