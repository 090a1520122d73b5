"""USCC: 统一社会信用代码 (GB 32100): 18 characters with a MOD 31 check character."""

from __future__ import annotations

import re
from typing import ClassVar

from beian.pii._regions import is_region_code
from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS

_C = "[0-9A-HJ-NPQRTUWXY]"  # GB 32100 alphabet: no I, O, S, V, Z
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(value: str) -> str:
    """The GB 32100 MOD 31 check character of the first 17 characters of ``value``.

    The same computation as python-stdnum's ``stdnum.cn.uscc.calc_check_digit`` (the tests
    compare the two), without its input clean-up: the pattern has already matched 18
    characters of the alphabet, and this runs for every 18-character run in a text.
    """
    total = sum(map(int.__mul__, map(_VALUE.__getitem__, value[:17]), _WEIGHTS))
    return _ALPHABET[-total % 31]


@register
class UsccRecognizer(RegexRecognizer):
    entity_type = "USCC"
    name = "uscc"
    pattern: ClassVar[re.Pattern[str]] = re.compile(bounded(r"\d", rf"\d{{7}}{_C}{{10}}"))
    trigger = DIGITS
    score = 0.9
    context = ("信用代码", "社会信用", "营业执照", "税号", "纳税人识别号")

    def check(self, value: str, text: str, start: int) -> float | None:
        if value[1] not in "1239" or not is_region_code(value[2:8], province=True):
            return None
        # Registration authority, organisation type and a real region code, then the MOD 31
        # check character (an all-digit 身份证 that also passes loses to ID_CARD).
        return self.score if check_character(value) == value[-1] else None
