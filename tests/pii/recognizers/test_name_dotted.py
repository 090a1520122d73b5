from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你那个朋友阿依古丽·买买提是做什么的", ["阿依古丽·买买提"]),
        ("被告人木合塔尔·阿不都在其经营的", ["木合塔尔·阿不都"]),  # the role word is left out
        ("领取：迪丽娜尔·艾合买提。", ["迪丽娜尔·艾合买提"]),
        ("演员约翰·克里斯托弗·史密斯", ["约翰·克里斯托弗·史密斯"]),  # three parts
        ("价格·数量", ["价格·数量"]),  # known limit: any dot-joined Han words read as a name
        ("第1·2章", []),  # digits around the dot
        # a time word glued after the name ends it
        ("阿依古丽·买买提明天到岗", ["阿依古丽·买买提"]),
        ("快递由热合曼·吐尔逊已经签收", ["热合曼·吐尔逊"]),
        ("约翰·史密斯先生的护照", ["约翰·史密斯"]),  # a title after the name stays outside
        ("迪丽拜尔·艾山同志负责", ["迪丽拜尔·艾山"]),
        ("买买提·阿不来提", ["买买提·阿不来提"]),  # 来 inside a name stays
    ],
)
def test_dotted_name(text: str, expected: list[str]) -> None:
    assert found("NAME", text, context_names=True) == expected
    assert found("NAME", text) == expected  # both engines
