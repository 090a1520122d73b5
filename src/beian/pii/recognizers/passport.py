"""PASSPORT: 中华人民共和国护照 (E12345678, EA1234567, legacy G12345678; D/S/P + 7–8 digits)."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, clause_before, register
from beian.pii._scan import DIGITS


@register
class PassportRecognizer(RegexRecognizer):
    entity_type = "PASSPORT"
    name = "passport"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded("[EGDSP]", r"(?:[0-9A-HJ-NP-Z]\d{7}|\d{7})")
    )
    trigger = DIGITS
    score = 0.6
    boost = 0.3
    window = 16
    context = ("护照", "passport", "Passport", "PASSPORT", "出入境")
    negative = ("型号", "订单", "单号", "编号", "货号", "批号")

    def check(self, value: str, text: str, start: int) -> float | None:
        if value[0] in "EG":
            return self.score if len(value) == 9 else None
        # Diplomatic, service and public-affairs passports: only with context.
        before = clause_before(text, start, self.window)
        return 0.4 if any(w in before for w in self.context) else None
