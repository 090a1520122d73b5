"""What stream screening needs beyond the matchers: the prefix indexes of the unfinished tail,
built once per compiled state, and where a separated homophone form may still start."""

from __future__ import annotations

from beian.lexicon._fold import INVISIBLE, NOISE
from beian.lexicon._pending import PrefixIndex
from beian.lexicon._quiet import QuietFilter
from beian.lexicon._state import _State, _StreamIndex

__all__ = ["build_stream_index", "gap_last", "gap_possible"]


def build_stream_index(st: _State, *, leet: bool) -> _StreamIndex:
    """The prefix indexes and first-character filters of ``st``'s forms (``leet``: the
    library reads digits and symbols as letters in pinyin)."""
    pats = [*st.main.patterns, *st.latin.patterns]
    main = PrefixIndex(pats)
    # homophone forms and the mixed forms with homophones, both in syllable codes
    hp = (st.homo.patterns if st.homo is not None else []) + (
        st.hlatin.patterns if st.hlac is not None else []
    )
    homo = PrefixIndex(hp) if hp else None
    allow = PrefixIndex(
        p
        for p, vs in zip(st.main.patterns, st.main.variants, strict=True)
        if any(v[0] < 0 for v in vs)
    )
    quiet = QuietFilter(
        st.ft,
        (pats, main),
        (hp, homo) if homo is not None else None,
        st.syl,
        st.raw,
    )
    leet_index = leet_first = None
    if leet and st.lac is not None and not st.raw:
        lp = [  # the forms a reading with letters is matched with
            p
            for p, vs in zip(st.latin.patterns, st.latin.variants, strict=True)
            if any(not (v[1] or "").startswith("initials") for v in vs)
        ]
        leet_index = PrefixIndex(lp)
        leet_first = QuietFilter(st.ft, (lp, leet_index), None, None, st.raw)
    # homophone forms broken up by separators: their own index and first characters
    gp = st.hgap.patterns if st.hgac is not None and st.syl is not None else []
    gap = PrefixIndex(gp) if gp else None
    gap_hot = (
        QuietFilter(st.ft, ([], PrefixIndex(())), (gp, gap), st.syl, st.raw).hot
        if gap is not None
        else frozenset()
    )
    return _StreamIndex(st, main, homo, allow, quiet, leet_index, leet_first, gap, gap_hot)


def gap_possible(st: _State, idx: _StreamIndex, text: str) -> bool:
    """Whether ``text`` may hold a homophone form broken up by separators: it has a separator
    and a character that reads as such a form's first syllable."""
    return (
        idx.hgap is not None
        and not st.ft.separator_set.isdisjoint(text)
        and not idx.hgap_hot.isdisjoint(text)
    )


def gap_last(st: _State, idx: _StreamIndex, text: str) -> int:
    """For a text without a separated homophone form inside (not :func:`gap_possible`): where
    one may still start — its last kept character (with its repeats), if that reads as such a
    form's first syllable; ``len(text)`` otherwise."""
    if idx.hgap is None:
        return len(text)
    codes = st.ft.codes
    i = len(text) - 1
    while i >= 0 and codes[text[i]] in (NOISE, INVISIBLE):
        i -= 1
    if i < 0 or text[i] not in idx.hgap_hot:
        return len(text)
    c, start = codes[text[i]], i
    for j in range(i - 1, -1, -1):
        v = codes[text[j]]
        if v == c:
            start = j
        elif v not in (NOISE, INVISIBLE):
            break
    return start
