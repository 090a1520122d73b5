from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "住在北京市朝阳区建国路88号院3号楼2单元501室。",
            ["北京市朝阳区建国路88号院3号楼2单元501室"],
        ),
        ("寄到广东省深圳市南山区科技路1号就行", ["广东省深圳市南山区科技路1号"]),
        ("浙江省杭州市西湖区，", ["浙江省杭州市西湖区"]),  # two or more divisions
        ("家住海淀区中关村大街27号", ["海淀区中关村大街27号"]),
        ("地址：上海市", ["上海市"]),  # context word
        ("他去年去过北京市旅游", []),  # one division, no street, no context
        ("城区的交通很好", []),  # generic words are not anchors
    ],
)
def test_address(text: str, expected: list[str]) -> None:
    assert found("ADDRESS", text) == expected
