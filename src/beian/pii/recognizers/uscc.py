"""USCC: 统一社会信用代码 (GB 32100): 18 characters with a MOD 31 check character."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._checksums import uscc_check_char
from beian.pii._regions import is_region_code
from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS

_C = "[0-9A-HJ-NPQRTUWXY]"  # GB 32100 alphabet: no I, O, S, V, Z


@register
class UsccRecognizer(RegexRecognizer):
    entity_type = "USCC"
    name = "uscc"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded("[1-9ANY]", rf"[1-9]\d{{6}}{_C}{{10}}", left="0-9")
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    glue = True
    score = 0.9
    context = ("信用代码", "社会信用", "营业执照", "税号", "纳税人识别号")

    def check(self, value: str, text: str, start: int) -> float | None:
        # Registration authority 1–9 or A/N/Y (GB 32100 with its amendments; N: 农业 for
        # 农民专业合作社) and its type of organisation.
        # 100000: registered by a central authority (中央编办's 事业单位 121000…, national
        # associations), not a GB/T 2260 code.
        region = value[2:8]
        if value[1] not in "1239" or not (
            region == "100000" or is_region_code(region, province=True)
        ):
            return None
        # Registration authority, organisation type and a real region code, then
        # the MOD 31 check (an all-digit 身份证 that also passes loses to ID_CARD).
        return self.score if uscc_check_char(value) == value[-1] else None
