"""Character splitting (拆字): 氵去 for 法, 木仓 for 枪.

The table ``data/chaizi.tsv`` (derived by ``scripts/lexicon_tables.py`` from openly licensed
decomposition data; sources and licences in ``data/README.md``) gives, for about 5,000 common
characters, the two halves of a left | right or top / bottom split. A keyword gets variants in
which one or more of its characters are written as their halves. ``data/chaizi_typed.tsv``
adds, for libraries small enough to take every split, the splits as people type them where the
first table has none or uses parts nobody types (贩 → 贝反, 替 → 夫夫日, 刷 → 尸巾刂, 迷 → 米辶),
and the splits with a radical written as the character it stands for (扌 as 手: 手空 for 控, 讠 as
言: 言兑 for 说, 艹 as 草, 亻 as 人, 纟 as 糸; ``_FULL_FORMS``), one split character per form.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable

from beian.lexicon._lookalike import read_pairs, variant_map

__all__ = [
    "FULL_CHARS",
    "FULL_FORMS",
    "alternatives",
    "chaizi_table",
    "split_forms",
    "split_variants",
    "typed_table",
]

# split forms per keyword: each one adds a pattern to the main set, and at 4 the scan of the
# benchmark's 20,000 keywords ran about 20 % slower than without them (2: about 6 %)
_MAX_VARIANTS = 2

# A radical in its positional form → the character it stands for, as people write a split out
# when the radical is hard to type (扌 → 手: 手空 for 控; written for this project from the
# radicals' names: 提手旁, 言字旁, 绞丝旁, 示字旁, 草字头, 单人旁, 三点水, 竖心旁, 金字旁 …)
FULL_FORMS = {
    "扌": "手",
    "讠": "言",
    "纟": "糸",
    "礻": "示",
    "艹": "草",
    "亻": "人",
    "氵": "水",
    "忄": "心",
    "钅": "金",
    "饣": "食",
    "犭": "犬",
    "衤": "衣",
    "刂": "刀",
    "冫": "冰",
    "灬": "火",
    "𥫗": "竹",
    "𧾷": "足",
    "疒": "病",
    "阝": "耳",
    "王": "玉",
    "牜": "牛",
}
# forms with a full-form radical per keyword, besides the cap of the other splits
_FULL_CAP = 8
# the characters a split's radical is written as (手 for 扌, 人 for 亻)
FULL_CHARS = frozenset(FULL_FORMS.values())
# forms per keyword from the characters' alternatives combined (small libraries only)
_COMBINED_CAP = 48
_COMBINED_EACH = 3


@functools.lru_cache(maxsize=1)
def chaizi_table() -> dict[str, str]:
    """Character → its two halves written side by side."""
    rows = read_pairs("chaizi.tsv")
    return {r[0]: r[1] + r[2] for r in rows if len(r) >= 3 and not _self_split(r[0], r[1] + r[2])}


@functools.lru_cache(maxsize=1)
def typed_table() -> dict[str, str]:
    """Character → its parts as typed (two or three), where they differ from :func:`chaizi_table`."""
    rows = read_pairs("chaizi_typed.tsv")
    return {r[0]: r[1] for r in rows if len(r) >= 2 and not _self_split(r[0], r[1])}


@functools.lru_cache(maxsize=1)
def _variant_fold() -> dict[int, str]:
    return str.maketrans(variant_map())


# single strokes: a character written as itself and a stroke is no disguise
_STROKES = frozenset("一丨丶丿乙亅乚乛𠃊")


def _self_split(c: str, parts: str) -> bool:
    """Whether the parts of ``c`` are ``c`` itself and a stroke once rare components fold to the
    common character they are a variant of (上 as 丄一, read 上一: 马上一 is no 马上; 降 as
    阝夅, read 阝降, stays: that is no common text)."""
    folded = parts.translate(_variant_fold())
    return c in folded and all(x == c or x in _STROKES for x in folded)


def split_variants(word: str, cap: int = _MAX_VARIANTS, typed: bool = False) -> list[str]:
    """``word`` with one or more splittable characters written as their halves; single
    splits first (the usual evasion), then pairs, up to ``cap`` forms; ``typed``: the typed
    splits too."""
    return [form for form, _ in split_forms(word, cap, typed)]


def split_forms(
    word: str, cap: int = _MAX_VARIANTS, typed: bool = False, words: frozenset[str] = frozenset()
) -> list[tuple[str, tuple[int, ...]]]:
    """:func:`split_variants` with the positions (in ``word``) of the characters split; with
    ``typed``, then up to ``_FULL_CAP`` forms more with a radical as its full character."""
    out = _table_forms(word, cap, typed)
    if typed:
        out.extend(_full_forms(word, words, {f for f, _ in out}))
        out.extend(_combined_forms(word, words, {f for f, _ in out}))
    return out


@functools.lru_cache(maxsize=1)
def _kinds() -> dict[str, str]:
    """Character → how the first table splits it: lr, tb or ot (one part around the other)."""
    return {row[0]: row[3] for row in read_pairs("chaizi.tsv") if len(row) >= 4}


@functools.lru_cache(maxsize=16_384)
def alternatives(c: str) -> tuple[str, ...]:
    """The ways ``c`` is written as its parts: the first table's split, the typed one, the
    enclosed part first for a split around (乂凵 for 凶, 元辶 for 远), one part split again
    (米女攵 for 数: 娄 is 米女), and the radicals written as the characters they stand for
    (人叚 for 假, 言正 for 证)."""
    table = chaizi_table()
    halves = table.get(c, "")
    out = dict.fromkeys([halves, "".join(FULL_FORMS.get(h, h) for h in halves)] if halves else [])
    out[typed_table().get(c, "")] = None
    if len(halves) == 2:
        if _kinds().get(c) == "ot":
            out[halves[::-1]] = None
        for k, part in enumerate(halves):
            deeper = table.get(part, "")
            if len(deeper) == 2 and part != c:
                out[halves[:k] + deeper + halves[k + 1 :]] = None
    return tuple(s for s in out if s and s != c)


def _combined_forms(
    word: str, words: frozenset[str], seen: set[str]
) -> list[tuple[str, tuple[int, ...]]]:
    """``word`` with its characters written in any of their :func:`alternatives`: each one
    split alone, then every splittable character at once, then two, three … (several at once:
    their first ``_COMBINED_EACH`` alternatives, the earlier ones first), up to
    ``_COMBINED_CAP`` forms; a full character written for a radical must not make a word
    (``words``) with the character beside it in the form (the check of :func:`_full_forms`)."""
    alts = [alternatives(c) for c in word]
    where = [i for i, a in enumerate(alts) if a]
    sizes = dict.fromkeys([1, len(where), *range(2, len(where))])
    tries = (
        (chosen, parts)
        for k in sizes
        if 0 < k <= len(where)
        for chosen in itertools.combinations(where, k)
        for parts in _ranked(alts, chosen)
    )
    return _collect(word, tries, seen, _COMBINED_CAP, words)


def _collect(
    word: str,
    tries: Iterable[tuple[tuple[int, ...], tuple[str, ...]]],
    seen: set[str],
    cap: int,
    words: frozenset[str] | None = None,
) -> list[tuple[str, tuple[int, ...]]]:
    """The forms of ``word`` with the characters at ``chosen`` written as ``parts``, new ones
    only (``seen``), up to ``cap``; with ``words``, under the check of :func:`_full_word`."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for chosen, parts in tries:
        if len(out) >= cap:
            break
        placed = dict(zip(chosen, parts, strict=True))
        form = _place(word, placed)
        if form in seen or (words is not None and _full_word(word, placed, words)):
            continue
        seen.add(form)
        out.append((form, chosen))
    return out


def _ranked(alts: list[tuple[str, ...]], chosen: tuple[int, ...]) -> list[tuple[str, ...]]:
    """The parts for the characters ``chosen``: every combination of their alternatives (their
    first ``_COMBINED_EACH`` when more than one is chosen), the earliest alternatives first."""
    each = [alts[i] if len(chosen) == 1 else alts[i][:_COMBINED_EACH] for i in chosen]
    ranks = itertools.product(*(range(len(a)) for a in each))
    return [tuple(a[r] for a, r in zip(each, rank, strict=True)) for rank in sorted(ranks, key=sum)]


def _place(word: str, placed: dict[int, str]) -> str:
    """``word`` with the characters at the keys of ``placed`` written as its values."""
    return "".join(placed.get(i, c) for i, c in enumerate(word))


def _full_word(word: str, placed: dict[int, str], words: frozenset[str]) -> bool:
    """Whether a split in ``placed`` begins or ends with a full character (人, 言 …) that
    makes a word of ``words`` with the character beside it in the form."""
    for i, part in placed.items():
        left = placed.get(i - 1, word[i - 1])[-1] if i > 0 else ""
        right = placed.get(i + 1, word[i + 1])[0] if i + 1 < len(word) else ""
        if left and part[0] in FULL_CHARS and left + part[0] in words:
            return True
        if right and part[-1] in FULL_CHARS and part[-1] + right in words:
            return True
    return False


def _full_forms(
    word: str, words: frozenset[str], seen: set[str]
) -> list[tuple[str, tuple[int, ...]]]:
    """``word`` with one character split and its radical written as the character it stands
    for (手空 for 控), leaving out forms where that character makes a word (``words``) with the
    keyword's character beside it (女人尤 for 女优: 女人 is a word, 女人尤其 plain text)."""
    out: list[tuple[str, tuple[int, ...]]] = []
    table = chaizi_table()
    for i, c in enumerate(word):
        halves = table.get(c, "")
        if len(halves) != 2:
            continue
        for k in (0, 1):
            full = FULL_FORMS.get(halves[k])
            if full is None:
                continue
            split = full + halves[1] if k == 0 else halves[0] + full
            near = word[i - 1] + full if k == 0 and i > 0 else ""
            if k == 1 and i + 1 < len(word):
                near = full + word[i + 1]
            form = word[:i] + split + word[i + 1 :]
            if form in seen or (near and near in words):
                continue
            seen.add(form)
            out.append((form, (i,)))
            if len(out) >= _FULL_CAP:
                return out
    return out


def _table_forms(word: str, cap: int, typed: bool) -> list[tuple[str, tuple[int, ...]]]:
    """The splits of the two tables: single splits first, then pairs …, up to ``cap``."""
    table = chaizi_table()
    out: list[tuple[str, tuple[int, ...]]] = []
    seen: set[str] = set()
    # the first table's splits alone (as before the typed ones), then forms with a typed split
    passes = [[[table[c]] if c in table else [] for c in word]]
    if typed:
        extra = typed_table()
        passes.append([[t for t in (table.get(c), extra.get(c)) if t] for c in word])
    for alts in passes:
        where = [i for i, a in enumerate(alts) if a]
        tries = (
            (chosen, parts)
            for k in range(1, len(where) + 1)
            for chosen in itertools.combinations(where, k)
            for parts in itertools.product(*(alts[i] for i in chosen))
        )
        out.extend(_collect(word, tries, seen, cap - len(out)))
    return out
