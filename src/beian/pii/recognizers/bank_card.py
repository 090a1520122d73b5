"""BANK_CARD: 银行卡号, 16–19 digits (groups of four may be split by spaces or dashes), Luhn."""

from __future__ import annotations

import re
from typing import ClassVar

from stdnum import luhn

from beian.pii._regions import is_region_code
from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS


def _id_shaped(digits: str) -> bool:
    """Region code followed by a 19xx/20xx year: the shape of an 18-digit 身份证 number."""
    return digits[6:8] in ("19", "20") and is_region_code(digits[:6])


@register
class BankCardRecognizer(RegexRecognizer):
    entity_type = "BANK_CARD"
    name = "bank_card"
    # Issuer prefixes seen on cards used in China: 3 (JCB/Amex), 4 (Visa), 5 (Mastercard),
    # 6 (UnionPay 62, 60, 65), 9 (legacy domestic). Dates and timestamps start with 1 or 2.
    pattern: ClassVar[re.Pattern[str]] = re.compile(
        bounded(
            "[3-69]",
            r"\d{3}(?:([ -]?)\d{4})(?:\1\d{4}){2}(?:\1?\d{1,3})?",
            # A digit group after a space ends no card written in groups, but may follow one
            # written in one piece (a table: "6216…648 6,800.00").
            right=r"(?![0-9A-Za-z])"
            + "".join(rf"(?!(?<=[ -]\d{{{n}}})[ -]\d)" for n in range(1, 5)),
            left="0-9",
        )
    )
    trigger = DIGITS
    glue = True
    score = 0.8
    context = ("银行卡", "卡号", "账号", "账户", "信用卡", "借记卡", "储蓄卡", "开户", "转账")
    negative = (
        "证件",
        "身份证",
        "订单",
        "单号",
        "流水号",
        "运单",
        "快递",
        "编号",
        "交易号",
        "时间戳",
        "序列号",
    )

    def check(self, value: str, text: str, start: int) -> float | None:
        digits = value.replace(" ", "").replace("-", "")
        if not 16 <= len(digits) <= 19:
            return None
        if len(digits) == 18 and _id_shaped(digits):
            return None  # a 身份证 number (valid or with a wrong check digit), not a card
        return self.score if luhn.checksum(digits) == 0 else None
