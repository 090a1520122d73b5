"""ID_CARD: 居民身份证号码 (GB 11643): 18 digits with MOD 11-2 check (X allowed), 15-digit legacy;
the 18 digits also in their three parts with spaces (``330106 19890725 2318``).

An 18-digit number with a real region code and birth date but a wrong check digit is still
what a person calls an ID number (mistyped, or made up to look like one): it is reported at
:data:`WRONG_CHECK_SCORE`, above the default threshold (so it is masked), with the reason. So is
one whose check digit and birth date hold but whose county code is not in the GB/T 2260 table
while its prefecture is (371282…: a code withdrawn before python-stdnum's table, or mistyped).

Numbers in a range (``152301200418736—152301200418795``: the first and last of a batch of ear
tags or serial numbers) are never ID numbers, and neither are numbers after 耳标 / 畜禽标识
(livestock identification codes are 15 digits with a region code inside, like a legacy ID).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from stdnum.cn import ric

from beian.pii._regions import is_region_code
from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS

WRONG_CHECK_SCORE = 0.55
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# Another number right after a range mark, or right before the candidate (each side of
# "A—B", "A~B", "A至B"); an ASCII dash counts only without spaces around it. It is the other end
# of a series only with as many characters and the same first six digits (:func:`in_range`):
# a phone number or a date after a dash or 至 leaves an ID number an ID number.
_RANGE = r"(?:[—–~～至到]|——|-(?! ))"
_RANGE_AFTER = re.compile(rf"[ ]?{_RANGE}[ ]?([0-9]+[Xx]?)")
_RANGE_BEFORE = re.compile(rf"([0-9]+[Xx]?)[ ]?{_RANGE}[ ]?$")


@register
class IdCardRecognizer(RegexRecognizer):
    entity_type = "ID_CARD"
    name = "id_card"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded(
            "[1-9]",
            rf"\d{{5}}(?:(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[\dXx]|\d{{2}}{_DATE}\d{{3}}"
            # written in its three parts, region, birth date, sequence and check: 6-8-4
            rf"| (?:18|19|20)\d{{2}}{_DATE} \d{{3}}[\dXx])",
            left="0-9",
        )
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    glue = True
    score = 0.95
    context = ("身份证", "证件号", "公民身份", "身份号码", "ID")
    negative = ("订单", "单号", "流水号", "运单", "耳标", "畜禽标识")

    def check(self, value: str, text: str, start: int) -> float | None:
        end = start + len(value)
        value = value.replace(" ", "")  # 330106 19890725 2318
        # Region code, birth date, then the MOD 11-2 check digit (python-stdnum); the cheap
        # tests first because every long digit run in a text reaches this point.
        legacy = len(value) == 15
        known = is_region_code(value[:6])
        if not known and (legacy or not is_region_code(value[:4] + "00")):
            return None
        year = 1900 + int(value[6:8]) if legacy else int(value[6:10])
        month, day = (value[8:10], value[10:12]) if legacy else (value[10:12], value[12:14])
        try:
            born = dt.date(year, int(month), int(day))
        except ValueError:
            return None
        if born > dt.date.today():
            return None
        if in_range(text, start, end):
            return None
        if legacy:
            return 0.6  # no check digit on 15-digit numbers
        right = ric.calc_check_digit(value) == value[-1].upper()
        if not known:
            return WRONG_CHECK_SCORE if right else None  # one doubt at most
        return self.score if right else WRONG_CHECK_SCORE

    def reason(self, value: str, score: float) -> str:
        value = value.replace(" ", "")
        if len(value) == 15:
            return "15 位旧号码，没有校验码"
        if not is_region_code(value[:6]):
            return f"行政区划代码 {value[:6]} 不在 GB/T 2260 表中（校验码相符）"
        return f"校验码不符（按 GB 11643 应为 {ric.calc_check_digit(value)}，写作 {value[-1]}）"


def in_range(text: str, start: int, end: int) -> bool:
    """Whether the number at ``start:end`` is one end of a range of long numbers: the other
    end, across a range mark, is as long and starts with the same six digits."""
    value = text[start:end]

    def same(m: re.Match[str] | None) -> bool:
        if m is None:
            return False
        other = m.group(1)
        if m.start(1) > 0 and text[m.start(1) - 1].isdigit():
            return False  # cut off by the search window: a longer number
        return len(other) == len(value) and other[:6] == value[:6]

    return same(_RANGE_AFTER.match(text, end)) or same(
        _RANGE_BEFORE.search(text, max(0, start - len(value) - 4), start)
    )
