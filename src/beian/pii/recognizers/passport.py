"""PASSPORT: 护照号码. 中华人民共和国护照 (E12345678, EA1234567, legacy G12345678; D/S/P +
7–8 digits) on their own; other countries' passports (one or two letters and 6–9 digits:
``TZ3151328``, ``A59296171``) only after 护照 / passport in the same clause."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, bounded, clause_before, register
from beian.pii._scan import DIGITS

_CHINESE = re.compile(r"[EG](?:[0-9A-HJ-NP-Z]\d{7})")


@register
class PassportRecognizer(RegexRecognizer):
    entity_type = "PASSPORT"
    name = "passport"
    # One or two letters and eight to ten characters in all: the length is in the pattern, so
    # longer runs of letters and digits are never candidates.
    pattern: ClassVar[re.Pattern[str]] = re.compile(bounded("[A-Z]", r"(?:[A-Z]\d{6,8}|\d{7,9})"))
    trigger = DIGITS
    score = 0.6
    boost = 0.3
    window = 16
    context = ("护照", "passport", "Passport", "PASSPORT", "出入境")
    negative = ("型号", "订单", "单号", "编号", "货号", "批号")

    def check(self, value: str, text: str, start: int) -> float | None:
        if _CHINESE.fullmatch(value):
            return self.score
        # Diplomatic, service and public-affairs passports and other countries' passports:
        # only with context (then 0.4 + the boost: above a 港澳通行证 reading of C…).
        words = self._context_re
        if words is None or words.search(text, max(0, start - self.window), start) is None:
            return None  # no context word in the window, so none in the clause either
        before = clause_before(text, start, self.window)
        return 0.4 if words.search(before) else None
