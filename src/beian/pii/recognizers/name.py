"""NAME: 中文姓名 found from the words around it.

Anchors, all found in the engine's one scan of the text:

* a role or label before the name (姓名：, 收件人, 联系人, 户名, 原告, 患者, 父亲, 我叫…); after a
  form label (:data:`FORM_LABELS`) any two to four characters up to a delimiter count, so
  minority names (其其格, 阿卜杜热依木) are found, and a Latin-script name too; so after any
  word for a person ending in 人/员/者 and a colon (受检人：, 配送员：);
* a title after it (先生, 女士, 老师, 经理, 主任, 师傅, 大爷…): ``王先生`` marks the surname 王;
* 老 / 小 + a surname (老王, 小李): the surname;
* a surname before a mask (罗某, 褚某某, 乔*, 金**) or before 总 standing alone (王总您好):
  the surname;
* a person's particulars after it: ``（男，32岁）``, ``，女，``, ``（身份证号…``;
* a speaker at the start of a line in a chat (``高峰：``, ``刘晓燕 20:14``).
* with ``pii.context_names``: list labels (参会人, 名单…), a parcel's 收：/寄：, and a name
  right before a mobile number (``张伟13812345678``);
* the other members of a list with a name found so (``张伟、李娜和王芳``, :mod:`.name_list`).

A surname comes from the surname table (Faker's, with 复姓); the given name is one or two
characters, shortened where the second character starts a common word (``向阳相撞``) or is a
function character (``韦明偿还`` stays ``韦明``; ``王伟今年`` is ``王伟``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from operator import methodcaller
from typing import Any, ClassVar

from beian.pii._names import han_except, is_han, name_tables
from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity
from beian.pii.recognizers._name_words import (
    FORM_LABELS,
    LIST_LABELS,
    ROLE_WORDS,
    TITLES,
)
from beian.pii.recognizers._name_words import SPEAKER_LABELS as _SPEAKER_LABELS
from beian.pii.recognizers.name_bare import bare_names, given_pairs
from beian.pii.recognizers.name_list import list_members

__all__ = ["FORM_LABELS", "LIST_LABELS", "ROLE_WORDS", "TITLES", "NameRecognizer"]

# A surname character, a title, and together a word that names no one.
_TITLE_WORDS = frozenset({"班主任", "副主任", "总经理", "副经理", "老师傅", "男老师", "女老师"})
# Kin words used as titles (宋妈妈, 林爸爸), and surnames that are verbs before them (祝妈妈生日快乐).
_KIN_TITLES = frozenset({"妈妈", "爸爸"})
_KIN_VERBS = frozenset("祝谢陪帮")
_ONE_CHAR_TITLES = frozenset(t for t in TITLES if len(t) == 1)
# Characters that end a given name (or cannot start one).
_STOP = frozenset(
    "的了是在和与及今年电手身住家现已说等将把被就也都还又要会可从向对为因于到这那有很去来上下中"
    "买卖给请驾陪确否负提协获经通称告表介回在跟带让帮替由以及或并但而且"
)
_DELIM = re.compile(r"[\s，,。；;：:、|（）()《》“”\"'！!？?\d\-—/【】\[\]<>]|$")
# What ends a form field: after a form label a common word there is the name (姓名：向前　).
_FIELD_END = frozenset(("", " ", "\t", "|", "｜", ",", "，", "\n", "\u3000"))
_NOT_NAMES = frozenset(
    {"全体", "各位", "大家", "诸位", "广大", "所有", "这位", "那位", "两位", "几位", "一位", "某某"}
)


def _alternation(words: tuple[str, ...]) -> str:
    """A regex for ``words`` as a trie, longest word first at each branch.

    A flat alternation of 180 words tries each one at every position; the trie tests one
    character per level (a few comparisons where nothing matches).
    """
    tree: dict[str, dict[str, Any]] = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie(tree)


def _trie(node: dict[str, dict[str, Any]]) -> str:
    branches = [re.escape(ch) + _trie(sub) for ch, sub in node.items() if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


# Characters among the most frequent of written Chinese. A cue word or title that starts with
# one (上诉人, 出租人, 会长, 大爷, 老师) is found from its second character (``Anchor.back``),
# unless that one is frequent too: the engine's scan then does not stop at every 上, 会 or 大
# of a text. This changes where the scan stops, never what is found. 长 is not among them:
# sixteen titles end in it (会长, 处长, 市长…), one head where they had sixteen.
_FREQUENT = frozenset(
    "上下大小中出开当发经名我收会处局科所院校队部厅市县镇村社主老法人生学理定三代表家同"
    "者员子手工作用"
)


def _anchors(words: tuple[str, ...], after: str = "") -> tuple[Anchor, ...]:
    """Anchors for ``words`` (of two characters or more), each followed by ``after``.

    The words are written as a trie. Those that start with a frequent character make anchors
    of their own whose heads are their second characters (see :data:`_FREQUENT`). Each anchor
    gives as ``follows`` the characters after its heads when every word has one: the combined
    scan then stops only where a head is followed by one of them, which keeps the 180 cue
    words (whose first characters are common: 我, 同, 家…) from slowing every text down.
    """
    out = []
    late = tuple(w for w in words if w[0] in _FREQUENT and w[1] not in _FREQUENT)
    groups = (
        (0, tuple(w for w in words if w not in late)),
        (1, tuple(w for w in late if len(w) > 2)),  # with ``follows``
        (1, tuple(w for w in late if len(w) == 2)),
    )
    for back, group in groups:
        if group:
            after_head = [w[back + 1 : back + 2] for w in group]
            out.append(
                Anchor(
                    re.compile(f"(?:{_alternation(group)}){after}"),
                    "".join(dict.fromkeys(w[back] for w in group)),
                    "".join(dict.fromkeys(after_head)) if all(after_head) else "",
                    back,
                    "".join(dict.fromkeys(w[0] for w in group)) if back else "",
                )
            )
    return tuple(out)


# Cue words then an optional colon, 是 or 为, before a Chinese character or a capital.
_AFTER_CUE = r"(?:\s*[:：]\s*|\s+|是|为)?(?=[\u4e00-\u9fffA-Z])"


_CUE_WORDS = FORM_LABELS + LIST_LABELS + ROLE_WORDS
_CUE = _anchors(tuple(w for w in _CUE_WORDS if len(w) > 1), _AFTER_CUE)
_ONE_CUES = tuple(w for w in _CUE_WORDS if len(w) == 1)
_CUE_ONE = Anchor(re.compile(f"(?:{_alternation(_ONE_CUES)}){_AFTER_CUE}"), "".join(_ONE_CUES))
# The default engine's cues: form labels and the roles written like them on forms.
_FORM_CUE = _anchors(
    FORM_LABELS + tuple(w for w in ("病人", "乘客", "客户", "家长") if w in ROLE_WORDS), _AFTER_CUE
)
_FORM = frozenset(FORM_LABELS + LIST_LABELS)
_TITLE = _anchors(tuple(t for t in TITLES if len(t) > 1))
_TITLE_ONE = Anchor(
    re.compile("|".join(t for t in TITLES if len(t) == 1)),
    "".join(t for t in TITLES if len(t) == 1),
)
_TITLES = (*_TITLE, _TITLE_ONE)
_TITLE_AT = re.compile(_alternation(TITLES))  # a title at a position (list members)
_NICK = Anchor(re.compile(r"[老小](?=[\u4e00-\u9fff])"), "老小")
_PARTICULARS = Anchor(
    re.compile(r"[（(，,]\s*(?:[男女]\s*[，,、）)]|\d{1,3}\s*岁|身份证|公民身份)"), "（(，,"
)
# A parcel's 收：/寄： (the default engine's labels need the whole word, 收件人).
_PARCEL = Anchor(
    re.compile(r"(?<![\u4e00-\u9fff])[收寄][:：]\s*(?=[\u4e00-\u9fff])"), "收寄", "：:"
)
# A mobile number right after a name (张伟13812345678, 张伟 138…).
_MOBILE_AFTER = Anchor(re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "1", "3456789")
# Any word for a person used as a label: "受检人：", "配送员：", "申请者：" (the listed labels
# are the cues above; these are the others, cheap to find: 人/员/者 before a colon).
_PERSON_LABEL = Anchor(
    re.compile(r"(?<=[\u4e00-\u9fff])[人员者][:：]\s*(?=[\u4e00-\u9fff])"),
    "：:",
    back=1,
    before="人员者",
)  # found from the colon: 人, 员 and 者 are too frequent to stop at
# A surname masked: 陈某, 王某某, 李*, 张**.
_MASKED = Anchor(
    re.compile(r"(?:某某?|\*{1,3}|＊{1,3})(?![人些种个天地处项位年月日次时])"), "某*＊"
)
_SPEAKER = Anchor(re.compile(r"\n[\u4e00-\u9fff]{2,4}(?=[：:]|\s+\d{1,2}:\d\d)"), "\n")
_LATIN_AFTER_CUE = re.compile(
    r"(?!(?:Mr|Mrs|Ms|Miss|Dr|Prof)\b)[A-ZÀ-Þ][a-zà-ÿ']+(?:[ -][A-ZÀ-Þ][a-zà-ÿ']+){0,2}"
)


@lru_cache(maxsize=4096)
def _given_len(chars: str) -> int:
    """Length (0–2) of the given name at the start of ``chars`` (up to three characters)."""
    if not chars or not is_han(chars[0]) or chars[0] in _STOP:
        return 0
    if chars[:2] in _TITLE_SET:
        return 0
    if len(chars) < 2 or not is_han(chars[1]) or chars[1] in _STOP:
        return 1
    if chars[1:3] in name_tables().words and chars[:2] not in name_tables().words:
        return 1  # "向阳相撞": 相撞 is a word, 向阳 stays the name
    if chars[1:3] in _TITLE_SET or chars[1:2] in _ONE_CHAR_TITLES:
        return 1
    return 2


_TITLE_SET = frozenset(TITLES)
_PAIRS = given_pairs()
_PLAIN_BEFORE = re.compile(f"{han_except(''.join(sorted(_STOP)))}{{1,4}}\\Z")


def _entity(text: str, start: int, end: int, score: float) -> Entity:
    return Entity("NAME", start, end, text[start:end], score, "name")


_START = methodcaller("start")


def _in_order(scan: Scan, anchors: tuple[Anchor, ...]) -> list[re.Match[str]]:
    """The matches of ``anchors`` left to right, none overlapping an earlier one."""
    lists = scan.anchored_lists(anchors)
    if len(lists) < 2:
        return lists[0] if lists else []  # one anchor's matches never overlap each other
    found = sorted([m for ms in lists for m in ms], key=_START)
    kept: list[re.Match[str]] = []
    for m in found:
        if not kept or m.start() >= kept[-1].end():
            kept.append(m)
    return kept


@register
class NameRecognizer(Recognizer):
    """The default: names after form labels (姓名：, 收件人, 联系人…) and before titles (先生…).

    Also bare names and the other members of a list; :class:`FastNameRecognizer`
    (``pii.fast_names: true``) leaves those out, :class:`.name_context.ContextNameRecognizer`
    (``pii.context_names: true``) reads more context.
    """

    entity_type = "NAME"
    name = "name"
    context_names = False
    full = True
    form_score: ClassVar[float] = 0.85
    role_score: ClassVar[float] = 0.75
    title_score: ClassVar[float] = 0.75
    bare_score: ClassVar[float] = 0.6
    cues: ClassVar[tuple[Anchor, ...]] = _FORM_CUE
    anchors: ClassVar[tuple[Anchor, ...]] = (*_FORM_CUE, *_TITLES, _PERSON_LABEL, _MASKED, _NICK)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        # Several readings often find the same name ("联系人李娜，": the label and the bare
        # reading): a span already found with at least this score adds nothing, and leaving
        # it out spares the engine's overlap resolution.
        seen: dict[tuple[int, int], float] = {}
        for e in self._found(text, scan or Scan(text)):
            span = (e.start, e.end)
            if seen.get(span, -1.0) >= e.score:
                continue
            seen[span] = e.score
            yield e
            if self.full:
                yield from list_members(text, e, _STOP, _TITLE_AT)  # "张伟、李娜和王芳"

    def _found(self, text: str, scan: Scan) -> Iterator[Entity]:
        for m in _in_order(scan, self.cues):
            raw = text[m.start() : m.end()]
            cue = raw.rstrip(" \t:：是为")
            found = self._after_cue(text, m.end(), cue in _FORM)
            if found is not None and (cue != raw or _name_like(text, found)):
                yield found  # glued to its label ("乙方车辆号", "被告于2021年"): a name's look
        for m in scan.anchored(_PERSON_LABEL):  # "受检人：江山 体检日期"
            if (found := self._after_cue(text, m.end(), True)) is not None:
                yield found
        for m in scan.anchored(_MASKED):  # "转给罗某", "holder=乔*"
            if (found := self._masked(text, m.start(), m.end())) is not None:
                yield found
        for m in _in_order(scan, _TITLES):
            if (found := self._before_title(text, m.start(), m.group())) is not None:
                yield found
        for m in scan.anchored(_NICK):  # "找老黄或小吴": the surname
            if (found := _nickname(text, m.start())) is not None:
                yield found
        if self.full:
            yield from bare_names(text, self.bare_score)  # "| 高飞 | 男 |", "由方正负责"
        if self.context_names:
            yield from self._more(text, scan)

    def _more(self, text: str, scan: Scan) -> Iterator[Entity]:
        return iter(())

    def _after_cue(self, text: str, pos: int, form: bool) -> Entity | None:
        t = name_tables()
        if text[pos : pos + 1].isascii():
            lm = _LATIN_AFTER_CUE.match(text, pos)
            if lm is not None and form and len(lm.group()) > 1:
                return _entity(text, pos, lm.end(), self.form_score)
            return None
        if _cue_starts(text, pos):
            return None  # "紧急联系人丈夫孔令辉": the next cue finds the name
        if not form and text[pos] in "和与及" and t.surname_at(text, pos + 1):
            return None  # "刘经理和陈静": a conjunction, not the surname 和
        n = t.surname_at(text, pos)
        if n:
            if text[pos + n : pos + n + 1] == "某":
                return _entity(text, pos, pos + n, self.role_score)  # 陈某: the surname
            g = _given_len(text[pos + n : pos + n + 3])
            end = pos + n + g
            body = text[pos:end]
            if body in _NOT_NAMES or (
                body in t.words and not (form and text[end : end + 1] in _FIELD_END)
            ):
                return None  # "联系方式", "乙方车辆（": a word, not a name
            ends = _DELIM.match(text, end) is not None or text[end : end + 2] in _TITLE_SET
            if form and not ends and text[end : end + 1] not in _STOP:
                run = self._run(text, pos)
                if run is not None:  # "联系人桑吉卓玛。": the whole run, not 桑吉卓
                    return run
            if g or ends:
                return _entity(text, pos, end, self.form_score if form else self.role_score)
        return self._run(text, pos) if form else None

    def _run(self, text: str, pos: int) -> Entity | None:
        """Two to five characters from ``pos`` up to a delimiter (a name after a form label)."""
        end = pos
        while end < len(text) and end - pos < 5 and is_han(text[end]) and text[end] not in _STOP:
            end += 1
        words = name_tables().words
        if 2 <= end - pos <= 5 and _DELIM.match(text, end) and text[pos : pos + 2] not in words:
            return _entity(text, pos, end, self.form_score)
        return None

    def _masked(self, text: str, end: int, mask_end: int) -> Entity | None:
        """The surname right before a mask (某, 某某, *), unless it ends a word (位于某地) or
        is 于 after a Chinese character (羁押于某地); with the given-name character after a
        single 某 (赵某强) the whole reference."""
        t = name_tables()
        for n in (2, 1):
            start = end - n
            if start < 0 or t.surname_at(text, start) != n:
                continue
            before = text[start - 1 : start]
            if before and is_han(before) and (before + text[start]) in t.words:
                return None
            if (
                before
                and is_han(before)
                and ((n == 1 and t.surname_at(text, start - 1)) or text[start] == "于")
            ):
                return None  # "王某" inside a run of surnames is not clear enough; "押于某"
            nxt = text[mask_end : mask_end + 1]
            if mask_end == end + 1 and nxt and is_han(nxt) and nxt not in _STOP:
                after = text[mask_end : mask_end + 2]
                if after not in t.words and (len(after) < 2 or not is_han(after[1])):
                    end = mask_end + 1  # "赵某强，": the masked name as written
            return _entity(text, start, end, self.role_score)
        return None

    def _before_title(self, text: str, end: int, title: str) -> Entity | None:
        if text[end - 1 : end] in ("(", "（") and text[end + len(title) : end + len(title) + 1] in (
            ")",
            "）",
        ):
            end -= 1  # "尚(先生)": the title in brackets
            title = ""
        # The Chinese characters (none of them a stop character) right before the title.
        run = _PLAIN_BEFORE.search(text, max(0, end - 4), end)
        if run is None:
            return None
        t = name_tables()
        sizes = range(end - run.start(), 0, -1)
        # A role word right before a shorter reading: "房主施女士", "房客慕容小姐" (施, 慕容).
        cue = [k for k in sizes if k < sizes[0] and _cue_ends(text, end - k)]
        for size in (*cue, *sizes):
            start = end - size
            n = t.surname_at(text, start)
            if not n or (size - n) > 2:
                continue
            if size == n and title in _ONE_CHAR_TITLES and not _alone(text, end + len(title)):
                continue  # 王总结, 总是: a word; 王总您好, 王总。: the surname
            if (
                text[start - 1 : start + 1] in t.words
                or text[start : end + len(title)] in _TITLE_WORDS
                or (title in _KIN_TITLES and text[start] in _KIN_VERBS)
            ):
                continue  # "承办律师成律师": 律师 is a word; "班主任"
            body = text[start:end]
            if body in _NOT_NAMES or (size >= 2 and size > n and body[:2] in t.words and n == 1):
                continue  # "顾客卜先生": 顾客 is a word; try the shorter reading
            if size > n and _given_len(text[start + n : end + 2]) < size - n:
                continue
            return _entity(text, start, end, self.title_score)
        return None

    def _before(self, text: str, end: int, score: float) -> Iterator[Entity]:
        t = name_tables()
        for size in (4, 3, 2):
            start = end - size
            if start < 0 or (
                start > 0
                and is_han(text[start - 1])
                and text[start - 1] not in _STOP
                and not _cue_ends(text, start)
            ):
                continue
            n = t.surname_at(text, start)
            if n and size - n <= 2 and all(is_han(c) and c not in _STOP for c in text[start:end]):
                if text[start + n : end] == "某某":
                    yield _entity(text, start, start + n, score)  # "尤某某，身份证…": the surname
                elif text[start:end] not in t.words and text[end - 1] != "族":  # "，蒙古族，"
                    yield _entity(text, start, end, score)
                return

    def _speaker(self, text: str, start: int, end: int) -> Iterator[Entity]:
        word = text[start:end]
        if word in _SPEAKER_LABELS or word in _CUE_SET or word[:2] in name_tables().words:
            return
        t = name_tables()
        n = t.surname_at(text, start)
        if (n and len(word) - n <= 2) or (word[0] in "小老" and t.surname_at(text, start + 1)):
            yield _entity(text, start, end, 0.7)


@register
class FastNameRecognizer(NameRecognizer):
    """The default readings less bare names (``| 高飞 | 男 |``, ``由方正负责``: a scan of
    every delimiter and function character of the text, about a fifth of the rule engine's
    time) and the other members of a list (``张伟、李娜和王芳``): ``pii.fast_names: true``."""

    name = "name_fast"
    full = False


# 老 + a surname character that names no one (老公, 老赖), and words that end in 老 (养老金).
_NOT_NICKNAMES = frozenset({"老公", "老赖"})
_BEFORE_NICK = frozenset({"养老"})


def _nickname(text: str, at: int) -> Entity | None:
    """The surname in 老/小 + surname (老王, 小李) at ``at``, when the surname stands alone (a
    delimiter or a function character after it); not the given name of 李小梅 (a surname before
    小: the whole name is read elsewhere) nor a word (小时, 养老金)."""
    t = name_tables()
    pos = at + 1
    n = t.surname_at(text, pos)
    if not n:
        return None
    nxt = text[pos + n : pos + n + 1]
    if nxt and is_han(nxt) and nxt not in _STOP and nxt != "某":
        return None
    nick, before = text[at : pos + n], text[at - 1 : at + 1] if at else ""
    if nick in t.words or nick in _NOT_NICKNAMES or before in t.words or before in _BEFORE_NICK:
        return None
    if at and text[at - 1] in t.single:
        return None  # "李小梅", "周小燕": a full name
    return _entity(text, pos, pos + n, 0.65)


# The least log-likelihood ratio of each character of a name glued to its label (甲方房产证号,
# 被告人系初犯 are words; 联系人桑吉卓玛 is a name).
_GLUED_LLR = -0.5
# Surnames of at least this share of the population (per cent) open a name glued to a label
# whatever follows (about the hundred most common; 车, 房, 微, 信, 于 are rarer).
_COMMON_SURNAME = 0.1


def _name_like(text: str, e: Entity) -> bool:
    """Whether ``e``, read right after a label with no separator, looks like a name: Latin
    letters, a surname before a mask, or characters none of which is unlike a given name's."""
    if not is_han(e.text[0]):
        return True
    t = name_tables()
    n = t.surname_at(e.text, 0)
    if n == 2 or (n and t.single_freq.get(e.text[0], 0.0) >= _COMMON_SURNAME):
        return True  # "原告金鑫", "姓名东方煜": a common surname (车主于30日内: 于 is rare)
    rest = e.text[n:] if n else e.text
    if not rest:
        return text[e.end : e.end + 1] in ("某", "*", "＊")  # "被告于2021年": 于 is no surname
    if rest in _PAIRS:
        return True
    g = t.given
    return all(g.get(c, -9.0) >= _GLUED_LLR for c in rest)


def _alone(text: str, end: int) -> bool:
    """Whether a one-character title ending at ``end`` stands alone (王总您好, 李总，): no
    Chinese character after it, or a stop character or 您/你 that makes no word with it."""
    nxt = text[end : end + 1]
    if not nxt or not is_han(nxt):
        return True
    return (nxt in _STOP or nxt in "您你") and text[end - 1 : end + 1] not in name_tables().words


_CUE_SET = frozenset(_CUE_WORDS)
_CUE_START = re.compile(_alternation(tuple(w for w in _CUE_WORDS if len(w) > 1)))


_CUE_FIRST = frozenset(w[0] for w in _CUE_WORDS if len(w) > 1)


def _cue_starts(text: str, pos: int) -> bool:
    """Whether a role word or label (of two characters or more) starts at ``pos``."""
    return text[pos : pos + 1] in _CUE_FIRST and _CUE_START.match(text, pos) is not None


_CUE_LAST = frozenset(w[-1] for w in _CUE_WORDS)


def _cue_ends(text: str, pos: int) -> bool:
    """Whether a role word or label ends at ``pos`` ("被申请人" before "孟和巴雅尔")."""
    if pos < 1 or text[pos - 1] not in _CUE_LAST:
        return False  # the usual case: no cue word ends with the character before
    return any(text[max(0, pos - k) : pos] in _CUE_SET for k in range(1, 6))
