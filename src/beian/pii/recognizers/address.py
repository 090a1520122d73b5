"""ADDRESS: 地址 from the province down to the room, with or without administrative words.

An address is read as a run of parts — administrative units (省/市/区/县/镇/乡/街道), roads
(路/街/大道/巷/弄/胡同, with their 段), numbers (88号, 2号院, 附3号), villages and groups
(村/社区/屯/嘎查, 5组/二社), estates and buildings (小区/花园/大厦/广场/中心…), and
building/unit/room (3栋/2单元/1103室/B座/8楼). It is found from its finest part: a number
followed by 号/栋/幢/单元/室/组/社/楼/层, or 村/屯/嘎查; the parts before it (at most
:data:`REACH` characters back) and after it are taken while they read as parts. A run of one
part only is an address only after a context word (地址, 住, 寄到, 送至…). Two pieces with
only letters and digits between them (``南山区科苑路15号科兴科学园B3栋1101``) are one address.

A bare city or province ("我在北京工作") is not an address; neither is a road named in passing
("中山路") or a date (5号).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import methodcaller
from typing import ClassVar

from beian.pii._names import han_except
from beian.pii._registry import Recognizer, clause_before, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity

REACH = 40
_STOP = "的了是在到从为我你他她它们让把被给与就去来请也还又那这个吧呢吗啊沿往至由过离找送寄拿取放接说要想或等"


_H = han_except(_STOP)
_HD = _H[:-1] + "0-9]"  # the same or an ASCII digit, in one class
_NUM = r"(?:\d{1,5}|[一二三四五六七八九十百零两]{1,4})"


def _ending(words: str) -> str:
    """``words`` (separated by ``|``) as the end of a part. The look-ahead at their first
    characters lets the lazy run before them test one character class at each step, instead of
    each word in turn."""
    firsts = "".join(dict.fromkeys(w[0] for w in words.split("|")))
    return f"(?=[{firsts}])(?:{words})"


_PARTS = (
    rf"{_H}{{1,8}}?{_ending('特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗|镇|乡|街道|苏木')}",
    rf"{_HD}{{1,10}}?{_ending('大道|大街|路|街|巷|弄|胡同')}(?:{_NUM}?[东西南北中]?段)?"
    rf"(?:与{_HD}{{1,10}}?{_ending('大道|大街|路|街')}(?:交口|交汇处|交叉口|路口)?)?",
    rf"(?:[A-Z]?{_NUM}(?:-\d{{1,4}})?号(?:院|楼|门(?![口卫面前外])|口(?!罩))?(?:附{_NUM}号)?)",
    r"\d{1,3}-\d{1,2}-\d{3,4}(?![\d-])",  # building-unit-room: 紫薇苑9-2-601
    rf"{_H}{{1,7}}?{_ending('村|社区|嘎查|屯')}",
    rf"{_NUM}(?:组|社|队)",
    rf"{_H}{{0,12}}?"
    + _ending(
        "小区|花园|大厦|公寓|家园|苑|广场|中心|园区|产业园|科技园|工业园|大楼|"
        "商场|新城|城|府|湾|写字楼|市场|宿舍|医院|大学|校区|酒店|宾馆|食堂|门面|厂房|"
        "公园|车站|地铁站|机场|停车场|体育馆|体育场|景区"
    ),
    rf"(?:[A-Z]|{_NUM})(?:号楼|栋|幢|座|单元|室|层|楼|F|区|门)",
    r"-?\d{3,5}(?:室|房)?",
)
# A named entrance or corner after the address (北门, 东南角, 西侧): part of it, not a part.
_SIDE = r"(?:(?:[东西南北][东西南北]?|正)(?:门|角|侧))?"
# A named entrance or corner (公园南门, 古城东南角): found from 门/角, read backwards.
_GATE = Anchor(re.compile(r"(?<=[东西南北正])[门角]"), "门角", before="东西南北正")
# Building-unit-room written with dashes (银杏苑12-3-1101), found from its first dash.
_BLOCK = Anchor(re.compile(r"(?<=\d)-\d{1,2}-\d{3,4}(?![\d-])"), "-", before="0123456789")
# What no part holds: punctuation, spaces, and the stop characters (与 only inside a crossing).
_BREAK = re.compile(r".*(?:[^\u4e00-\u9fff0-9A-Za-z\-]|[" + _STOP.replace("与", "") + "])", re.S)
_SIDE_END = re.compile(r"(?:[东西南北][东西南北]?|正)[门角]$")
_ADDRESS = re.compile("(?:" + "|".join(_PARTS) + ")+" + _SIDE)
_PART = re.compile("|".join(_PARTS))
# A road right after an administrative unit (长沙市岳麓区麓谷大道, 格尔木市昆仑路).
_ROAD = Anchor(
    re.compile(
        rf"[市区县镇](?={_H}{{1,8}}?{_ending('大道|大街|路|街')}(?![\u4e00-\u9fff]{{0,1}}[上边头]))"
    ),
    "市区县镇",
)
# Words that end just before an address and are not part of it.
_LEAD_WORDS = (
    "地址|住址|住所地|住所|家住|现住|住在|住|地点|坐落于|坐落|位于|离开|原填|我们村|到您家|改为|"
    "房号|门牌号|门牌|位置"
)
_LEAD = re.compile(f".*(?:{_LEAD_WORDS})[:：]?")
# Their first characters: where none is, no word is (one class search instead of the above).
_LEAD_FIRST = re.compile("[" + "".join(dict.fromkeys(w[0] for w in _LEAD_WORDS.split("|"))) + "]")
# Not 社 of 社会 (统一社会信用代码), nor a window, line, bed or desk numbered in words
# (三号窗口): no address ends there, and reading one from each cost as much as an address.
# Two anchors (their matches never overlap: no character is in both), so that the combined
# scan passes 号, 室, 楼… on only after a digit, a capital or a numeral (``before``).
_NUMBERED = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ一二三四五六七八九十"
_FINE = Anchor(
    re.compile(
        rf"(?<=[{_NUMBERED}])(?:号|栋|幢|单元|室|组|社(?!会)|楼|层)"
        r"(?<![一二三四五六七八九十]号(?=窗口|线|床|台|机))"
    ),
    "号栋幢单室组社楼层",
    before=_NUMBERED,
)
_VILLAGE = Anchor(re.compile("村|屯|嘎查"), "村屯嘎")
# What may stand between two pieces of one address (a name the parts do not read: 科兴科学园,
# 壹方中心玖誉, 湖滨银泰in77): letters and digits, no stop character, no punctuation, after
# at most one space (紫荆花路与文三西路交叉口 西溪诚园11幢).
_GAP = re.compile(rf" ?(?:{_H}|[A-Za-z0-9\-]|(?<=[A-Za-z0-9]) (?=[A-Za-z0-9]))" + "{0,10}")
# A crossing of two roads (长乐路与富民路交叉口): an address of its own in running text.
_CROSS = Anchor(re.compile(r"交叉口|交汇处|交口|路口"), "交路", "叉汇口")
_CROSSING = re.compile(r"与.+(?:交叉口|交汇处|交口|路口)")
CONTEXT = (
    "地址",
    "住址",
    "住在",
    "家住",
    "寄到",
    "寄至",
    "寄往",
    "送到",
    "送至",
    "位于",
    "户籍",
    "居住",
    "籍贯",
    "收货",
    "现住",
    "住",
    "到达",
    "地点",
    "坐落",
)
_CONTEXT_RE = re.compile("|".join(CONTEXT))
_DATE = re.compile(r"月\d{1,2}号|\d{1,2}号(?:线|床|窗口|台|机)")


_START = methodcaller("start")


def _parts(value: str) -> int:
    return len(_PART.findall(value))


@register
class AddressRecognizer(Recognizer):
    entity_type = "ADDRESS"
    name = "address"
    score: ClassVar[float] = 0.6
    window: ClassVar[int] = 8
    anchors = (_FINE, _VILLAGE, _ROAD, _CROSS, _GATE, _BLOCK)
    needs = anchors

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        last: Entity | None = None
        for e in self._pieces(text, scan or Scan(text)):
            if last is not None and _GAP.fullmatch(text, last.end, e.start) is not None:
                score = max(last.score, e.score)
                last = Entity(
                    self.entity_type, last.start, e.end, text[last.start : e.end], score, self.name
                )
                continue
            if last is not None:
                yield last
            last = e
        if last is not None:
            yield last

    def _pieces(self, text: str, scan: Scan) -> Iterator[Entity]:
        done = 0
        found = scan.anchored_lists(self.anchors)
        if not found:
            return
        hits = found[0] if len(found) == 1 else sorted([m for ms in found for m in ms], key=_START)
        for hit in hits:
            if hit.start() < done:
                continue
            lo = max(done, hit.start() - REACH)
            # The address starts after the last character no part holds.
            if (cut := _BREAK.match(text, lo, hit.start())) is not None:
                lo = cut.end()
            for m in _ADDRESS.finditer(text, lo, min(len(text), hit.end() + REACH)):
                if m.end() < hit.end():
                    continue
                if m.start() > hit.start():
                    break
                start, end = m.span()
                done = end
                entity = self._entity(text, start, end)
                if entity is not None:
                    yield entity
                break

    def _entity(self, text: str, start: int, end: int) -> Entity | None:
        stop = min(end, start + 12)
        if _LEAD_FIRST.search(text, start, stop) is not None:
            lead = _LEAD.match(text, start, stop)
            if lead is not None:
                start = lead.end()
        value = text[start:end]
        if not value:
            return None
        parts = _parts(value) + (_CROSSING.search(value) is not None)  # two roads
        if len(value) >= 6 and _SIDE_END.search(value) is not None:
            parts += 1  # a named place's entrance: "奥林匹克森林公园南门", "大理古城南门"
        if parts < 3 and _DATE.search(text, max(0, start - 1), end + 2) is not None:
            return None
        context = _CONTEXT_RE.search(clause_before(text, start, self.window)) is not None
        if parts < 2 and not context:
            return None
        score = self.score + (0.15 if parts >= 3 else 0.0) + (0.15 if context else 0.0)
        return Entity(self.entity_type, start, end, value, round(score, 4), self.name)
