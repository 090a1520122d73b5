"""PLATE: 机动车号牌 (京A12345, 粤B·D12345 new-energy 8 characters, 警/学/挂 suffixes)."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._registry import RegexRecognizer, register

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # letters used on plates: no I, no O


@register
class PlateRecognizer(RegexRecognizer):
    entity_type = "PLATE"
    name = "plate"
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        rf"[{PROVINCES}][{_L}][ ·•]?"
        rf"(?:[DF][{_L}0-9]{{5}}|\d{{5}}[DF]|[{_L}0-9]{{4}}[{_L}0-9挂学警港澳])"
        r"(?![0-9A-Za-z])"
    )
    heads = PROVINCES
    follows = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # _L
    score = 0.75
    context = ("车牌", "号牌", "车辆", "牌照", "车号")

    def check(self, value: str, text: str, start: int) -> float | None:
        tail = value[2:].lstrip(" ·•")
        letters = sum(c.isascii() and c.isalpha() for c in tail)
        if len(tail) == 5 and letters > 2:
            return None  # ordinary plates carry at most two letters in the serial
        if len(tail) == 6 and tail[0] in "DF" and letters > 3:
            # New-energy plates (GA 36-2018: D/F, a letter or digit, four digits); people also
            # write one or two more letters among the digits (苏E·D72K90): still read as a plate.
            return None
        return self.score
