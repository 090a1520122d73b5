from __future__ import annotations

import pytest
from stdnum import luhn

from beian.pii import PiiConfig, PiiEngine
from tests.pii.recognizers.conftest import found

CARD16 = "6222021234567894"
CARD19 = "6217001234567890122"
assert luhn.is_valid(CARD16) and luhn.is_valid(CARD19)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"卡号{CARD16}的", [CARD16]),
        (f"银行卡{CARD19}。", [CARD19]),
        ("卡号6222 0212 3456 7894。", ["6222 0212 3456 7894"]),
        ("卡号6222-0212-3456-7894。", ["6222-0212-3456-7894"]),
        ("卡号6217 0012 3456 7890 122，", ["6217 0012 3456 7890 122"]),
        (f"卡号{CARD16[:-1]}5的", [f"{CARD16[:-1]}5"]),  # Luhn fails, right after a card label
        (f"银行卡：{CARD19[:-1]}3。", [f"{CARD19[:-1]}3"]),
        ("信用卡号为 6222 0212 3456 7895，", ["6222 0212 3456 7895"]),
        (f"参考{CARD16[:-1]}5的", []),  # Luhn fails and no card label: not a card
        (f"卡号已绑定，订单{CARD16[:-1]}5", []),  # the label is not right before the number
        (f"订单号{CARD16}已发货", []),  # negative context
        (f"流水{CARD19}12", []),  # 21 digits
        (f"bankcard{CARD16} holder", [CARD16]),  # glued ASCII label
        (f"1 高山 {CARD19} 6,800.00", [CARD19]),  # a table: an amount after one-piece digits
        (f"XY{CARD16}", []),
        ("时间20231130123045678", []),  # starts with 2: a timestamp
        ("证件号110101199003074514", []),  # an ID number is not a card
        # money moved onto a number, a bank's card, an account: a failing number is still a card
        (f"退至业主的建行卡{CARD19[:-1]}3，请查收", [f"{CARD19[:-1]}3"]),
        (f"收款账户：{CARD19[:-1]}3，本周", [f"{CARD19[:-1]}3"]),
        (f"学费转账到{CARD16[:-1]}5，户名张三", [f"{CARD16[:-1]}5"]),
        (f"金额已转入{CARD16[:-1]}5。", [f"{CARD16[:-1]}5"]),
        # a UnionPay number in groups of four reads as a card with no label at all
        ("押金已通过6222 0212 3456 7895支付", ["6222 0212 3456 7895"]),
        ("参考号6222021234567895", []),  # the same digits in one piece, no label: not a card
        ("编号4222 0212 3456 7895", []),  # groups of four, but not UnionPay, no label
        # a 公积金 (housing fund) account is not a bank card, whatever its label
        ("公积金账户（账号3301 0608 1122 7749）冻结", []),
    ],
)
def test_bank_card(text: str, expected: list[str]) -> None:
    assert found("BANK_CARD", text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"卡号{CARD16}", ""),
        (f"卡号{CARD16[:-1]}5", "Luhn 校验位不符（应为 4，写作 5），但紧跟在卡号标签之后"),
        (f"储蓄卡：{CARD19[:-1]}3", "Luhn 校验位不符（应为 2，写作 3），但紧跟在卡号标签之后"),
        (
            "已通过6222 0212 3456 7895支付",
            "Luhn 校验位不符（应为 4，写作 5），但四位一组书写的银联卡号",
        ),
    ],
)
def test_bank_card_wrong_check_digit_is_masked_with_the_reason(text: str, reason: str) -> None:
    (e,) = PiiEngine(PiiConfig(enabled=("BANK_CARD",))).analyze(text)
    assert e.reason == reason
    assert e.score >= PiiConfig().threshold  # masked unless configured away
    if reason:
        assert (
            e.score < PiiEngine(PiiConfig(enabled=("BANK_CARD",))).analyze(f"卡号{CARD16}")[0].score
        )
