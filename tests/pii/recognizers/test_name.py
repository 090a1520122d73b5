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
        ("客户王先生", ["王"]),  # a surname and a title: the surname
        ("收件人：其其格 手机", ["其其格"]),  # after a form label, any name-shaped run
        ("联系人桑吉卓玛。", ["桑吉卓玛"]),
        ("原告樊丽娜与被告", ["樊丽娜"]),  # a function character ends the name
        ("与行人向阳相撞", ["向阳"]),  # 相撞 is a word: one given character
        ("老郑（中介）", ["郑"]),  # 老 + surname: the surname
        ("主犯龚某在", ["龚"]),
        ("东方雪，女，58岁", ["东方雪"]),  # particulars after a name
        ("\n高峰：我带相机", ["高峰"]),  # a chat speaker
        ("联系方式：1380000", []),  # a word after a role word
        ("乙方车辆（号牌）", []),
        ("承办律师成律师。", ["成"]),  # 律师 is a word, 成 the surname
        ("请联系班主任。", []),
        (
            "寻人启事：阿依谢姆",
            ["阿依谢姆"],
        ),  # no speaker "寻人启事"; the name's elements (minority)
        ("各位先生，全体女士", []),
        ("今天天气很好", []),
    ],
)
def test_name(text: str, expected: list[str]) -> None:
    assert found("NAME", text, context_names=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("姓名：张三，", ["张三"]),  # form labels and titles: the default engine
        ("收件人：其其格 手机", ["其其格"]),
        ("联系人李娜电话13800000000", ["李娜"]),
        ("刘洋先生今天来办理业务", ["刘洋"]),
        ("客户王先生", ["王"]),
        ("我叫王小明，今年三十岁", ["王小明"]),  # 我叫 is a form label
        # Role words read as cues, particulars, speakers: pii.context_names; in the default
        # engine a name after a word for a person ending in 员/人/警/机… (name_bare.py), not
        # after 事 (too frequent a character to stop at).
        ("同事樊丽娜说", []),
        ("导师Prof. Hans Becker。", ["Hans Becker"]),  # Latin and dotted names: both engines
        ("演员约翰·史密斯", ["约翰·史密斯"]),
        # Glued to its label with no separator, the text must look like a name: a common
        # surname first, or characters none of which is unlike a given name's.
        ("乙方车辆号牌闽N1M768", []),
        ("被告人系初犯、偶犯", []),
        ("请车主于15日内联系", []),  # 于 is a rare surname: here the preposition
        ("原告金鑫，被告钱某某", ["金鑫", "钱"]),
        ("收件人宇文玥 15285625016", ["宇文玥"]),
        ("老郑（中介）", ["郑"]),  # 老/小 + surname: both engines
        ("李小梅，女", ["李小梅"]),  # a surname before 小: the full name, not 梅
        ("每月领养老金。", []),
        ("老公你车停哪了", []),
        ("东方雪，女，58岁", ["东方雪"]),  # between delimiters: a bare name (name_bare.py)
        ("姓名向前\u3000监护人", ["向前"]),  # a word after a form label, before a field's end
        ("预计送达\n尚(先生) 17819880000", ["尚"]),  # a title in brackets
        ("火灾中房主施女士和两个孩子", ["施"]),  # a role word before the surname
        ("亲爱的房客慕容小姐", ["慕容"]),
        ("找聂站长，携带驾驶证", ["聂"]),  # 站长, 园长, 妈妈… as titles
        ("我是林妈妈，孩子发烧", ["林"]),
        ("卡片：祝妈妈生日快乐", []),  # 祝 is a verb here
        ("\n高峰：我带相机", []),  # 高峰 is a word as well: the speaker reading (context)
    ],
)
def test_name_default(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("演员约翰·史密斯", ["约翰·史密斯"]),  # dotted names
        ("李小梅，女", ["李小梅"]),  # a surname before 小: the full name, not 梅
        ("东方雪，女，58岁", ["东方雪"]),  # between delimiters: a bare name (name_bare.py)
        ("扎西顿珠说", ["扎西顿珠"]),  # minority name elements
        ("会议由尉迟晓雯主持", ["尉迟晓雯"]),  # a compound surname mid-sentence
        ("参会：张伟、李娜和王芳", ["张伟", "李娜", "王芳"]),  # the other members of a list
    ],
)
def test_readings_fast_names_leaves_out(text: str, expected: list[str]) -> None:
    # Read by default and with context_names; pii.fast_names skips them (docs/pii.md,
    # 默认引擎的取舍) and keeps the readings after labels and titles.
    assert found("NAME", text) == expected
    assert found("NAME", text, context_names=True) == expected
    assert found("NAME", text, fast_names=True) == []
    assert found("NAME", "联系人：李娜，" + text, fast_names=True) == ["李娜"]
