"""ID_CARD: 居民身份证号码 (GB 11643): 18 digits with MOD 11-2 check (X allowed), 15-digit legacy.

An 18-digit number with a real region code and birth date but a wrong check digit is still
what a person calls an ID number (mistyped, or made up to look like one): it is reported at
:data:`WRONG_CHECK_SCORE`, above the default threshold (so it is masked), with the reason.
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


@register
class IdCardRecognizer(RegexRecognizer):
    entity_type = "ID_CARD"
    name = "id_card"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded(
            "[1-9]",
            rf"\d{{5}}(?:(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[\dXx]|\d{{2}}{_DATE}\d{{3}})",
            left="0-9",
        )
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    glue = True
    score = 0.95
    context = ("身份证", "证件号", "公民身份", "身份号码", "ID")
    negative = ("订单", "单号", "流水号", "运单")

    def check(self, value: str, text: str, start: int) -> float | None:
        # Region code, birth date, then the MOD 11-2 check digit (python-stdnum); the cheap
        # tests first because every long digit run in a text reaches this point.
        if not is_region_code(value[:6]):
            return None
        legacy = len(value) == 15
        year = 1900 + int(value[6:8]) if legacy else int(value[6:10])
        month, day = (value[8:10], value[10:12]) if legacy else (value[10:12], value[12:14])
        try:
            born = dt.date(year, int(month), int(day))
        except ValueError:
            return None
        if born > dt.date.today():
            return None
        if legacy:
            return 0.6  # no check digit on 15-digit numbers
        return self.score if ric.calc_check_digit(value) == value[-1].upper() else WRONG_CHECK_SCORE

    def reason(self, value: str, score: float) -> str:
        if len(value) == 15:
            return "15 位旧号码，没有校验码"
        return f"校验码不符（按 GB 11643 应为 {ric.calc_check_digit(value)}，写作 {value[-1]}）"
