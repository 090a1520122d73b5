from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("姓名：张三，", ["张三"]),
        ("我叫王小明，今年三十岁", ["王小明"]),
        ("我叫王伟今年三十岁", ["王伟"]),  # a function character ends the name
        ("联系人李娜电话13800000000", ["李娜"]),
        ("。欧阳娜娜女士来了", ["欧阳娜娜"]),  # compound surname
        ("刘洋先生今天来办理业务", ["刘洋"]),
        ("感谢张伟先生", ["张伟"]),  # 谢 is a surname but here a verb
        ("。谢华艳女士", ["谢华艳"]),
        ("客户王先生", []),  # a surname and a title is not a full name
        ("各位先生，全体女士", []),
        ("今天天气很好", []),
    ],
)
def test_name(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected
