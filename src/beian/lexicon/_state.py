"""The compiled state of a :class:`~beian.lexicon.Lexicon` and the stream screener's index over it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from beian.lexicon._compile import Compiled
from beian.lexicon._fold import FoldTable
from beian.lexicon._matcher import Matcher
from beian.lexicon._normalize import Normalized
from beian.lexicon._pending import PrefixIndex
from beian.lexicon._quiet import QuietFilter

__all__: list[str] = []  # private to the lexicon package


@dataclass(frozen=True)
class _State:
    ft: FoldTable
    main: Compiled
    ac: Matcher | None
    latin: Compiled
    lac: Matcher | None
    homo: Compiled | None
    hac: Matcher | None
    syl: npt.NDArray[np.uint32] | None
    raw: bool  # no normalization step: the matcher reads the text itself
    hlatin: Compiled  # mixed pinyin forms with homophones (syllable codes near letters)
    hlac: Matcher | None
    hgap: Compiled  # homophone forms broken up by separators (syllable codes near separators)
    hgac: Matcher | None
    # per main pattern: every variant of it needs a repeated character (唴唴 is the pattern 唴
    # twice): a match with no repeat collapsed in it is no hit, and is dropped unresolved
    main_repeats: npt.NDArray[np.bool_] | None = None
    latin_repeats: npt.NDArray[np.bool_] | None = None  # the same for the pinyin forms (yy: y)


@dataclass(frozen=True)
class _StreamIndex:
    """What stream screening needs beyond the matchers, built from one compiled state."""

    state: _State
    main: PrefixIndex
    homo: PrefixIndex | None
    allow: PrefixIndex
    quiet: QuietFilter
    leet: PrefixIndex | None  # pinyin forms read with letters for digits (None: leet off)
    leet_first: QuietFilter | None  # the characters that fold into their first characters
    hgap: PrefixIndex | None  # the separated homophone forms (syllable codes)
    hgap_hot: frozenset[str]  # characters that read as the first syllable of one


def _syllable_text(n: Normalized, st: _State) -> str | None:
    if st.syl is None or n.codes is None:
        return None
    return n.syllables(st.syl).tobytes().decode("utf-32-le", "surrogatepass")
