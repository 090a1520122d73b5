"""HK_MACAO_TW_PERMIT: 往来港澳通行证 (C…), 回乡证 (H/M…), 往来台湾通行证 (T/L…), 台胞证 (8 digits)."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, clause_before, register
from beian.pii._scan import DIGITS


@register
class PermitRecognizer(RegexRecognizer):
    entity_type = "HK_MACAO_TW_PERMIT"
    name = "permit"
    # One pattern (one fast scan) for all shapes; ``check`` sorts them out.
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded("[CWHMTL0-9]", r"[0-9A-HJ-NP-Z]?\d{7}(?:\d{2})?")
    )
    trigger = DIGITS
    after_digit = False  # bounded(), left check on digits
    score = 0.6
    boost = 0.3
    window = 16
    context = ("通行证", "回乡证", "台胞证", "港澳", "台湾", "来往内地", "来往大陆")
    negative = ("型号", "订单", "单号", "编号", "货号", "批号")

    def check(self, value: str, text: str, start: int) -> float | None:
        head, n = value[0], len(value)
        if head.isdigit():
            # 台湾居民来往大陆通行证: a bare 8-digit number, only next to its name.
            if n != 8:
                return None
            before = clause_before(text, start, self.window)
            return 0.55 if ("台胞证" in before or "来往大陆" in before) else None
        if head in "CW":
            return self.score if n == 9 else None
        if not value[1:].isdigit():
            return None
        if head in "HM":
            return self.score if n in (9, 11) else None
        return self.score if n == 9 else None  # T, L
