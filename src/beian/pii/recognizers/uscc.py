"""USCC: 统一社会信用代码 (GB 32100): 18 characters with a MOD 31 check character."""

from __future__ import annotations

import re
from typing import ClassVar

from stdnum.cn import uscc

from beian.pii._registry import RegexRecognizer, bounded, register

_C = "[0-9A-HJ-NPQRTUWXY]"


@register
class UsccRecognizer(RegexRecognizer):
    entity_type = "USCC"
    name = "uscc"
    pattern: ClassVar[re.Pattern[str]] = re.compile(bounded(_C, rf"{_C}\d{{6}}{_C}{{10}}"))
    score = 0.9
    context = ("信用代码", "社会信用", "营业执照", "税号", "纳税人识别号")

    def check(self, value: str, text: str, start: int) -> float | None:
        return self.score if uscc.is_valid(value) else None
