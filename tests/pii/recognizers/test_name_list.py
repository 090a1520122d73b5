from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("姓名：张伟、李娜、王芳", ["张伟", "李娜", "王芳"]),  # a label, then a list
        ("姓名：张伟、李娜等人", ["张伟", "李娜"]),
        ("联系人：陈立新、南宫雅、3号楼", ["陈立新", "南宫雅"]),  # 复姓
        ("王总、刘经理和陈静", ["王", "刘", "陈静"]),  # a title is stepped over, both ways
        ("联系人：叶海洋（四川）、欧阳晨曦（湖南）", ["叶海洋", "欧阳晨曦"]),  # a note
        ("联系人：张伟及李娜。", ["张伟", "李娜"]),
        ("联系人张伟和周边居民", ["张伟"]),  # 周边 is a common word
        ("联系人：张伟和朋友", ["张伟"]),  # no surname
        ("李娜和王先生", ["李娜", "王"]),  # the title rule finds 王
        ("联系人：张伟、三楼会议室", ["张伟"]),
        ("张伟、李娜", ["张伟", "李娜"]),  # bare names between delimiters (name_bare.py)
    ],
)
def test_name_list(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected
    assert found("NAME", text, context_names=True) == expected


@pytest.mark.parametrize(
    ("text", "default", "context"),
    [
        # List labels: context only; the default engine reads bare names between delimiters
        # (name_bare.py): 叶海洋 (海洋 is a word, but a typical given name as a pair), not 田野
        # (a word as a whole).
        ("参会人：张伟、李娜、王芳", ["张伟", "李娜", "王芳"], ["张伟", "李娜", "王芳"]),
        ("名单：叶海洋（四川）、欧阳晨曦（湖南）", ["叶海洋", "欧阳晨曦"], ["叶海洋", "欧阳晨曦"]),
        (
            "公示：拟认定田野、司徒嘉欣、巴特尔为",
            ["司徒嘉欣", "巴特尔"],
            ["田野", "司徒嘉欣", "巴特尔"],
        ),
    ],
)
def test_name_list_labels(text: str, default: list[str], context: list[str]) -> None:
    assert found("NAME", text) == default
    assert found("NAME", text, context_names=True) == context
