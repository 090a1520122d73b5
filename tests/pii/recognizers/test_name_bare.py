"""Bare names: a surname and given-name characters, with no label or title (name_bare.py)."""

from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("| 序号 | 姓名 | 科室 |\n| 3 | 韩雪梅 | 内科 |", ["韩雪梅"]),  # a table cell
        ("工号,姓名,部门\nA17,郑凯,研发", ["郑凯"]),  # a CSV field
        ("值班表：周一 汪秀英 周二 鲍志强", ["汪秀英", "鲍志强"]),
        ("此致\n敬礼\n——廖婷", ["廖婷"]),  # a signature
        ("owner=欧阳丽华 state=ok", ["欧阳丽华"]),  # compound surname in a log line
        ("取货码 3-8 龚哥", ["龚"]),  # a one-character title: the surname
        ("| 7 | 高兴 | 文明 |", []),  # common words, not names
        ("| 1 | 王师傅 | 马阿姨 |", ["王", "马"]),  # the title reading marks the surname
        ("3 公司 2 东方 5", []),  # no given-name characters
        ("今天天气晴朗，适合出门散步。", []),
        ("京东快递 | 夏天 | +8614573412345", ["夏天"]),  # a word before a mobile number
        ("万博二路79号 江山 17788375688", ["江山"]),
        ("1 高山 6216073339312345678", ["高山"]),  # before a card number
        ("3. 江山，男，32岁", ["江山"]),  # a word before a person's particulars
        ("3. 江山，我们", []),
        ("| 夏天 | 晴 |", []),  # the word alone stays a word
        ("2 程序 6228501593412345", []),  # 序 is unlike a given name's character
        ("余额 6228501593412345", []),
    ],
)
def test_delimited_default(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这件事由邹丽娟负责，下周交付", ["邹丽娟"]),  # 由 … 负责
        ("明天我去找蒋文斌拿钥匙。", ["蒋文斌"]),  # after 找, before a delimiter
        ("请和贺晓燕说一声", ["贺晓燕"]),  # after 和, before 说
        ("退休教师卢桂芳表示，这是好事", ["卢桂芳"]),  # after a person word, before 表示
        ("快递员钟志明的电话打不通", ["钟志明"]),
        ("今年65岁的谭玉兰说，她每天晨练", ["谭玉兰"]),  # after 的, before 说
        ("由于天气原因航班延误", []),  # 由于 is a word
        ("我们和平解决了这件事", []),  # 和平 is a word
        ("他是高兴的", []),
        ("找到了方法就好办", []),
    ],
)
def test_sentence_context(text: str, expected: list[str]) -> None:
    assert found("NAME", text, context_names=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这件事由邹丽娟负责，下周交付", ["邹丽娟"]),  # 由 … 负责
        ("请和贺晓燕说一声", ["贺晓燕"]),
        ("退休教师卢桂芳表示，这是好事", ["卢桂芳"]),
        ("麻烦替瞿秀英签字", ["瞿秀英"]),  # after 替
        # After a word for a person no verb or delimiter need follow; given-name characters
        # unlike a name's (行 of 银行卡, 理 of 管理员) still make a word.
        ("感谢民警李卫东帮她找回老伴", ["李卫东"]),
        ("司机韦德明开车把人送到医院", ["韦德明"]),
        ("请核对本人银行卡。如未到账请联系管理员", []),
        ("系本人向朋友借款", []),  # 朋友 is a word
        ("由于天气原因航班延误", []),
        ("我们和平解决了这件事", []),
        # Two-character given names typical as a pair, though 国 and 向 are frequent in plain
        # text and 建国, 海洋 are words.
        ("经纪人邓建国，服务电话0531-36", ["邓建国"]),
        ("| 孙向东 | 男 |", ["孙向东"]),
        ("| 叶海洋 | 男 |", ["叶海洋"]),
        # 由 and 和 are prepositions, 于 too after a word that is no person's.
        ("2. 由秦川负责回滚方案", ["秦川"]),
        ("父亲于海，出生地点包头市", ["于海"]),
        ("与行人向阳相撞。", ["向阳"]),  # 相撞 is a word: a one-character given name
        ("我是房东杜，押金退你了", []),  # 房东 is a word for a person, not 房 + 东杜
        ("师傅明天上午上门", []),  # 明天 is a word, and no delimiter or verb follows
    ],
)
def test_sentence_default(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("经查，郑某某于当晚离开", ["郑"]),  # a masked name: the surname
        ("退款已转给柏某。", ["柏"]),
        ("payee=邵** amount=30", ["邵"]),
        ("申请人：上官*（代签）", ["上官"]),  # compound surname
        ("某人说过这件事", []),  # no surname before the mask
        ("被告鲍某强，男，", ["鲍某强"]),  # one masked character: the reference as written
        ("案犯现羁押于某看守所。", []),  # 于 after a verb is a preposition
        ("民族：哈萨克\n籍贯：伊犁", []),  # a people, not 哈 + 萨克
        ("项目位于某地", []),  # 位于 is a word: 于 is no surname here
        ("杜总您好，报价单已发", ["杜"]),  # 总 standing alone after a surname
        ("下午三点找阎总。", ["阎"]),
        ("请汇总各部门数据", []),  # 汇总 is a word
        ("张总结了一下经验", []),  # 总结 is a word
        ("受检人：葛红梅 体检日期", ["葛红梅"]),  # a person word ending in 人 and a colon
        ("配送员：敖登 15512345678", ["敖登"]),
    ],
)
def test_masked_surnames_titles_and_person_labels(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected
