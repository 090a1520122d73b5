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
        ("大额订单风控：用户+86 18378599101下单", ["+86 18378599101"]),  # 订单 is no 单号
        ("contact_tel18464885314 retry=3", ["18464885314"]),  # glued ASCII label
        ("收件人Lucy Ho13677634326", ["13677634326"]),  # glued to a name
        ("京东物流 JDX018923340102", []),  # inside a waybill number
        ("SN13812345678", []),  # letters that are neither label nor name
        ("138 1234-5678", []),  # mixed separators
        # eleven digits in a row may stand before a space and more digits; groups may not
        ("GET /api?phone=13866012347 200 35ms", ["13866012347"]),
        ("预约记录：柯少华 15906052238 4月5日", ["15906052238"]),
        ("138 1234 5678 9", []),
        ("13812345678-1", []),
    ],
)
def test_mobile(text: str, expected: list[str]) -> None:
    assert found("MOBILE", text) == expected
