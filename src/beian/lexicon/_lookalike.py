"""Look-alike characters (形近字 and cross-script homoglyphs) folded to what they imitate.

``lookalike.tsv`` (derived from Unicode's ``confusables.txt``, UTS #39, by
``scripts/lexicon_tables.py``, with ``kana_lookalike.tsv``: チ for 千) is folded into the fold table: text and keywords alike; so is
``variants.tsv`` (rare variant ideographs from the Unihan variant properties: 躶 → 裸, 噐 → 器) and
``variants_yitizi.tsv`` (from the ``yitizi`` variant graph, CC0: 亱 → 夜, 冐 → 冒),
with traditional → simplified (the same word in another written form). Those
pairs read the same (or the source has no reading), so pinyin and homophones are unaffected.
``xingjin.tsv`` (similar CJK forms written for this project: 夭/天, 己/已) pairs characters of
different readings, so it gives keyword variants instead of a fold; so do, in libraries of up to
5,000 keywords, ``xingjin_strokes.tsv`` (characters of 4+ strokes one stroke apart: 杳/查, 王/主) and the
characters of ``chaizi.tsv`` that share their right-hand part (形旁 swapped: 待/持, 砧/站, 姓/性).
Sources and licences: ``data/README.md``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from importlib import resources

__all__ = [
    "greek_map",
    "lookalike_digest",
    "lookalike_map",
    "read_pairs",
    "traditional_more",
    "variant_map",
    "xingjin_variants",
]

_MAX_VARIANTS = 4  # 形近字 forms per keyword
# forms with two characters replaced per keyword of 3+ characters (wide set: small libraries)
_TWO_SWAPS = 96


@functools.lru_cache(maxsize=16)
def read_pairs(name: str) -> tuple[tuple[str, ...], ...]:
    """The tab-separated rows of a data file, comments and blank lines left out; read once per
    process (compiling a library reads ``chaizi.tsv`` in four places)."""
    text = resources.files("beian.lexicon").joinpath("data", name).read_text("utf-8")
    return tuple(
        tuple(line.split("\t"))
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


@functools.lru_cache(maxsize=1)
def lookalike_map() -> dict[str, str]:
    """Look-alike character → the character it is folded to (one character each): Unicode's
    confusables, then katakana for ideographs that it leaves out (``kana_lookalike.tsv``)."""
    return {**_pairs("kana_lookalike.tsv"), **_pairs("lookalike.tsv")}


@functools.lru_cache(maxsize=1)
def greek_map() -> dict[str, str]:
    """Lower-case Greek letters written for Latin ones (η → n) that confusables.txt leaves out,
    and the Latin letter small-caps generators write for a small capital Q (ǫ → q)."""
    return {**_pairs("greek_letters.tsv"), **_pairs("styled_letters.tsv")}


@functools.lru_cache(maxsize=1)
def traditional_more() -> dict[str, str]:
    """Simplified character → its traditional forms after the first (OpenCC's STCharacters.txt:
    枪 → 鎗 besides 槍): they give keyword variants where folding does not bring them back."""
    return {row[0]: row[1] for row in read_pairs("traditional_more.tsv") if len(row) >= 2}


@functools.lru_cache(maxsize=1)
def variant_map() -> dict[str, str]:
    """Rare variant ideograph → the common character (躶 → 裸, 亱 → 夜): folded like traditional
    forms. Rare 拆字 components first, as typed (``components.tsv``: 朩 → 木, 𥫗 → 竹, not 朩 →
    等), then the Unihan variants, then those of the ``yitizi`` variant graph."""
    return {**_pairs("variants_yitizi.tsv"), **_pairs("variants.tsv"), **_pairs("components.tsv")}


def _pairs(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in read_pairs(name):
        src, dst = row[0], row[1]
        if len(src) == 1 and len(dst) == 1 and src != dst:
            out[src] = dst
    return out


# Components a reader takes for one another (written for this project): two characters of the
# 拆字 table split the same way, with one half the same and the other halves in one group here,
# look alike (代/伐, 洗/冼, 钱/饯, 刻/劾, 休/体, 粟/栗, 考/老).
_SIMILAR_PARTS = (
    "亻彳",
    "氵冫",
    "钅饣纟",
    "弋戈",
    "木本禾朩术",
    "木米",
    "十丁",
    "扌才",
    "日曰目",
    "贝见",
    "土士",
    "礻衤",
    "冖宀",
    "刂力",
    "丂匕",
    "乂夂",
    "八儿",
)


def _similar_parts() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for group in _SIMILAR_PARTS:
        for c in group:
            out.setdefault(c, set()).update(x for x in group if x != c)
    return {c: frozenset(v) for c, v in out.items()}


@functools.lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    """Each character's look-alikes: the groups of ``xingjin.tsv``, then the pairs derived from
    the 拆字 table and the similar components above."""
    out: dict[str, dict[str, None]] = {}
    for row in read_pairs("xingjin.tsv"):
        for c in row:
            out.setdefault(c, {}).update(dict.fromkeys(x for x in row if x != c))
    parts = _similar_parts()
    by_half: dict[tuple[str, int, str], list[tuple[str, str]]] = {}
    for row in read_pairs("chaizi.tsv"):
        if len(row) < 4 or row[1] == row[2]:
            continue
        ch, a, b, kind = row[:4]
        if b in parts:
            by_half.setdefault((kind, 0, a), []).append((ch, b))
        if a in parts:
            by_half.setdefault((kind, 1, b), []).append((ch, a))
    for items in by_half.values():
        for (c1, h1), (c2, h2) in itertools.combinations(items, 2):
            if h2 in parts[h1] and c1 != c2:
                out.setdefault(c1, {})[c2] = None
                out.setdefault(c2, {})[c1] = None
    return {c: tuple(v) for c, v in out.items()}


# right-hand parts that are the semantic radical, not the phonetic (written for this project):
# characters sharing one of them do not look alike (副/判/刘, 郊/部)
_RIGHT_RADICALS = frozenset("阝刂鸟页攵力欠斤见寸殳戈彡卩又隹羽")
# radicals a writer adds to a character or leaves out of one to disguise it (written for this
# project): 口 氵 亻 扌 忄 火 木 艹 讠 女 土 日 钅 纟 辶
_ADDED = frozenset("口氵亻扌忄火木艹讠女土日钅纟辶")


@functools.lru_cache(maxsize=1)
def _wide_groups() -> dict[str, tuple[str, ...]]:
    """:func:`_groups`, then characters one stroke apart (``xingjin_strokes.tsv``: 杳/查, 王/主),
    characters split left | right with the same right-hand part (the semantic radical
    swapped, the phonetic kept: 待/持, 砧/站, 铺/捕), and for a character, that character with
    a radical added (息 → 熄, 式 → 拭)."""
    out = {c: dict.fromkeys(v) for c, v in _groups().items()}
    for a, b in read_pairs("xingjin_strokes.tsv"):
        out.setdefault(a, {})[b] = None
        out.setdefault(b, {})[a] = None
    by_right: dict[str, list[str]] = {}
    lefts: dict[str, int] = {}
    split: set[str] = set()
    rows = read_pairs("chaizi.tsv")
    for row in rows:
        ok = len(row) >= 4 and row[3] == "lr" and row[1] != row[2] and len(row[0]) == 1
        split.add(row[0])
        if ok:
            lefts[row[1]] = lefts.get(row[1], 0) + 1
        if ok and row[2] not in _RIGHT_RADICALS:
            by_right.setdefault(row[2], []).append(row[0])
    # characters the first table lacks (购, 财: 贝 勾, 贝 才) from the typed splits in two parts
    # whose first part is a left-hand radical of the first table (ten characters or more)
    for row in read_pairs("chaizi_typed.tsv"):
        ch, parts = row[0], row[1] if len(row) > 1 else ""
        if ch in split or len(parts) != 2 or lefts.get(parts[0], 0) < 10:
            continue
        if parts[1] not in _RIGHT_RADICALS and parts[0] != parts[1]:
            by_right.setdefault(parts[1], []).append(ch)
    for chars in by_right.values():
        for c1, c2 in itertools.permutations(chars, 2):
            out.setdefault(c1, {})[c2] = None
    # a radical added to a character (息 written 熄, 录 written 渌, 式 written 拭): the other
    # part a character that splits itself (人/从 and the like are too simple to tell); not the
    # other way round (法 written 去: a radical left out leaves a common character)
    table = {row[0]: row for row in rows if len(row) >= 4}
    for ch, a, b, kind in (row[:4] for row in table.values()):
        for radical, rest in ((a, b), (b, a) if kind == "lr" else ("", "")):
            if radical in _ADDED and rest in table and rest != ch:
                out.setdefault(rest, {})[ch] = None
    return {c: tuple(k for k in v if k != c) for c, v in out.items()}


def xingjin_variants(
    word: str, cap: int = _MAX_VARIANTS, words: frozenset[str] = frozenset(), wide: bool = False
) -> list[str]:
    """``word`` with one character replaced by a similar-looking one (夭安门 for 天安门, 伐考
    for 代考), leaving out variants that are words of their own (``words``: 己见 for 已见);
    ``wide``: with the look-alikes of :func:`_wide_groups` too."""
    groups = _wide_groups() if wide else _groups()
    out: list[str] = []
    for i, c in enumerate(word):
        for alt in groups.get(c, ()):
            form = word[:i] + alt + word[i + 1 :]
            if form in words:
                continue
            # wide: nor where the new character makes a word with a neighbour (十二人 for 十二个:
            # 二人; 人家庭 for 小家庭: 人家): such text is written without any evasion
            if wide and (form[max(0, i - 1) : i + 1] in words or form[i : i + 2] in words):
                continue
            out.append(form)
            if len(out) >= cap:
                return out
    if wide and len(word) >= 3:
        out.extend(_two_swaps(word, groups, words, set(out)))
    return out


def _two_swaps(
    word: str, groups: dict[str, tuple[str, ...]], words: frozenset[str], seen: set[str]
) -> list[str]:
    """``word`` (3+ characters) with two of its characters replaced by look-alikes (瞄准镜 as
    猫淮镜, 持枪抢劫 as 持沧抡劫), up to ``_TWO_SWAPS`` forms, under the checks of the single
    replacements; the replacements nearest the start first."""
    out: list[str] = []
    for i, j in itertools.combinations(range(len(word)), 2):
        if word[i] == word[j]:  # 鞅鞅不乐 as 怏怏不乐: another spelling of the word, no disguise
            continue
        for a, b in itertools.product(groups.get(word[i], ()), groups.get(word[j], ())):
            form = word[:i] + a + word[i + 1 : j] + b + word[j + 1 :]
            if form in seen or any(
                form[max(0, k - 1) : k + 1] in words or form[k : k + 2] in words for k in (i, j)
            ):
                continue
            seen.add(form)
            out.append(form)
            if len(out) >= _TWO_SWAPS:
                return out
    return out


@functools.lru_cache(maxsize=1)
def lookalike_digest() -> str:
    """A digest of the table, part of the fold tables' cache key."""
    body = "".join(f"{a}{b}" for a, b in sorted(lookalike_map().items()))
    body += "|" + "".join(f"{a}{b}" for a, b in sorted(variant_map().items()))
    body += "|" + "".join(f"{a}{b}" for a, b in sorted(greek_map().items()))
    return hashlib.sha256(body.encode()).hexdigest()[:12]
