from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("手机13812345678联系", ["13812345678"]),
        ("电话：138 1234 5678。", ["138 1234 5678"]),
        ("电话：138-1234-5678。", ["138-1234-5678"]),
        ("拨打+86 13812345678", ["+86 13812345678"]),
        ("拨打+8613812345678", ["+8613812345678"]),
        ("拨打0086-13812345678", ["0086-13812345678"]),
        ("拨打8613812345678", ["8613812345678"]),
        ("号码19912345678和17012345678", ["19912345678", "17012345678"]),
        ("号码12345678901无效", []),  # no 12x prefix
        ("号码1381234567", []),  # 10 digits
        ("编号138123456789", []),  # 12 digits
        ("时间戳1701234567890", []),
        ("订单号13812345678已发货", []),  # negative context
        ("x13812345678", []),  # glued to a letter
        ("138 1234-5678", []),  # mixed separators
    ],
)
def test_mobile(text: str, expected: list[str]) -> None:
    assert found("MOBILE", text) == expected
