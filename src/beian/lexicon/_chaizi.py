"""Character splitting (拆字): 氵去 for 法, 木仓 for 枪.

The table ``data/chaizi.tsv`` (derived by ``scripts/lexicon_tables.py`` from openly licensed
decomposition data; sources and licences in ``data/README.md``) gives, for about 5,000 common
characters, the two halves of a left | right or top / bottom split. A keyword gets variants in
which one or more of its characters are written as their halves. ``data/chaizi_typed.tsv``
adds, for libraries small enough to take every split, the splits as people type them where the
first table has none or uses parts nobody types (贩 → 贝反, 替 → 夫夫日, 刷 → 尸巾刂, 迷 → 米辶).
"""

from __future__ import annotations

import functools
import itertools

from beian.lexicon._lookalike import read_pairs

__all__ = ["chaizi_table", "split_forms", "split_variants", "typed_table"]

# split forms per keyword: each one adds a pattern to the main set, and at 4 the scan of the
# benchmark's 20,000 keywords ran about 20 % slower than without them (2: about 6 %)
_MAX_VARIANTS = 2


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
    word: str, cap: int = _MAX_VARIANTS, typed: bool = False
) -> list[tuple[str, tuple[int, ...]]]:
    """:func:`split_variants` with the positions (in ``word``) of the characters split."""
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
