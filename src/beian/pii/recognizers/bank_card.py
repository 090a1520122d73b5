"""BANK_CARD: 银行卡号, 16–19 digits (groups of four may be split by spaces or dashes), Luhn.

A number that fails the Luhn check is a card number all the same when a card label stands right
before it (``卡号6222…``, ``银行卡：…``): mistyped, or made up to look like one, it is what a person
calls a card number. It is reported at :data:`WRONG_CHECK_SCORE`, above the default threshold (so
it is masked), with the reason; without such a label a failing number is not a card.
"""

from __future__ import annotations

import re
from typing import ClassVar

from stdnum import luhn

from beian.pii._checksums import luhn_valid
from beian.pii._regions import is_region_code
from beian.pii._registry import RegexRecognizer, bounded, register
from beian.pii._scan import DIGITS

WRONG_CHECK_SCORE = 0.55
# Labels that make a failing number a card number when they end at most a few characters before it.
_CARD_LABELS = (
    "银行卡", "卡号", "信用卡", "借记卡", "储蓄卡", "银行账号", "收款账号", "账号",
    # a bank's card (建行卡, 工行卡, 农行卡…), an account, money moved onto the number
    "行卡", "账户", "转账到", "转账至", "转到", "转入", "转至", "汇入", "汇至", "打款到", "打到",
)  # fmt: skip
_LABEL_WINDOW = 6  # the label's end to the number: a colon, spaces, "为", "是"
# Accounts that are not bank cards although they are 16–19 digits after 账号/账户 (adjudication
# rule NR18 of the PII evaluation sets: a 公积金 account is not a card).
_NOT_CARD = ("公积金", "社保", "医保")
_NOT_CARD_WINDOW = 16
# A UnionPay number written in groups of four ("6225 8870 1530 4472") is a card number to a reader
# even with no label and a failing check digit.
_GROUPED_UNIONPAY = re.compile(r"62\d{2}([ -])\d{4}(?:\1\d{4}){2}(?:\1?\d{1,3})?")


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
        if luhn_valid(digits):
            return self.score
        if any(w in text[max(0, start - _NOT_CARD_WINDOW) : start] for w in _NOT_CARD):
            return None
        if _after_card_label(text, start) or _GROUPED_UNIONPAY.fullmatch(value):
            return WRONG_CHECK_SCORE
        return None

    def reason(self, value: str, score: float) -> str:
        if score == WRONG_CHECK_SCORE:
            digits = value.replace(" ", "").replace("-", "")
            check = luhn.calc_check_digit(digits[:-1])
            why = (
                "四位一组书写的银联卡号"
                if _GROUPED_UNIONPAY.fullmatch(value)
                else "紧跟在卡号标签之后"
            )
            return f"Luhn 校验位不符（应为 {check}，写作 {digits[-1]}），但{why}"
        return ""


def _after_card_label(text: str, start: int) -> bool:
    """Whether a card label ends within :data:`_LABEL_WINDOW` characters before ``start`` with
    only separators between them."""
    before = text[max(0, start - _LABEL_WINDOW - 4) : start]
    gap = re.search(r"[\s:：为是]*$", before)
    head = before[: gap.start()] if gap else before
    return head.endswith(_CARD_LABELS) and len(before) - len(head) <= _LABEL_WINDOW
