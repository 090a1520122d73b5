"""What stream screening needs beyond the matchers: the prefix indexes of the unfinished tail,
built once per compiled state, where a separated homophone form may still start, and where the
unfinished tail begins (also under the readings text to come can still change: a number style
at the end, digits and symbols read as letters)."""

from __future__ import annotations

from collections.abc import Callable

from beian.lexicon._fold import INVISIBLE, NOISE
from beian.lexicon._leet import LEET, leet_possible, open_runs, unleet
from beian.lexicon._normalize import Normalized
from beian.lexicon._pending import PrefixIndex, original_start, pending_start
from beian.lexicon._quiet import QuietFilter
from beian.lexicon._readings import _is_cjk
from beian.lexicon._state import _State, _StreamIndex, _syllable_text

__all__ = [
    "build_stream_index",
    "gap_last",
    "gap_possible",
    "leet_digits",
    "leet_tail",
    "tail_start",
]


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


def tail_start(
    st: _State,
    idx: _StreamIndex,
    text: str,
    n: Normalized,
    norm: Callable[[str], Normalized],
    span: int,
    possible: bool | None = None,
) -> int:
    """Where the unfinished tail of ``text`` begins (see ``Lexicon.scan_stream``), also under
    the readings that text to come can still change: a number style at the end (开①) is
    a separator once a Chinese character follows, and digits and symbols in a run of
    letters (k@nr3, or a lone 2 at the end) are letters once the run qualifies. ``norm``
    normalizes a text as the library does; ``span`` is the library's ``max_span``."""
    k = pending_start(text, n, idx.main, idx.homo, st.syl)
    if st.raw:
        return k
    if idx.hgap is not None:  # homophone forms broken up by separators
        if gap_possible(st, idx, text):
            sc = _syllable_text(n, st)
            h = idx.hgap.first(sc) if sc is not None else None
            if h is not None:
                k = min(k, original_start(n, h))
        else:  # none inside the text: only its last character may start one
            k = min(k, gap_last(st, idx, text))
    ft = st.ft
    codes = n.codes
    if (
        ft.flags.numbers
        and ft.flags.noise
        and codes is not None
        and not n.identity
        and codes.size > 1
        and 0x30 <= int(codes[-1]) <= 0x39
        and text[n.kept_origin(-1)] in ft.number_mark_set
        and _is_cjk(chr(int(codes[-2])))
    ):  # read without the mark: what the text says if the next character is Chinese
        cut = n.text[:-1]
        j = idx.main.first(cut)
        sc = _syllable_text(n, st) if idx.homo is not None else None
        if idx.homo is not None and sc is not None:
            h = idx.homo.first(sc[:-1], j)
            j = h if h is not None else j
        if j is not None:
            k = min(k, original_start(n, j))
    if idx.leet is None:
        return k
    if possible is None:
        possible = leet_possible(text, ft)
    if possible:
        return min(k, leet_tail(st, idx.leet, text, norm, span))
    if text[-1] in LEET:  # only the digits or symbols at the end (no letter beside any)
        return min(k, leet_digits(st, idx, text, norm, span))
    return k


def leet_digits(
    st: _State, idx: _StreamIndex, text: str, norm: Callable[[str], Normalized], span: int
) -> int:
    """:func:`leet_tail` for a text that ends in digits or symbols with no letter beside
    any digit or symbol of it: only that run, read with letters, and what stands before
    it can start a pinyin form. When nothing before it folds into a form's first
    character (the usual case), the run alone is normalized, not the text."""
    index, first = idx.leet, idx.leet_first
    assert index is not None and first is not None
    a = len(text)
    while a > 0 and text[a - 1] in LEET:
        a -= 1
    if not first.quiet_raw(text[:a]):
        return leet_tail(st, index, text, norm, span)
    m = norm(unleet(text[a:]))
    j = index.first(m.text)
    return len(text) if j is None else a + original_start(m, j)


def leet_tail(
    st: _State, index: PrefixIndex, text: str, norm: Callable[[str], Normalized], span: int
) -> int:
    """The earliest start of an ending that is a pinyin form's prefix once the runs of
    digits, symbols and letters near the end are read with letters (``len(text)`` if
    none)."""
    runs = open_runs(text, st.ft, len(text) - span)
    if not runs:
        return len(text)
    wa = max(0, runs[0][0] - span)
    parts, pos = [], wa
    for a, b in runs:
        parts += [text[pos:a], unleet(text[a:b])]
        pos = b
    parts.append(text[pos:])
    reading = "".join(parts)
    m = norm(reading)
    j = index.first(m.text)
    return len(text) if j is None else wa + original_start(m, j)
