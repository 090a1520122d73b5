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

from beian.lexicon._lookalike import read_pairs

__all__ = ["FULL_FORMS", "chaizi_table", "split_forms", "split_variants", "typed_table"]

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


@functools.lru_cache(maxsize=1)
def chaizi_table() -> dict[str, str]:
    """Character → its two halves written side by side."""
    return {row[0]: row[1] + row[2] for row in read_pairs("chaizi.tsv") if len(row) >= 3}


@functools.lru_cache(maxsize=1)
def typed_table() -> dict[str, str]:
    """Character → its parts as typed (two or three), where they differ from :func:`chaizi_table`."""
    return {row[0]: row[1] for row in read_pairs("chaizi_typed.tsv") if len(row) >= 2}


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
    return out


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
        for k in range(1, len(where) + 1):
            for chosen in itertools.combinations(where, k):
                for parts in itertools.product(*(alts[i] for i in chosen)):
                    chars = list(word)
                    for i, p in zip(chosen, parts, strict=True):
                        chars[i] = p
                    form = "".join(chars)
                    if form in seen:
                        continue
                    seen.add(form)
                    out.append((form, chosen))
                    if len(out) >= cap:
                        return out
    return out
