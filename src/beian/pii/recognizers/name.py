"""NAME: 中文姓名, lower confidence, found from context.

Two anchors: a context word before the name (姓名：, 联系人, 我叫) or a title after it (先生,
女士, 老师). The name is a surname from the list below plus one or two given-name characters;
where the length is ambiguous, a following function character (的, 是, 今…) ends the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity

SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛"
    "仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "申屠",
    "澹台",
    "轩辕",
    "南宫",
    "独孤",
    "呼延",
    "闻人",
    "钟离",
)
PREFIX_WORDS = (
    "紧急联系人",
    "法定代表人",
    "法人代表",
    "被保险人",
    "联系人",
    "收件人",
    "收货人",
    "寄件人",
    "申请人",
    "负责人",
    "经办人",
    "持卡人",
    "投保人",
    "借款人",
    "监护人",
    "姓名",
    "名字",
    "患者",
    "病人",
    "户主",
    "乘客",
    "签名",
    "署名",
    "我叫",
    "名叫",
    "叫做",
    "客户",
    "家长",
)
TITLES = (
    "先生",
    "女士",
    "小姐",
    "同学",
    "老师",
    "医生",
    "大夫",
    "教授",
    "经理",
    "主任",
    "律师",
    "总监",
    "警官",
    "护士",
    "同志",
)
# Characters that end a given name early (or cannot start one).
_STOP = frozenset(
    "的了是在和与及今年电手身住家现已说等将把被就也都还又要会可从向对为因于到这那有很去来上下中买卖给请"
)
_STOP_TITLE_HEADS = frozenset(t[0] for t in TITLES)
_AMBIGUOUS = frozenset("和向于时谢")  # surnames that are also prepositions or verbs (感谢)

_PREFIX_RE = re.compile(
    "(?:"
    + "|".join(PREFIX_WORDS)
    + r")(?:[:：]\s*|是|为)?"
    + "((?:"
    + "|".join(COMPOUND_SURNAMES)
    + f")|[{SINGLE_SURNAMES}])"
)
_TITLE_RE = re.compile("|".join(TITLES))
_PREFIX = Anchor(
    _PREFIX_RE, "".join(w[0] for w in PREFIX_WORDS), follows="".join(w[1] for w in PREFIX_WORDS)
)
_TITLE = Anchor(_TITLE_RE, "".join(t[0] for t in TITLES), follows="".join(t[1] for t in TITLES))
_SINGLE = frozenset(SINGLE_SURNAMES)
_TITLE_SET = frozenset(TITLES)
# Words that start with a surname character but address a group ("全体同学", "各位女士").
_NOT_NAMES = frozenset(
    {"全体", "各位", "大家", "诸位", "广大", "所有", "这位", "那位", "两位", "几位", "一位"}
)
_COMPOUND = frozenset(COMPOUND_SURNAMES)


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _given(text: str, pos: int) -> int:
    """Length (1 or 2) of the given name starting at ``pos``; 0 when there is none."""
    if pos >= len(text) or not _cjk(text[pos]) or text[pos] in _STOP:
        return 0
    if text[pos : pos + 2] in _TITLE_SET:
        return 0  # "王先生" is a surname and a title, not a full name
    nxt = text[pos + 1] if pos + 1 < len(text) else ""
    if not _cjk(nxt) or nxt in _STOP or nxt in _STOP_TITLE_HEADS:
        return 1
    return 2


@register
class NameRecognizer(Recognizer):
    entity_type = "NAME"
    name = "name"
    prefix_score: ClassVar[float] = 0.8
    title_score: ClassVar[float] = 0.7
    anchors = (_PREFIX, _TITLE)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        scan = scan or Scan(text)
        for m in scan.anchored(_PREFIX):
            start = m.start(1)
            n = _given(text, m.end(1))
            if n:
                end = m.end(1) + n
                yield Entity(
                    self.entity_type, start, end, text[start:end], self.prefix_score, self.name
                )
        for m in scan.anchored(_TITLE):
            begin = self._name_before(text, m.start())
            if begin is not None:
                end = m.start()
                yield Entity(
                    self.entity_type, begin, end, text[begin:end], self.title_score, self.name
                )

    @staticmethod
    def _name_before(text: str, end: int) -> int | None:
        """Start of a surname + given name that ends at ``end``, or None."""

        def plain(chars: str) -> bool:
            return all(_cjk(c) and c not in _STOP for c in chars)

        for size in (4, 3):  # compound surname + one or two characters
            start = end - size
            if start >= 0 and text[start : start + 2] in _COMPOUND and plain(text[start + 2 : end]):
                return start
        start = end - 3
        # "感谢张伟", "和刘洋": a verb or preposition that is also a surname starts no name.
        if (
            start >= 0
            and text[start] in _SINGLE
            and plain(text[start + 1 : end])
            and not (
                text[start] in _AMBIGUOUS
                and text[start + 1] in _SINGLE
                and start > 0
                and _cjk(text[start - 1])
            )
        ):
            return start
        start = end - 2
        if (
            start >= 0
            and text[start] in _SINGLE
            and plain(text[start + 1 : end])
            and text[start:end] not in _NOT_NAMES
        ):
            return start
        return None
