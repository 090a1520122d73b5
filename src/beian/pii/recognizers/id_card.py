"""ID_CARD: 居民身份证号码 (GB 11643): 18 digits with MOD 11-2 check (X allowed), 15-digit legacy."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from stdnum.cn import ric

from beian.pii._regions import is_region_code
from beian.pii._registry import RegexRecognizer, bounded, register

_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"


@register
class IdCardRecognizer(RegexRecognizer):
    entity_type = "ID_CARD"
    name = "id_card"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded(
            "[1-9]", rf"\d{{5}}(?:(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[\dXx]|\d{{2}}{_DATE}\d{{3}})"
        )
    )
    score = 0.95
    context = ("身份证", "证件号", "公民身份", "身份号码", "ID")
    negative = ("订单", "单号", "流水号", "运单")

    def check(self, value: str, text: str, start: int) -> float | None:
        if len(value) == 18:
            return self.score if ric.is_valid(value) else None
        # 15-digit legacy number: region code and a 19yy birth date, no check digit.
        if not is_region_code(value[:6]):
            return None
        try:
            dt.date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
        except ValueError:
            return None
        return 0.6
