"""NAME with no cue word: a surname and one or two given-name characters where a name stands.

``| 高飞 | 男 |``, ``收款人：… 1,马丽,工商银行``, ``——李梅``, ``退休教师范德荣将…``,
``由方正负责``: no label, no title, yet a person. A candidate is a surname of the shipped table
(with 复姓) followed by one or two characters that are typical of given names: each given
character's log-likelihood ratio (its frequency in given names against its frequency in
ordinary words, ``given_chars`` of ``data/names.json``) must be positive and their mean must
reach :data:`MIN_LLR` (:data:`SENTENCE_LLR` in a sentence, where the words around say more). 伟, 芳, 晓
pass; 的, 说, 公, 司 do not. A two-character given name that is typical as a pair
(``given_pairs``: 建国, 向东, 海洋, whose characters are common in plain text too) passes as
such. It is taken where a name stands (both engines, :func:`bare_names`, one scan):

* *between delimiters*: the start of a line, a space or a punctuation mark before it (not a
  digit or a Latin letter), anything but a Chinese character after it (a table cell, a CSV
  field, a signature, ``FROM: 陈光荣,``);
* *in a sentence*: after 和/与/跟/给/找/问/叫/请/由/让/被/向/把/替… or a word for a person that
  ends in 师/员/生/人/者/官/警/机/亲/户… (``退休教师范德荣``), and before a delimiter or a
  verb of speech or action (说, 表示, 负责, 告诉…) or a function character (的, 在, 和…);
* *after a word for a person or a label* (民警, 司机, 父亲, 用户…: :data:`ROLE_WORDS`), whatever
  follows, when its given characters are not unlike a name's (:data:`_ROLE_LLR`) and it is no
  common word before more text (``感谢民警李卫东帮她``; not ``师傅明天上午``).

由 and 和 are never read as surnames in a sentence, nor 于 after a word that is no person's:
they are prepositions (``由秦川负责``: 秦川).

A candidate that is a common word (``高兴``, ``马上``, and words jieba tags as names but are
mostly words: ``文明``, ``高峰``) is dropped, except between delimiters right before a mobile,
card or ID number or a person's particulars (``| 夏天 | +86145…``, ``江山 17788375688``,
``高山 6216…``, ``，秋月，女，``: the word stands where the row's name stands) when its given characters are not unlike a name's (their
log-likelihood ratio is not negative: 天, 山, 子 pass; 序 of 程序, 额 of 余额 do not). A
candidate whose surname forms a word with the character before it
(``由于``), or that runs into a title (``王师傅``, ``陈阿姨``: the title
reading marks the surname) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from beian.pii._names import NameTables, han_except, is_han, name_tables
from beian.pii._types import Entity
from beian.pii.recognizers._name_words import FORM_LABELS, LIST_LABELS, ROLE_WORDS, TITLES

__all__ = ["MIN_LLR", "SENTENCE_LLR", "bare_names", "given_pairs"]

MIN_LLR = 1.0
# In a sentence the words around the candidate say more than a cell's delimiters: a lower bar.
SENTENCE_LLR = 0.5
# After a word for a person: the least of the given characters (赵建国: 国 -0.2); 银行卡
# (行 -1.2) and 管理员 after 本人 or 联系 are words.
_ROLE_LLR = -0.5
_LOW_LLR = 0.0  # the least of each character of a two-character given name (梁建军: 建 0.7)
_HAN = "\u4e00-\u9fff"
# Characters before a name in a sentence: conjunctions and verbs that take a person.
_LEFT_WORDS = "和与跟给找问叫请由让被向对把将同及或的是为于替"
# The last character of a word for a person (教师, 队员, 学生, 网民, 纳税人, 面试官, 民警,
# 司机, 父亲, 用户, 乘客, 舅舅…): the rarer ones only (东 of 房东, 主 of 店主 are too frequent).
_PERSON_END = (
    "师员生长人者官任工手士友管属夫妻儿女子民众警机亲户客舅姨叔爸妈哥姐弟妹爷奶婆姑郎娘孩犯傅"
)
# Words for a person and labels after which a name needs no verb or delimiter after it
# (民警李卫东帮她…): the cue words of :mod:`.name`.
_ROLES = frozenset(w for w in FORM_LABELS + LIST_LABELS + ROLE_WORDS if len(w) > 1)
_ROLE_ENDS = frozenset(w[-1] for w in _ROLES)
# Prepositions that are rare surnames: never read as a surname in running text (由秦川负责).
_PREPOSITIONS = frozenset("由和")
# Verbs of speech or action, and function characters, that may follow a name in a sentence.
_RIGHT_WORDS = frozenset(
    {
        "说", "讲", "称", "问", "答", "笑", "表示", "告诉", "介绍", "指出", "认为", "负责",
        "主持", "回忆", "坦言", "提醒", "透露", "解释", "强调", "带领", "的", "等", "和",
        "与", "同", "也", "在", "是", "已", "将", "因", "从", "向", "对", "把", "被", "给",
        "跟", "及", "今年", "现年", "现在", "同志", "本人", "您好", "你好", "手机", "电话",
        "驾驶", "要求", "提供", "继续", "放弃", "在吗", "签字", "签名", "同意", "申请",
    }
)  # fmt: skip
# A mobile, card or ID number in the next field (after spaces, tabs, bars, commas or a colon),
# or a person's particulars (，男，  （32岁  ，身份证号…).
_IDENT_AFTER = re.compile(
    r"[ \t|｜,，:：\u3000]{1,3}(?:\+?86[ -]?)?(?:1[3-9]\d{9}|\d{15,19}|\d{4}[ -]\d{4}[ -]\d{4}|\d{17}[\dXx])(?!\d)"
    r"|[，,（(]\s*(?:[男女]\s*[，,、）)]|\d{1,3}\s*岁|身份证|公民身份)"
)
# Titles written after a surname and one given-name-like character (王师傅, 陈阿姨, 李太太).
_TITLE_TAILS = ("师傅", "阿姨", "太太", "大爷", "大妈", "阿婆", "阿公", "老师", "大哥", "大姐")
_ONE_TITLES = frozenset("哥姐叔伯婶总工董")
_ANIMALS = frozenset("猫狗犬")
# Peoples whose names open with a surname character (民族：哈萨克).
_PEOPLES = frozenset(
    ["哈萨克", "塔吉克", "乌孜别克", "鄂温克", "达斡尔", "柯尔克孜", "毛南", "景颇"]
)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    t = name_tables()
    firsts = "".join(sorted(t.single | {c[0] for c in t.compound}))
    # A delimiter (any character but a Chinese one, · and •) or a word before a name in a
    # sentence, then a run of one to five Chinese characters that starts with a surname's first
    # character. One class for the character before (the CJK block less those words, negated)
    # and a look-ahead for the first character let the regex engine skip ahead to the few
    # places where a name can start; an alternation first would test every position.
    before = han_except(_LEFT_WORDS + _PERSON_END)[1:-1]
    given = "".join(
        sorted(
            {c for c, v in t.given.items() if v >= _LOW_LLR and is_han(c)}
            | {p[0] for p in _pairs()}
        )
    )
    single = "".join(sorted(t.single))
    # 复姓 as two classes (a superset, checked after): an alternation of 80 words costs more.
    first2 = "".join(sorted({c[0] for c in t.compound}))
    second2 = "".join(sorted({c[1] for c in t.compound}))
    return re.compile(
        f"[^{before}·•0-9A-Za-z](?=[{firsts}])(?=[{single}][{given}]|[{first2}][{second2}][{given}])"
        f"([{_HAN}]{{1,5}})"
    )


def bare_names(text: str, score: float) -> Iterator[Entity]:
    """Names between delimiters (table cells, fields, signatures) and in running text (after a
    delimiter, a conjunction, a verb or a person word; before a verb of speech or action, a
    function character or a delimiter): see the module's docstring."""
    t = name_tables()
    search = _pattern().search
    padded = " " + text  # the text's start is a delimiter (offsets in it are one more)
    pos = 0
    while (m := search(padded, pos)) is not None:
        pos, end = m.span(1)  # overlapping candidates: "请和贺晓燕说" tries 和贺晓, then 贺晓燕
        start, run = pos - 1, m.group(1)
        found = None
        if end - pos <= 4 and not ("\u4e00" <= padded[pos - 1] <= "\u9fff"):
            nxt = padded[end : end + 1]  # a delimiter after the run too: a cell, a field
            if not nxt or not ("\u4e00" <= nxt <= "\u9fff" or nxt in "·•"):
                found = _delimited(text, start, run, score)
        if found is None:
            found = _in_sentence(text, start, run, t, score)
        if found is not None:
            yield found
            pos = found.end + 1


def _delimited(text: str, start: int, run: str, score: float) -> Entity | None:
    """A name standing alone between delimiters ("| 高飞 | 男 |")."""
    t = name_tables()
    n = 2 if run[:2] in t.compound else 1 if run[0] in t.single else 0
    if not n or len(run) - n not in (1, 2):
        return None
    surname, given = run[:n], run[n:]
    if _plausible(text, start, surname, given) or (
        _IDENT_AFTER.match(text, start + len(run)) is not None
        and _plausible(text, start, surname, given, _LOW_LLR, word=True)
    ):
        return _name(text, start, surname, given, score)
    return None


def _in_sentence(text: str, start: int, run: str, t: NameTables, score: float) -> Entity | None:
    """A name in running text: surname and one or two given-name characters, then a verb, a
    function character or a delimiter ("由方正负责", "退休教师范德荣将…")."""
    n = 2 if run[:2] in t.compound else 1 if run[0] in t.single else 0
    if not n or run[0] in _PREPOSITIONS or (run[0] == "于" and _preposition(text, start)):
        return None  # "由秦川负责", "吴春生由梅园…调至": the name comes after the preposition
    surname, rest = run[:n], run[n : n + 2]
    given = t.given
    k = 0
    while k < len(rest) and given.get(rest[k], -9.0) >= _LOW_LLR:
        k += 1
    if rest in _pairs():
        k = 2
    for g in (k, 1) if k == 2 else (1,) if k == 1 else ():
        if _ends(text, start + n + g) and _plausible(text, start, surname, rest[:g], SENTENCE_LLR):
            return _name(text, start, surname, rest[:g], score)
    if k and _after_role(text, start) and run[:2] not in _ROLES and run[:3] not in _ROLES:
        g = 2 if k == 2 or given.get(rest[1:2], -9.0) >= _ROLE_LLR else 1
        if g == 2 and rest not in _pairs() and text[start + n + 1 : start + n + 3] in t.words:
            g = 1  # "行人向阳相撞", "儿子黄明含泪": the second character starts a word
        body, end = run[: n + g], start + n + g
        if (
            (rest[:g] not in t.words or rest[:g] in _pairs())
            and (body not in t.words or _ends(text, end))  # "师傅明天上午": a word
            and _plausible(text, start, surname, rest[:g], 0.0, word=True, floor=_ROLE_LLR)
        ):
            return _name(text, start, surname, rest[:g], score)
    return None


def _preposition(text: str, start: int) -> bool:
    """Whether 于 at ``start`` is the preposition: after a Chinese character that does not end a
    word for a person (被告于2021年…, 请于本周…; but 父亲于海, 面试官于洋)."""
    return start > 0 and is_han(text[start - 1]) and not _after_role(text, start)


def _after_role(text: str, start: int) -> bool:
    """Whether a word for a person or a label ends at ``start`` ("民警李卫东帮她…")."""
    if text[start - 1 : start] not in _ROLE_ENDS:
        return False
    return any(text[max(0, start - k) : start] in _ROLES for k in (2, 3, 4, 5))


def _name(text: str, start: int, surname: str, given: str, score: float) -> Entity:
    end = start + len(surname) + (0 if given in _ONE_TITLES else len(given))
    return Entity("NAME", start, end, text[start:end], score, "name")  # "徐哥": the surname


def _ends(text: str, end: int) -> bool:
    nxt = text[end : end + 1]
    if nxt in ("·", "•") or ("A" <= nxt <= "Z"):
        return False  # "艾尔肯·吐尔逊" (the dotted reading), "车豫L…" (a plate)
    return not nxt or not is_han(nxt) or nxt in _RIGHT_WORDS or text[end : end + 2] in _RIGHT_WORDS


def given_pairs() -> frozenset[str]:
    """Two-character given names typical as a pair (建国, 向东), titles and kin words left out."""
    return _pairs()


@lru_cache(maxsize=1)
def _pairs() -> frozenset[str]:
    """Two-character given names, less titles and kin words (jieba tags 王先生, 李老爷 as names)."""
    titles = set(TITLES) | set(_TITLE_TAILS) | set(ROLE_WORDS)
    return frozenset(p for p in name_tables().given_pairs if p not in titles)


def _plausible(
    text: str,
    start: int,
    surname: str,
    given: str,
    least: float = MIN_LLR,
    *,
    word: bool = False,
    floor: float = _LOW_LLR,
) -> bool:
    """Whether ``surname`` + ``given`` at ``start`` reads as a name: each given character's
    log-likelihood ratio at least ``floor``, their mean at least ``least``; with ``word`` a
    common word may be one (a name before an identifier or after a word for a person)."""
    t = name_tables()
    g = t.given
    pair = given in _pairs()  # 建国, 向东: a given name as a pair, whatever its characters
    if not pair and (
        any(g.get(c, -9.0) < floor for c in given)
        or sum(map(g.__getitem__, given)) < least * len(given)
    ):
        return False
    body = surname + given
    if not word and (
        body in t.words
        or (len(surname) == 1 and (body[:2] in t.words or body[:2] in t.nr_words))
        or (len(given) == 2 and given in t.words and not pair)
    ):
        return False  # "高兴", "文明", "马上来"
    if body in _PEOPLES or "族" in given or "某" in given:
        return False  # "哈萨克", "蒙古族": a people; "尤某某": a mask (name.py reads it)
    if (
        given in _TITLE_TAILS
        or given[-1] in _ANIMALS
        or (len(given) == 2 and given[1] in _ONE_TITLES)
    ):
        return False  # "王师傅", "蓝猫": a title (the title reading marks 王) or an animal
    return not (start > 0 and is_han(text[start - 1]) and text[start - 1] + surname[0] in t.words)
