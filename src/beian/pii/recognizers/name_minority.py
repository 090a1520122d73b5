"""NAME: Tibetan, Mongolian, Uyghur/Kazakh and Yi names written in Chinese characters without a
surname and without a dot (扎西顿珠, 次仁旺姆, 额尔敦巴雅尔, 阿布都热西提, 吉克阿依).

Such a name is a run of the usual elements of those naming traditions (:data:`ELEMENTS`: 扎西,
次仁, 卓玛, 巴特尔, 其木格, 阿依, 古丽, 买买提, 吉克, 木呷…), which are rare in ordinary
Chinese words. A run of two elements or more (four characters at least), or one long element
standing for a whole name (阿依努尔, 格日勒图, 帕尔哈提), is a name wherever it stands: no
surname table can find these, and a label or title is often missing (``扎西顿珠说``,
``发展对象扎西顿珠、章程``). Names listed with one (``白玛次仁、周瑜、申屠浩``) are read as
in :mod:`.name_list`. Dotted forms continue across the dot (阿依古丽·买买提).

A run followed by a word for a place (县, 乡, 村, 寺, 草原…) is a place name (``扎西岗乡``)
and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity
from beian.pii.recognizers.name import _STOP as _STOP_NAMES
from beian.pii.recognizers.name import _TITLE_AT, _alternation
from beian.pii.recognizers.name_list import list_members

__all__ = ["ELEMENTS", "WHOLE", "MinorityNameRecognizer"]

# Name elements, by tradition (common transliterations; several spellings of one element).
_TIBETAN = (
    "扎西 次仁 卓玛 拉姆 央金 格桑 旦增 丹增 顿珠 平措 白玛 索朗 索南 达瓦 尼玛 多吉 多杰 普布"
    " 边巴 巴桑 次旦 旺姆 旺堆 曲杰 才让 德吉 措姆 拉巴 洛桑 强巴 群培 仁增 贡布 桑珠 德庆"
    " 卓嘎 拉珍 曲珍 央宗 益西 嘉措 加措 达娃 泽仁 次央 桑吉 旺秋 多布杰 拉措 白珍 琼达 米玛"
    " 曲措 更登 土登 阿旺 丹珠 尼珍 次珍 其米 德央 格列 朗杰 措吉 卓嘎 斯朗 四郎 泽旺 贡觉"
)
_MONGOLIAN = (
    "巴特尔 巴雅尔 额尔敦 其木格 其其格 乌兰 图雅 斯琴 格日勒 苏和 布和 宝音 哈斯 朝鲁 那仁"
    " 娜仁 孟和 阿拉坦 乌力吉 敖登 萨仁 高娃 托娅 巴图 吉日嘎拉 道尔吉 满都拉 特木尔 图门"
    " 乌日娜 塔娜 萨日娜 额尔德尼 朝格图 阿木古楞 毕力格 苏日娜 吉雅 乌云 那日苏 图力古尔"
    " 巴根 达赖 格日乐 格日勒图 朝格图 其勒格尔 呼和 朝克 宝力 道尔基 乌恩 阿古拉 赛罕"
)
_TURKIC = (
    "买买提 麦麦提 阿卜杜 阿布都 阿不都 热依木 吐尔逊 艾尔肯 阿依努尔 古丽 热合曼 库尔班"
    " 热西提 克里木 努尔 帕提 迪丽 拜尔 热巴 米热 娜尔 谢姆 米努尔 帕尔哈提 阿布来提 来提"
    " 艾合买提 阿合买提 合买提 艾力 吾斯曼 阿里木 阿力木 玉素甫 依明 热娜 阿衣木 阿拉木斯"
    " 买合木提 图尔荪 肉孜 亚森 艾则孜 阿迪力 努尔兰 加娜尔 叶尔兰 阿斯哈尔 巴合提 吐尔洪"
    " 托合提 阿卜杜拉 伊力 买提 阿依 再努尔 祖丽 帕丽 伊丽 木合塔尔 阿孜 沙吾提 吐逊 热孜"
    " 塔依尔 阿尔曼 布尔 依力 夏提 吾买尔 卡德尔 阿依夏 热汗 萨拉 玛依拉 排孜 努尔古丽"
)
_YI = (
    "吉克 阿西 木呷 伍沙 阿牛 阿呷 沙马 日哈 达古 俄木 拉且 曲布 吉伍 阿嫫 阿果 曲比 阿且"
    " 马海 海来 勒格 阿苦 莫色 阿约 阿支 伍各 阿衣 木乃 俄底 吉则 倮伍 吉木 阿鲁 日火"
    " 阿洛 尔布 拉哈 阿作 瓦扎 阿说 果果"
)
ELEMENTS = frozenset(
    w for words in (_TIBETAN, _MONGOLIAN, _TURKIC, _YI) for w in words.split() if len(w) > 1
)
# Characters that end a name after an element (买买提江, 努尔汗).
_SUFFIXES = "江汗"
# One element that is a whole name by itself.
WHOLE = frozenset(w for w in ELEMENTS if len(w) >= 4)
# After the run: a place, a people or a language, not a person.
_PLACE_AFTER = frozenset("县市区乡镇村寺庙旗盟州山河湖湾沟峰谷岗宗路街族语")
_PLACE_WORDS = ("草原", "牧场", "苏木", "嘎查", "景区", "地区", "机场", "雪山", "冰川")
_DOTS = frozenset("·•・")


def _anchor() -> Anchor:
    element = f"(?:{_alternation(tuple(sorted(ELEMENTS)))})"
    part = f"{element}(?:{element}|[{_SUFFIXES}](?![\u4e00-\u9fff]))*"
    dots = "".join(sorted(_DOTS))
    return Anchor(
        re.compile(f"{part}(?:[{dots}]{part})*"),
        "".join(sorted({w[0] for w in ELEMENTS})),
        "".join(sorted({w[1] for w in ELEMENTS})),
    )


_ANCHOR = _anchor()


@register
class MinorityNameRecognizer(Recognizer):
    """Names made of Tibetan, Mongolian, Turkic or Yi name elements (see the module)."""

    entity_type = "NAME"
    name = "name_minority"
    full = True  # not with pii.fast_names: 106 common first characters in the scan
    anchors = (_ANCHOR,)
    needs = anchors
    score = 0.85  # above a label reading that stops inside the name (收件人阿布|都热西提)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        for m in (scan or Scan(text)).anchored(_ANCHOR):
            start, end = m.span()
            run = m.group()
            if not (run in WHOLE or (end - start >= 4 and run not in ELEMENTS)):
                continue  # one element alone: 乌兰, 古丽, 扎西 say too little
            if text[end : end + 1] in _PLACE_AFTER or text[end : end + 2] in _PLACE_WORDS:
                continue  # "扎西岗乡", "乌兰图雅草原"
            if text[start - 1 : start] in _DOTS or text[end : end + 1] in _DOTS:
                continue  # a dotted name with other parts (the dotted reading)
            found = Entity("NAME", start, end, text[start:end], self.score, self.name)
            yield found
            yield from list_members(text, found, _STOP_NAMES, _TITLE_AT)  # "扎西顿珠、周瑜"
