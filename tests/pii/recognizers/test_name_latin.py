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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("卖家Oscar：明天发货", ["Oscar"]),  # one given name next to Chinese text
        ("我的室友Hannah。", ["Hannah"]),
        ("\nMelissa：到了吗", ["Melissa"]),  # a chat speaker
        ("Hi Dmitri,\n附件是合同", ["Dmitri"]),  # after a greeting, any capitalised word
        ("病人Lena Vogt，德国籍", ["Lena Vogt"]),  # a given name, then a word
        ("患者：Jörg Müller（复诊）", ["Jörg Müller"]),  # accented letters after a label
        ("会议定在May 5举行", []),  # a given name that is a month
        ("Jun 03 10:22:41 sshd 登录失败", []),
        ("请用Excel打开", []),  # not a given name
        ("我买了Mate60，不错", []),  # a given name that names a model
        ("请联系Qiao先生确认", ["Qiao"]),  # before a Chinese title
        ("主讲：Tan Wei Ming教授", ["Tan Wei Ming"]),
        ("收款人Dmitri Ivanov（个人）", ["Dmitri Ivanov"]),  # glued after a word for a person
        ("员工Liam O'Connor，工号", ["Liam O'Connor"]),  # an apostrophe
        ("\nZhanar: 我明天到", ["Zhanar"]),  # a speaker whose line goes on in Chinese
        ("\nNote: 请在周五前提交", []),  # a line's label, not a speaker
        ("Dear Mr. Brown,\n附件", ["Brown"]),  # greeting and title: the name after them
    ],
)
def test_latin_given_name_in_chinese_text(text: str, expected: list[str]) -> None:
    assert found("NAME", text, context_names=True) == expected
