"""NAME: names written in Latin letters — pinyin (``Zhang Wei``, ``Cui Yongjun``) and foreign
names (``Emily Chen``, ``Tanaka Hiroshi``, ``Dr. Smith``).

Two or three capitalised words count as a name when they read as one: a given name from the
name table followed by a family name, a pinyin syllable or another given name; a family name
or a pinyin surname followed by a given name or pinyin; or any capitalised word after a title
(Mr., Ms., Dr., Prof.) or a greeting (Hi, Dear, Best,). In Chinese text (a Chinese character,
a Chinese punctuation mark or a line's start on one side), one word from the given-name table
(``卖家Tony：``, ``小次卧Kate。``) or two or three words of which the first is a given name or
the last a family name (``护士Amani Mwangi，``) count too. The tables are Faker's person names of Latin-script locales and
pypinyin's syllables (``beian.pii._names``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._names import NameTables, name_tables
from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity

_WORD = r"[A-ZÀ-Þ](?:'[A-Z])?[a-zà-ÿıİşğç]+(?:-[A-Za-z][a-z]+)?"
_PATTERN = re.compile(
    rf"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?{_WORD}(?:[ ]{_WORD}){{0,2}}(?![A-Za-z])"
)
_TITLED = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+")
_ANCHOR = Anchor(
    _PATTERN,
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    follows="abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿı",
)
# Capitalised words that start sentences, places and products in mixed Chinese–English text.
_NOT_GIVEN = frozenset(
    [
        "Hi",
        "Hello",
        "Dear",
        "Best",
        "Thanks",
        "Thank",
        "Please",
        "Room",
        "Flat",
        "Apt",
        "Tower",
        "Road",
        "Street",
        "Lane",
        "Ave",
        "Avenue",
        "District",
        "Hong",
        "Kong",
        "New",
        "York",
        "China",
        "Beijing",
        "Shanghai",
        "Wi",
        "Fi",
        "Apple",
        "Google",
        "Windows",
        "Chrome",
        "Mobile",
        "Name",
        "Passport",
        "Address",
        "Deliver",
        "Tel",
        "Email",
        "Mail",
        "Phone",
        "Date",
        "Order",
        "User",
        "Admin",
        "Team",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "The",
        "This",
        "That",
        "Dr",
        "Mr",
        "Ms",
        "Mrs",
        "Prof",
        "Miss",
        "Sir",
        "Madam",
        "Based",
        "Apt",
        "Block",
        "Building",
        "Floor",
        "Unit",
        "No",
        "Unknown",
        "Test",
    ]
)
_PINYIN_SURNAMES = frozenset(
    [
        "Wang",
        "Li",
        "Zhang",
        "Liu",
        "Chen",
        "Yang",
        "Huang",
        "Zhao",
        "Wu",
        "Zhou",
        "Xu",
        "Sun",
        "Ma",
        "Zhu",
        "Hu",
        "Guo",
        "He",
        "Gao",
        "Lin",
        "Luo",
        "Zheng",
        "Liang",
        "Xie",
        "Song",
        "Tang",
        "Han",
        "Feng",
        "Deng",
        "Cao",
        "Peng",
        "Zeng",
        "Xiao",
        "Tian",
        "Dong",
        "Yuan",
        "Pan",
        "Yu",
        "Jiang",
        "Cai",
        "Du",
        "Ye",
        "Cheng",
        "Su",
        "Wei",
        "Lu",
        "Ding",
        "Ren",
        "Shen",
        "Yao",
        "Cui",
        "Zhong",
        "Tan",
        "Fan",
        "Jin",
        "Shi",
        "Liao",
        "Jia",
        "Xia",
        "Fu",
        "Fang",
        "Bai",
        "Zou",
        "Meng",
        "Xiong",
        "Qin",
        "Qiu",
        "Yin",
        "Xue",
        "Yan",
        "Duan",
        "Lei",
        "Hou",
        "Long",
        "Shi",
        "Tao",
        "Li",
        "He",
        "Gu",
        "Mao",
        "Hao",
        "Gong",
        "Shao",
        "Wan",
        "Qian",
        "Yan",
        "Qin",
        "Kong",
        "Xiang",
        "Chang",
        "Kang",
        "Shi",
        "Niu",
        "Fan",
        "Ge",
        "Xing",
        "An",
        "Qi",
        "Qiao",
        "Wu",
        "Pang",
        "Yan",
        "Ni",
        "Zhuang",
        "Nie",
        "Zhang",
        "Lu",
        "Yue",
        "Zhai",
        "Yin",
        "Zhan",
        "Shen",
        "Ou",
        "Geng",
        "Guan",
        "Lan",
        "Jiao",
        "Yu",
        "Zuo",
        "Liu",
        "Gan",
        "Zhu",
        "Bao",
        "Ning",
        "Shang",
        "Fu",
        "Shu",
        "Ruan",
        "Ke",
        "Ji",
        "Mei",
        "Tong",
        "Ling",
        "Bi",
        "Shan",
        "Ji",
        "Pei",
        "Huo",
        "Tu",
        "Cheng",
        "Miao",
        "Gu",
        "Sheng",
        "Qu",
        "Weng",
        "Ran",
        "Luo",
        "Lan",
        "Lu",
        "You",
        "Xin",
        "Guan",
        "Chai",
        "Meng",
        "Bao",
        "Hua",
        "Yu",
        "Qi",
        "Pu",
        "Fang",
        "Teng",
        "Qu",
        "Rao",
        "Xie",
        "Mu",
        "Ai",
        "You",
        "Yang",
        "Shi",
        "Mu",
        "Nong",
        "Si",
        "Zhuo",
        "Gu",
        "Ji",
        "Miao",
        "Jian",
        "Che",
        "Xiang",
        "Lian",
        "Lu",
        "Mai",
        "Chu",
        "Lou",
        "Dou",
        "Qi",
        "Cen",
        "Jing",
        "Dang",
        "Gong",
        "Fei",
        "Bu",
        "Leng",
        "Yan",
        "Xi",
        "Wei",
        "Mi",
        "Bo",
        "Zong",
        "Qu",
        "Gui",
        "Quan",
        "Tong",
        "Ying",
        "Zang",
        "Min",
        "Gou",
        "Wu",
        "Bian",
        "Bian",
        "Ji",
        "Shi",
        "Qiu",
        "Luan",
        "Sui",
        "Shang",
        "Diao",
        "Sha",
        "Rong",
        "Wu",
        "Kou",
        "Sang",
        "Lang",
        "Zhen",
        "Cong",
        "Zhong",
        "Yu",
        "Ao",
        "Gong",
        "Ming",
        "She",
        "Chi",
        "Cha",
        "Ma",
        "Chi",
        "Kuang",
        "Ouyang",
        "Shangguan",
        "Zhuge",
        "Situ",
        "Sima",
        "Huangfu",
        "Murong",
        "Dongfang",
        "Nangong",
        "Yuchi",
        "Gongsun",
        "Linghu",
        "Xiahou",
        "Zhongli",
        "Duanmu",
    ]
)


_NAMED = re.compile(rf"{_WORD}(?:[ ]{_WORD}){{0,2}}")
_GREETINGS = frozenset(["Hi", "Hello", "Dear", "Hey"])
_GREETING = re.compile(r"(?:Hi|Hello|Dear|Best|Thanks|Regards|Cheers),?\s+\Z")
# Given names in Faker's tables that are English words as often as names.
_WORDS_TOO = frozenset(
    [
        "Max",
        "May",
        "Will",
        "Mark",
        "Bill",
        "Love",
        "Summer",
        "Autumn",
        "Angel",
        "Joy",
        "Hope",
        "Faith",
        "Rose",
        "Grant",
        "Page",
        "Case",
        "Chase",
        "Art",
        "Sky",
        "River",
        "Star",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Paris",
    ]
)


def _in_chinese(text: str, start: int, end: int) -> bool:
    """Whether a Chinese character, a CJK mark or a line's start is next to ``start:end``."""
    before = text[max(0, start - 2) : start].rstrip(" ")
    after = text[end : end + 2].lstrip(" ")
    return (
        not before
        or before[-1] == "\n"
        or not before[-1].isascii()
        or (bool(after) and (not after[0].isascii() or after[0] == ":"))
    )


def _reads_as_name(words: list[str], t: NameTables) -> bool:
    first, rest = words[0], words[1:]
    if first in _NOT_GIVEN or any(w in _NOT_GIVEN for w in rest):
        return False
    second = rest[0]
    if first in _PINYIN_SURNAMES and all(t.pinyin(w.replace("-", "")) for w in rest):
        return True  # Zhang Wei, Cui Yongjun
    if first in t.latin_given and (
        second in t.latin_family or second in t.latin_given or second in _PINYIN_SURNAMES
    ):
        return True  # Emily Chen, John Miller, Kevin Wong
    return first in t.latin_family and (second in t.latin_given or t.pinyin(second))


# A Chinese title after a Latin name (Jiang先生, Shen Hong主任, Tom(先生)).
_TITLE_AFTER = re.compile(r" ?[（(]?(?:先生|女士|小姐|老师|同学|主任|经理|医生|教授|律师|警官|总)")
# The last character of a Chinese word for a person glued before it (客户Siddharth Rao).
_PERSON_BEFORE = frozenset("人员户客方者主士生工手属友")
# Capitalised words that label a line rather than name a speaker (Note: …, Tel: …).
_LINE_LABELS = frozenset(
    [
        "Note",
        "Notes",
        "Tel",
        "Phone",
        "Mobile",
        "Fax",
        "Add",
        "Address",
        "Email",
        "Mail",
        "Name",
        "Surname",
        "Passport",
        "Date",
        "Time",
        "From",
        "To",
        "Subject",
        "Re",
        "Fwd",
        "Cc",
        "Order",
        "Total",
        "Item",
        "Price",
        "Status",
        "Error",
        "Warning",
        "Info",
        "Debug",
        "User",
        "Host",
        "Port",
        "Server",
        "Link",
        "Step",
        "Tips",
        "Tip",
        "Remark",
        "Remarks",
        "Title",
        "Company",
        "Dept",
        "Department",
        "Contact",
        "Website",
        "Q",
        "A",
        "Answer",
        "Question",
        "Summary",
        "Update",
        "Ship",
        "Bill",
        "Reply",
        "Sender",
        "Receiver",
        "Attention",
        "Attn",
    ]
)


def _placed(text: str, start: int, end: int, words: list[str]) -> bool:
    """A Latin name by its place: before a Chinese title, glued after a word for a person, or
    a speaker at a line's start whose line goes on in Chinese."""
    if _TITLE_AFTER.match(text, end) is not None:
        return True
    if start > 0 and text[start - 1] in _PERSON_BEFORE:
        return True
    if (start == 0 or text[start - 1] == "\n") and text[end : end + 1] in (":", "："):
        line_end = text.find("\n", end)
        line = text[end : len(text) if line_end < 0 else line_end]
        return words[0] not in _LINE_LABELS and any("\u4e00" <= c <= "\u9fff" for c in line)
    return False


def _foreign(words: list[str], t: NameTables) -> bool:
    """One given name, or two or three words opening with a given name or closing with a
    family name (in Chinese text)."""
    if any(w in _NOT_GIVEN for w in words):
        return False
    if len(words) == 1:  # not a model (Mate60, Note 12)
        return words[0] in t.latin_given and words[0] not in _WORDS_TOO
    return words[0] in t.latin_given or words[-1] in t.latin_family


@register
class LatinNameRecognizer(Recognizer):
    entity_type = "NAME"
    name = "name_latin"
    context_names = None  # both engines (about 2 % of the default engine on pii_bench text)
    anchors = (_ANCHOR,)
    needs = anchors

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        t = name_tables()
        for m in (scan or Scan(text)).anchored(_ANCHOR):
            start, value = m.start(), m.group()
            if start and text[start - 1].isascii() and text[start - 1].isalnum():
                continue
            titled = _TITLED.match(value)
            if titled is not None:
                start += titled.end()
                value = value[titled.end() :]
                words = value.split(" ")
                if words[0] not in _NOT_GIVEN:
                    yield Entity("NAME", start, start + len(value), value, 0.8, self.name)
                continue
            words = value.split(" ")
            if len(words) >= 2 and words[0] in _GREETINGS:  # "Hi Dmitri", "Dear Mr. Brown"
                start += len(words[0]) + 1
                titled = _TITLED.match(text, start)
                named = _NAMED.match(text, titled.end() if titled else start)
                if named is not None:
                    yield Entity("NAME", *named.span(), named.group(), 0.7, self.name)
                continue
            if len(words) >= 2 and _reads_as_name(words, t):
                yield Entity("NAME", start, start + len(value), value, 0.75, self.name)
            elif words[0] not in _NOT_GIVEN and (
                _GREETING.search(text, max(0, start - 9), start) is not None
                or _placed(text, start, start + len(value), words)
                or (
                    _in_chinese(text, start, start + len(value))
                    and _foreign(words, t)
                    and not text[start + len(value) : start + len(value) + 2].strip().isdigit()
                )
            ):
                yield Entity("NAME", start, start + len(value), value, 0.7, self.name)
