from __future__ import annotations

import pytest
from stdnum.cn import ric

from tests.pii.recognizers.conftest import found

# Valid numbers computed with python-stdnum (independent of the recognizer's code path).
VALID = "110101199003074514"
VALID_X = "11010519491231002X"
assert ric.is_valid(VALID) and ric.is_valid(VALID_X)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{VALID}的用户", [VALID]),  # glued to Chinese on both sides
        (f"证件：{VALID_X}。", [VALID_X]),  # check digit X
        (f"证件：{VALID_X.lower()}。", [VALID_X.lower()]),  # lower-case x
        (f"ID {VALID}, 已核验", [VALID]),
        ("旧证号110101900307451，", ["110101900307451"]),  # 15-digit legacy
        (f"身份证号{VALID[:-1]}5的用户", []),  # wrong check digit
        ("号码110101199013074514无效", []),  # month 13
        ("号码000101199003074514无效", []),  # no such region
        (f"订单号12{VALID}已发货", []),  # inside a 20-digit order number
        (f"流水{VALID}88", []),
        (f"A{VALID}", []),  # glued to Latin letters
        ("时间戳1701234567890123", []),
        ("号码110101209901014514", []),  # born in the future
    ],
)
def test_id_card(text: str, expected: list[str]) -> None:
    assert found("ID_CARD", text) == expected
