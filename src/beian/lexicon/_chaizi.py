"""Character splitting (拆字): 氵去 for 法, 木仓 for 枪.

The table ``data/chaizi.tsv`` (derived by ``scripts/lexicon_tables.py`` from openly licensed
decomposition data; sources and licences in ``data/README.md``) gives, for about 5,000 common
characters, the two halves of a left | right or top / bottom split. A keyword gets variants in
which one or more of its characters are written as their halves.
"""

from __future__ import annotations

import functools
import itertools

from beian.lexicon._lookalike import read_pairs

__all__ = ["chaizi_table", "split_forms", "split_variants"]

# split forms per keyword: each one adds a pattern to the main set, and at 4 the scan of the
# benchmark's 20,000 keywords ran about 20 % slower than without them (2: about 6 %)
_MAX_VARIANTS = 2


@functools.lru_cache(maxsize=1)
def chaizi_table() -> dict[str, str]:
    """Character → its two halves written side by side."""
    return {row[0]: row[1] + row[2] for row in read_pairs("chaizi.tsv") if len(row) >= 3}


def split_variants(word: str, cap: int = _MAX_VARIANTS) -> list[str]:
    """``word`` with one or more splittable characters written as their halves; single
    splits first (the usual evasion), then pairs, up to ``cap`` forms."""
    return [form for form, _ in split_forms(word, cap)]


def split_forms(word: str, cap: int = _MAX_VARIANTS) -> list[tuple[str, tuple[int, ...]]]:
    """:func:`split_variants` with the positions (in ``word``) of the characters split."""
    table = chaizi_table()
    where = [i for i, c in enumerate(word) if c in table]
    out: list[tuple[str, tuple[int, ...]]] = []
    for k in range(1, len(where) + 1):
        for chosen in itertools.combinations(where, k):
            chars = list(word)
            for i in chosen:
                chars[i] = table[word[i]]
            out.append(("".join(chars), chosen))
            if len(out) >= cap:
                return out
    return out
