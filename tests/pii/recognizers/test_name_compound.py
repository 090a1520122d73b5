from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("车主是我爱人尉迟晓雯，手机193", ["尉迟晓雯"]),  # in running text, no label
        ("答辩人澹台子墨，导师", ["澹台子墨"]),
        ("如有同宗，请联系司马光明19854188403。", ["司马光明"]),  # found from 马
        ("家长您好，您的孩子欧阳子轩今日未按时到校", ["欧阳子轩"]),  # found from 欧
        ("悬赏寻人：债务人万俟辉，男", ["万俟辉"]),
        ("请上官网查询", []),  # 网 is unlike a given name's character
        ("新闻人物专访", []),  # 新闻 is a word: no 闻人
        ("濮阳市华龙区", []),  # a place
        ("东方明珠塔下", []),  # 东方 is a word, not read as a surname here
    ],
)
def test_compound_surname_name(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected
    assert found("NAME", text, context_names=True) == expected
