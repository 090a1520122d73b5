"""A cheap, exact test that a short text can neither hold a hit nor end in an unfinished one.

Every hit is a match of a pattern (a keyword form, an allow-list word, a pinyin form, a
homophone syllable form) on the normalized text, and every unfinished tail
(:func:`~beian.lexicon._pending.pending_start`) is a normalized ending that is a prefix of one.
Either needs the normalized text to hold a pattern's first character, and a hit needs a whole
pattern in it. A stream screener's chunk of ordinary text usually has neither, and then the
matchers (and, for the first test, everything else) can be skipped without changing a result:

1. the raw characters: :attr:`QuietFilter.hot` holds every character whose folding (the same
   fold table the scan normalizes with: full-width, traditional, look-alikes, expansions) gives
   a pattern's first character, or a character that reads as a homophone form's first syllable.
   A text with none of them is quiet; one set test, before any normalization.
2. the normalized text (only when step 1 fails): when no pattern occurs in it (each position is
   extended only while it is a pattern prefix, so ordinary text costs one set lookup per
   character; the syllable codes too when homophone forms are compiled) there is no hit, and
   only the unfinished tail is left to find (the prefix lookups); the matchers are skipped.

Everything is derived at compile time from the compiled patterns and fold table, so changes to
how forms are generated or folded flow into it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from beian.lexicon._fold import EXPAND, SIZE, FoldTable
from beian.lexicon._pending import PrefixIndex

__all__ = ["QuietFilter"]


class _Starts:
    """The first characters and the occurrence test of a pattern set (with its prefix set)."""

    __slots__ = ("first", "full", "prefixes", "single")

    def __init__(self, patterns: Iterable[str], prefixes: frozenset[str]) -> None:
        pats = [p for p in patterns if p]
        self.first = frozenset(p[0] for p in pats)
        self.single = frozenset(p for p in pats if len(p) == 1)
        self.full = frozenset(pats)
        self.prefixes = prefixes

    def matchless(self, s: str) -> bool:
        """No pattern occurs in ``s``: each start is extended only while it is a prefix."""
        if not self.single.isdisjoint(s):
            return False
        pre, full, end = self.prefixes, self.full, len(s)
        for i in range(end - 1):
            k = i + 2
            while k <= end and s[i:k] in pre:
                if s[i:k] in full:
                    return False
                k += 1
        return True


class QuietFilter:
    """Built once per compiled state; see the module docstring."""

    __slots__ = ("_homo", "_main", "hot")

    def __init__(
        self,
        ft: FoldTable,
        patterns: tuple[Iterable[str], PrefixIndex],
        homo: tuple[Iterable[str], PrefixIndex] | None,
        syl: npt.NDArray[np.uint32] | None,
        raw: bool,
    ) -> None:
        self._main = _Starts(patterns[0], patterns[1].prefixes)
        self._homo = (
            _Starts(homo[0], homo[1].prefixes) if homo is not None and syl is not None else None
        )
        if raw:  # the matcher reads the text itself
            self.hot: frozenset[str] = self._main.first
            return
        codes = np.fromiter((ord(c) for c in self._main.first), dtype=np.int64)
        hot = np.zeros(EXPAND, dtype=bool)  # folded codes that can start a match
        hot[codes[codes < EXPAND]] = True
        if self._homo is not None and syl is not None:
            hfirst = np.fromiter((ord(c) for c in self._homo.first), dtype=np.int64)
            hot[: len(syl)] |= np.isin(syl, hfirst)
        table = ft.table[:SIZE]
        direct = table < EXPAND
        chars = np.flatnonzero(direct & hot[np.where(direct, table, 0)])
        expanded = np.flatnonzero(~direct)
        more = [
            int(cp)
            for cp in expanded.tolist()
            if any(ord(c) < EXPAND and hot[ord(c)] for c in ft.expansions[int(table[cp]) - EXPAND])
        ]
        self.hot = frozenset(map(chr, [*chars.tolist(), *more]))

    def quiet_raw(self, text: str) -> bool:
        """Step 1: no character of ``text`` folds to a possible start of a match."""
        return self.hot.isdisjoint(text)

    def matchless(self, text: str, syllables: str | None) -> bool:
        """Step 2, on the normalized text (and its syllable codes when homophones are on): no
        pattern can match anywhere in it."""
        if not self._main.matchless(text):
            return False
        return self._homo is None or syllables is None or self._homo.matchless(syllables)

    @property
    def homophones(self) -> bool:
        return self._homo is not None
