from __future__ import annotations

import pytest
from stdnum.cn import ric

from beian.pii import PiiConfig, PiiEngine
from tests.pii.recognizers.conftest import found

# Valid numbers computed with python-stdnum (independent of the recognizer's code path).
VALID = "110101199003074514"
VALID_X = "11010519491231002X"
assert ric.is_valid(VALID) and ric.is_valid(VALID_X)
# County 420188 is not in GB/T 2260 (its prefecture 420100, 武汉市, is); the check digit holds.
NO_COUNTY = "42018819880615213" + ric.calc_check_digit("420188198806152130")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{VALID}的用户", [VALID]),  # glued to Chinese on both sides
        (f"证件：{VALID_X}。", [VALID_X]),  # check digit X
        (f"证件：{VALID_X.lower()}。", [VALID_X.lower()]),  # lower-case x
        (f"ID {VALID}, 已核验", [VALID]),
        ("旧证号110101900307451，", ["110101900307451"]),  # 15-digit legacy
        (f"身份证号{VALID[:-1]}5的用户", [VALID[:-1] + "5"]),  # wrong check digit: lower score
        (f"idno{VALID}", [VALID]),  # glued to an ASCII label
        (f"sfz:{VALID_X}", [VALID_X]),
        ("号码110101199013074514无效", []),  # month 13
        ("号码000101199003074514无效", []),  # no such region
        (f"订单号12{VALID}已发货", []),  # inside a 20-digit order number
        (f"流水{VALID}88", []),
        (f"A{VALID}", []),  # glued to Latin letters
        ("时间戳1701234567890123", []),
        ("号码110101209901014514", []),  # born in the future
        # an unknown county in a known prefecture, with the right check digit
        (f"身份证{NO_COUNTY}\n", [NO_COUNTY]),
        (f"身份证{NO_COUNTY[:-1]}{(int(NO_COUNTY[-1]) + 1) % 10}", []),  # and a wrong one: no
        ("编码990188198806152138", []),  # no such prefecture
        # one end of a range of serial numbers, or after 耳标: not an ID number
        ("耳标号：420102198806152—420102198806199", []),
        ("号段 420102198806152 ~ 420102198806199", []),
        (f"{VALID}至{VALID[:-2]}99", []),
        ("牛耳标420102198806152，", []),
        (f"身份证{VALID}-见附件", [VALID]),  # a dash and no digits: still an ID
        # a dash or 至 before another kind of number (a phone, a date) is no range: still an ID
        (f"张三—{VALID}—13800138000", [VALID]),
        (f"身份证：{VALID}-13800138000", [VALID]),
        (f"13800138000~{VALID}", [VALID]),
        (f"身份证号{VALID}至20350101有效", [VALID]),
        (f"{VALID}—{VALID_X}", [VALID, VALID_X]),  # two people's numbers, not one series
    ],
)
def test_id_card(text: str, expected: list[str]) -> None:
    assert found("ID_CARD", text) == expected


@pytest.mark.parametrize(
    ("text", "score", "reason"),
    [
        (f"号码{VALID}", 0.95, ""),
        (f"身份证{VALID}", 1.0, ""),  # context raises the score
        # 4 where GB 11643 gives 4 → the wrong digit 5 is named with the right one
        (f"号码{VALID[:-1]}5", 0.55, "校验码不符（按 GB 11643 应为 4，写作 5）"),
        (f"身份证{VALID[:-1]}5", 0.7, "校验码不符（按 GB 11643 应为 4，写作 5）"),
        (f"号码{VALID_X[:-1]}3", 0.55, "校验码不符（按 GB 11643 应为 X，写作 3）"),
        ("旧证号110101900307451，", 0.6, "15 位旧号码，没有校验码"),
        (f"号码{NO_COUNTY}", 0.55, "行政区划代码 420188 不在 GB/T 2260 表中（校验码相符）"),
        (f"身份证：{NO_COUNTY}", 0.7, "行政区划代码 420188 不在 GB/T 2260 表中（校验码相符）"),
    ],
)
def test_id_card_score_and_reason(text: str, score: float, reason: str) -> None:
    (e,) = PiiEngine(PiiConfig(enabled=("ID_CARD",))).analyze(text)
    assert (e.score, e.reason) == (score, reason)
    # a wrong check digit stays above the default threshold: masked unless configured away
    assert e.score >= PiiConfig().threshold
