"""Where a text's unfinished tail begins: the part that text still to come could make a hit.

A stream screener that has scanned what arrived so far may release everything except a tail
that could still grow into a hit. Patterns are matched on normalized text, so the question is
asked there: the earliest normalized position ``k`` such that ``norm[k:]`` is a prefix of some
pattern (keyword forms, allow-list words, homophone syllable forms). Normalization is
monotone in the sense that matters (appending text never changes how earlier characters fold;
a noise run can only grow into a barrier, which no pattern contains), so an ending that is no
prefix of any pattern now never becomes the start of a hit later.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from beian.lexicon._normalize import Normalized

__all__ = ["PrefixIndex", "original_start", "pending_start"]


class PrefixIndex:
    """Every prefix (the whole pattern included) of a set of pattern strings."""

    __slots__ = ("longest", "prefixes")

    def __init__(self, patterns: Iterable[str]) -> None:
        prefixes: set[str] = set()
        longest = 0
        for p in patterns:
            longest = max(longest, len(p))
            prefixes.update(p[:k] for k in range(1, len(p) + 1))
        self.prefixes = frozenset(prefixes)
        self.longest = longest

    def first(self, s: str, stop: int | None = None) -> int | None:
        """Smallest ``k < stop`` with ``s[k:]`` a prefix of a pattern, or None."""
        end = len(s) if stop is None else stop
        for k in range(max(0, len(s) - self.longest), end):
            if s[k:] in self.prefixes:
                return k
        return None


def pending_start(
    text: str,
    n: Normalized,
    main: PrefixIndex,
    homo: PrefixIndex | None = None,
    syl: npt.NDArray[np.uint32] | None = None,
) -> int:
    """Original offset in ``text`` where its unfinished tail begins (``len(text)`` if none)."""
    k = main.first(n.text)
    if homo is not None and syl is not None and n.codes is not None:
        sc = n.syllables(syl).tobytes().decode("utf-32-le", "surrogatepass")
        h = homo.first(sc, k)
        k = h if h is not None else k
    return len(text) if k is None else original_start(n, k)


def original_start(n: Normalized, k: int) -> int:
    """Original offset of normalized position ``k`` (its first copy, when repeats collapsed)."""
    if n.identity:  # raw mode: normalized offsets are original ones
        return k
    end = len(n.text)
    runs = n.runs(k, end)
    return n.span(k, end, runs, runs[0] if runs else 1, 1)[0]
