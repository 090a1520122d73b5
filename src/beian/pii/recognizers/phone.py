"""PHONE: 固定电话 with area code (010-12345678, (0755) 1234 5678) and 400/800 numbers."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS

_AREA = r"(?:10|2\d|[3-9]\d{2})"


@register
class PhoneRecognizer(RegexRecognizer):
    entity_type = "PHONE"
    name = "phone"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        "|".join(
            (
                bounded(
                    "0", rf"{_AREA}[ -]?[2-8]\d{{6,7}}", right=r"(?![0-9A-Za-z]|[ -]\d)", left="0-9"
                ),
                bounded(r"\(", rf"0{_AREA}\)[ -]?[2-8]\d{{6,7}}", right=r"(?![0-9A-Za-z])"),
                bounded(
                    "[48]", r"00[ -]?\d{3}[ -]?\d{4}", right=r"(?![0-9A-Za-z]|[ -]\d)", left="0-9"
                ),
            )
        )
    )
    trigger = DIGITS
    glue = True
    score = 0.75
    context = ("电话", "座机", "固话", "联系", "致电", "热线", "客服", "传真", "Tel", "TEL")
    negative = ("订单", "单号", "流水号", "运单", "编号")

    def check(self, value: str, text: str, start: int) -> float | None:
        digits = sum(c.isdigit() for c in value)
        if value[0] in "48":
            return self.score if digits == 10 else None
        return self.score if 10 <= digits <= 12 else None
