from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@Zhang Wei 你的身份证号发一下", ["Zhang Wei"]),  # pinyin surname + pinyin
        ("负责人Cui Yongjun，电话", ["Cui Yongjun"]),  # a two-syllable given name
        ("客服：Emily Chen您好", ["Emily Chen"]),  # given + family name
        ("入住人 Tanaka Hiroshi 护照", ["Tanaka Hiroshi"]),  # family + given (Japanese)
        ("导师Prof. Hans Becker。", ["Hans Becker"]),  # a title before
        ("原定Dr. Smith的课程", ["Smith"]),
        ("登录 Windows Chrome 浏览器", []),  # products
        ("Hong Kong 的分公司", []),  # a place
        ("版本 Release Notes 已更新", []),  # capitalised words that are no names
    ],
)
def test_latin_name(text: str, expected: list[str]) -> None:
    assert found("NAME", text, context_names=True) == expected
