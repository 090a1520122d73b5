"""PHONE: 固定电话 with area code (010-12345678, (0755) 1234 5678), an extension after a dash
(010-62517788-2306) or after 转 / 分机 / ext (0591-87116320转2, 020 3412 7786 分机 315), the
country code (+86 21 6278 3390), and 400/800 numbers. Full-width brackets and dashes
(（010）65813297, 0452－6073318) are outside the digit windows: :mod:`phone_fullwidth` reads them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS, Scan
from beian.pii._types import Entity

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
_EXT_END = re.compile(r"(?<=\d)-\d{1,5}$")
# An extension written with a word after the number: 转 (through the switchboard), 分机, ext.;
# at most one space on each side of the word, one to five digits, not followed by more digits.
EXT_WORD = re.compile(r" ?(?:转|分机|ext\.?|EXT\.?|Ext\.?) ?\d{1,5}(?![0-9])")


def local_digits(value: str) -> int | None:
    """The digits of a landline number (less the country code), or None when they are not 10–12.

    A dash and one to five digits at the end are an extension when the number is too long with
    them (021-6209 5531-8206, 010-62517788-2306) and part of the number when it is not
    (010-6251-7788)."""
    digits = sum(c.isdigit() for c in value)
    if value[0] == "+":
        digits -= 2  # the country code
    if not 10 <= digits <= 12 and (m := _EXT_END.search(value)) is not None:
        digits -= len(m.group()) - 1
    return digits if 10 <= digits <= 12 else None


def with_extension(text: str, end: int) -> int:
    """``end`` moved past an extension written with a word (转 / 分机 / ext) right after it."""
    m = EXT_WORD.match(text, end)
    return m.end() if m is not None else end


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
                # The area code may stand in brackets: +86 (519) 8512 3340.
                bounded(
                    r"\+",
                    rf"86[ -]?(?:{_AREA}|\({_AREA}\))[ -]?[2-8]\d{{2,3}}[ -]?\d{{4}}",
                    right=_RIGHT,
                ),
            )
        )
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    glue = True
    score = 0.75
    context = ("电话", "座机", "固话", "联系", "致电", "热线", "客服", "传真", "Tel", "TEL")
    negative = ("订单", "单号", "流水号", "运单", "编号")
    needs = (DIGITS,)

    def check(self, value: str, text: str, start: int) -> float | None:
        if value[0] in "48":
            digits = sum(c.isdigit() for c in value)
            return self.score if digits == 10 else None
        return self.score if local_digits(value) is not None else None

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        for e in super().find(text, scan):
            end = with_extension(text, e.end)
            yield e if end == e.end else e._replace(end=end, text=text[e.start : end])
