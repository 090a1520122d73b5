"""HK_MACAO_TW_PERMIT: 往来港澳通行证 (C…), 回乡证 (H/M…), 往来台湾通行证 (T/L…), 台胞证 (8 digits)."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, clause_before, register


@register
class PermitRecognizer(RegexRecognizer):
    entity_type = "HK_MACAO_TW_PERMIT"
    name = "permit"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        "|".join(
            (
                bounded("[CW]", r"[0-9A-HJ-NP-Z]\d{7}"),
                bounded("[HM]", r"\d{8}(?:\d{2})?"),
                bounded("[TL]", r"\d{8}"),
                bounded(r"\d", r"\d{7}"),
            )
        )
    )
    score = 0.6
    boost = 0.3
    window = 16
    context = ("通行证", "回乡证", "台胞证", "港澳", "台湾", "来往内地", "来往大陆")
    negative = ("型号", "订单", "单号", "编号", "货号", "批号")

    def check(self, value: str, text: str, start: int) -> float | None:
        if value[0].isdigit():
            # 台湾居民来往大陆通行证: a bare 8-digit number, only next to its name.
            before = clause_before(text, start, self.window)
            return 0.55 if ("台胞证" in before or "来往大陆" in before) else None
        return self.score
