from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("收：唐小峰 13966399351", ["唐小峰"]),  # a parcel's 收：/寄：
        ("\n寄：宇文婷 19192087729", ["宇文婷"]),
        ("张伟13812345678", ["张伟"]),  # a name right before a mobile number
        ("\n2 曹雪 18703213651", ["曹雪"]),
        ("——刘志远 15818271609", ["刘志远"]),
        ("\n张宇收 15278374431", ["张宇"]),  # 收 between the name and the number
        ("实收：100元", []),
        ("请拨打13812345678", []),  # no name before the number
        ("电话是13812345678", []),
        ("订单号2213812345678", []),  # part of a longer number
    ],
)
def test_name_parcel(text: str, expected: list[str]) -> None:
    assert found("NAME", text, context_names=True) == expected
    # The default engine: names between delimiters only (name_bare.py), not 张宇 before 收.
    assert found("NAME", text) == ([] if "收 " in text else expected)
