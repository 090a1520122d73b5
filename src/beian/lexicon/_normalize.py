"""Vectorized text normalization with a map back to original offsets.

One pass of numpy over the code points: fold every character through the table, drop invisible
characters (format characters, combining marks: they never count towards a gap), drop noise
(long noise runs become barriers, so ``max_gap`` bounds how far apart two keyword characters
may be), expand the rare multi-character folds, then collapse repeated characters. The result
keeps, for every normalized character, the original index it came from.
"""

from __future__ import annotations

import bisect
import itertools
import re

import numpy as np
import numpy.typing as npt

from beian.lexicon._fold import BARRIER, EXPAND, INVISIBLE, NOISE, FoldTable

__all__ = ["Normalized", "normalize", "raw", "separated"]

_I = npt.NDArray[np.int64]

# A run of ASCII letters and digits (after folding and noise removal) written as pinyin with
# tone numbers: two or more syllables, each followed by its tone 1–5 (sha1zhu1pan2, du3 bo2).
_ALNUM_RUN = re.compile(r"[a-z0-9]+")
_TONED = re.compile(r"(?:[a-z]{1,6}[1-5]){2,}")
_TONED_UNIT = re.compile(r"([a-z]{1,6})([1-5])")
_TONE_CODES = frozenset(range(0x31, 0x36))


def _tone_digits(codes: list[int]) -> list[int]:
    """Indices of the tone numbers in ``codes`` (folded, noise removed): only in runs of ASCII
    letters and digits made entirely of two or more syllables each followed by a tone 1–5."""
    from beian.lexicon._readings import pinyin_syllables

    text = "".join(map(chr, codes)) if max(codes) < 0x110000 else ""
    syllables = pinyin_syllables()
    out: list[int] = []
    for run in _ALNUM_RUN.finditer(text):
        if not _TONED.fullmatch(run.group()):
            continue
        units = list(_TONED_UNIT.finditer(run.group()))
        if all(u.group(1) in syllables for u in units):
            out.extend(run.start() + u.start(2) for u in units)
    return out


def _tone_digits_near(v: npt.NDArray[np.uint32], digits: _I) -> list[int]:
    """:func:`_tone_digits` of ``v``, parsing only the runs of ASCII letters and digits that
    hold a digit 1–5 after a lowercase letter: one such run (mp3) in a long text made the
    whole text a Python string (10 MB: 30 -> 460 ms, k23q). ``digits``: as in
    :func:`_may_have_tones`."""
    if int(v.max()) >= 0x110000:  # as _tone_digits: no reading at all
        return []
    d = digits[((v[digits] - 0x31) < 5) & (digits > 0)]
    d = d[(v[d - 1] - 0x61) < 26]
    size, end = v.size, 0
    out: list[int] = []
    for k in d.tolist():
        if k < end:  # in the run just parsed
            continue
        a, b = k - 1, k + 1
        while a > 0 and _alnum(int(v[a - 1])):
            a -= 1
        while b < size and _alnum(int(v[b])):
            b += 1
        out.extend(a + i for i in _tone_digits(v[a:b].tolist()))
        end = b
    return out


def _alnum(c: int) -> bool:
    return 0x61 <= c <= 0x7A or 0x30 <= c <= 0x39  # as _ALNUM_RUN


def _may_have_tones(v: npt.NDArray[np.uint32], digits: _I) -> bool:
    """Whether some digit 1–5 follows a lowercase ASCII letter (cheap test before the parse);
    ``digits``: the positions of the ASCII digits in ``v``."""
    if v.size < 4:
        return False
    d = digits[((v[digits] - 0x31) < 5) & (digits > 0)]  # uint32: below '1' wraps around
    return bool(d.size) and bool(((v[d - 1] - 0x61) < 26).any())


def _drop_tones(
    v: npt.NDArray[np.uint32], pos: _I | _Kept, digits: _I
) -> tuple[npt.NDArray[np.uint32], _I | _Kept, _I]:
    """Tone numbers removed; the letter before each stands for it too (its offset becomes the
    number's), so a hit on the syllables ends after the tone and word boundaries hold.
    ``digits`` (the positions of the ASCII digits in ``v``) comes back updated."""
    if not _may_have_tones(v, digits):
        return v, pos, digits
    drop = _tone_digits_near(v, digits)
    if not drop:
        return v, pos, digits
    idx = np.array(drop, dtype=np.int64)
    pos = _offsets(pos).copy()
    pos[idx - 1] = pos[idx]
    v = np.delete(v, idx)
    return v, np.delete(pos, idx), _digits(v)


def _offsets(pos: _I | _Kept) -> _I:
    """``pos`` as an array (built, where only the dropped offsets were kept)."""
    return pos.array() if isinstance(pos, _Kept) else pos


def _digits(v: npt.NDArray[np.uint32]) -> _I:
    return np.flatnonzero((v - 0x30) < 10)  # uint32: codes below '0' wrap around


class _Kept:
    """Original offsets of the characters kept when exactly the sorted offsets ``dropped`` of a
    text of ``size`` characters were dropped, found on demand: the ``j``-th kept one is at
    ``j + bisect_right(skip, j)`` with ``skip = dropped - arange(len(dropped))`` (kept ones
    before each dropped one). Long texts need only a few (the matches' edges): building all
    of them, a 64-bit array eight times the text's characters, cost more than that."""

    __slots__ = ("_list", "dropped", "size", "skip")

    def __init__(self, dropped: _I, size: int) -> None:
        self.dropped = dropped
        self.size = size
        self.skip = dropped - np.arange(dropped.size)
        self._list: list[int] | None = None

    def __len__(self) -> int:
        return self.size - self.dropped.size

    def at(self, j: npt.NDArray[np.intp]) -> _I:
        return (j + np.searchsorted(self.skip, j, side="right")).astype(np.int64)

    def one(self, j: int) -> int:
        skip = self._list
        if skip is None:
            skip = self._list = self.skip.tolist()
        return j + bisect.bisect_right(skip, j)

    def array(self) -> _I:
        keep = np.ones(self.size, dtype=bool)
        keep[self.dropped] = False
        return np.flatnonzero(keep)


class Normalized:
    """Normalized text and the way back to original offsets.

    Before collapsing, the j-th kept (folded, non-noise) character came from original index
    ``src[j]``. Collapsing removed the kept positions listed in ``dups`` (each equal to the one
    before it); ``adj = dups - arange(len(dups))`` is sorted: normalized character ``k`` stands
    for ``1 + adj.count(k + 1)`` kept characters, preceded by ``bisect_right(adj, k)`` removed
    ones. ``identity`` (``src is None``) means raw mode (offsets are the identity). Long texts
    keep ``src`` as the dropped offsets (:class:`_Kept`) and build the array on first use.
    """

    __slots__ = (
        "_adj",
        "_adj_np",
        "_ascii",
        "_kept",
        "_src",
        "_syl",
        "_text",
        "codes",
        "dropped",
        "identity",
        "raw",
    )

    def __init__(
        self,
        text: str | None,
        codes: npt.NDArray[np.uint32] | None,
        src: _I | _Kept | None,
        adj: _I | None,
    ) -> None:
        self._text = text
        self.codes = codes
        self._src = src if not isinstance(src, _Kept) else None
        self._kept = src if isinstance(src, _Kept) else None
        self.identity = src is None  # raw mode
        self._adj: list[int] | None = adj.tolist() if adj is not None and adj.size else None
        self._adj_np = adj if adj is not None and adj.size else None
        self._syl: npt.NDArray[np.uint32] | None = None
        self._ascii: _I | None = None
        self.raw: npt.NDArray[np.uint32] | None = None  # the text's code points (long texts)
        # long texts where ``src`` is exactly the offsets not dropped as noise or invisible
        # (no character expanded or dropped otherwise): those dropped ones, sorted (else None)
        self.dropped: _I | None = self._kept.dropped if self._kept is not None else None

    @property
    def src(self) -> _I | None:
        """Original offset of each kept character (before collapsing); None in raw mode."""
        if self._src is None and self._kept is not None:
            self._src = self._kept.array()
        return self._src

    def kept_count(self) -> int:
        """How many characters were kept (before collapsing): the length of :attr:`src`."""
        if self._kept is not None:
            return len(self._kept)
        return 0 if self._src is None else len(self._src)

    def kept_origins(self, j: npt.NDArray[np.intp]) -> _I:
        """``src[j]`` (``j`` indexes the kept characters, before collapsing)."""
        if self._kept is not None:
            return self._kept.at(j)
        assert self._src is not None
        return np.asarray(self._src)[j].astype(np.int64)

    def kept_origin(self, j: int) -> int:
        """``src[j]`` of one kept character (negative ``j`` counts from the end)."""
        if self._kept is not None:
            return self._kept.one(j if j >= 0 else j + len(self._kept))
        assert self._src is not None
        return int(self._src.item(j))

    @property
    def text(self) -> str:
        """The normalized string (decoded on first use; the hyperscan path never needs it)."""
        if self._text is None:
            codes = self.codes if self.codes is not None else np.zeros(0, dtype="<u4")
            self._text = codes.tobytes().decode("utf-32-le", "surrogatepass")
        return self._text

    def ascii_at(self) -> _I:
        """Positions of the ASCII codes in :attr:`codes` (letters, digits, barriers), found
        once: the letter and digit scans of the pinyin windows and of ``leet`` share them."""
        if self._ascii is None:
            codes = self.codes if self.codes is not None else np.zeros(0, dtype="<u4")
            self._ascii = np.flatnonzero(codes < 0x80)
        return self._ascii

    def letters_at(self) -> _I:
        """Positions of the ASCII letters in :attr:`codes`."""
        at = self.ascii_at()
        assert self.codes is not None
        return at[((self.codes[at] | 32) - 97) < 26]  # uint32: codes below 'a' wrap around

    def digits_at(self) -> _I:
        """Positions of the ASCII digits in :attr:`codes`."""
        at = self.ascii_at()
        assert self.codes is not None
        return at[(self.codes[at] - 0x30) < 10]  # uint32: codes below '0' wrap around

    def syllables(self, table: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        """Each normalized character's syllable code (homophone matching), computed once."""
        if self._syl is None:
            codes = self.codes if self.codes is not None else np.zeros(0, dtype="<u4")
            self._syl = np.ascontiguousarray(table[codes], dtype="<u4")
        return self._syl

    def origins(self, idx: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        """Original offsets of normalized characters ``idx`` (their first copy, when repeats
        collapsed; ``src`` itself is indexed before collapsing)."""
        if self.identity:
            return idx.astype(np.int64)
        if self._adj_np is not None:
            idx = idx + np.searchsorted(self._adj_np, idx, side="right")
        return self.kept_origins(idx)

    def origin(self, k: int) -> int:
        """:meth:`origins` of one normalized character."""
        if self.identity:
            return k
        adj = self._adj
        return self.kept_origin(k if adj is None else k + bisect.bisect_right(adj, k))

    def runs(self, s: int, e: int) -> list[int] | None:
        """Kept characters per normalized character in ``[s, e)``; ``None`` when all are 1."""
        adj = self._adj
        if adj is None:
            return None
        lo, hi = bisect.bisect_left(adj, s + 1), bisect.bisect_right(adj, e)
        if lo == hi:
            return None
        out = [1] * (e - s)
        for v in adj[lo:hi]:
            out[v - 1 - s] += 1
        return out

    def span(self, s: int, e: int, runs: list[int] | None, head: int, tail: int) -> tuple[int, int]:
        """Original ``[start, end)`` of normalized ``[s, e)``: the last ``head`` copies of the
        first character through the first ``tail`` copies of the last one."""
        if self.identity:
            return s, e
        at = self.kept_origin
        adj = self._adj
        if adj is None:
            return at(s), at(e - 1) + 1
        first_len = runs[0] if runs else 1
        ks = s + bisect.bisect_right(adj, s) + first_len - head
        ke = e - 1 + bisect.bisect_right(adj, e - 1) + tail - 1
        return at(ks), at(ke) + 1


def _long_noise_starts(t: npt.NDArray[np.uint32], dz: _I, invisible: bool, max_gap: int) -> _I:
    """Original offsets of the noise characters that start a run of more than ``max_gap`` of
    them (they become barriers). ``dz``: the sorted offsets of the noise and invisible
    characters (``t`` is NOISE or INVISIBLE there). Invisible characters never count and never
    break a run: a run is a stretch of consecutive dropped characters, counted by its noise."""
    new = np.ones(dz.size, dtype=bool)
    new[1:] = np.diff(dz) != 1
    if not invisible:
        starts = np.flatnonzero(new)
        lens = np.diff(np.append(starts, dz.size))
        return dz[starts[lens > max_gap]]
    noise = np.flatnonzero(t[dz] == NOISE)
    if noise.size <= max_gap:
        return noise[:0]
    run = (np.cumsum(new) - 1)[noise]  # the stretch of each noise character
    first = np.ones(run.size, dtype=bool)
    first[1:] = run[1:] != run[:-1]
    starts = np.flatnonzero(first)
    lens = np.diff(np.append(starts, run.size))
    return dz[noise[starts[lens > max_gap]]]


def _expand(v: npt.NDArray[np.uint32], pos: _I, ft: FoldTable) -> tuple[npt.NDArray[np.uint32], _I]:
    ex = (v >= EXPAND).nonzero()[0]
    parts = [ft.expansions[int(x) - EXPAND] for x in v[ex]]
    lens = np.ones(v.size, dtype=np.int64)
    lens[ex] = [len(p) for p in parts]
    src = np.repeat(pos, lens)
    out = np.repeat(v, lens)
    offs = np.concatenate(([0], np.cumsum(lens)[:-1]))
    for i, p in zip(ex.tolist(), parts, strict=True):
        o = int(offs[i])
        out[o : o + len(p)] = [ord(c) for c in p]
    return out, src


def _cjk_code(c: int) -> bool:
    return 0x3400 <= c < 0xA000 or 0x20000 <= c < 0x40000


def _cjk_codes(v: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    return ((v - 0x3400) < 0x6C00) | ((v - 0x20000) < 0x20000)  # uint32: below wraps around


def _drop_number_marks(
    v: npt.NDArray[np.uint32],
    pos: _I | _Kept,
    raw: npt.NDArray[np.uint32],
    ft: FoldTable,
    digits: _I,
) -> tuple[npt.NDArray[np.uint32], _I | _Kept]:
    """A number style (① ⑴ ⒈ ❶) between two Chinese characters is a separator (开①房①记录):
    dropped like noise. Digits and numerals (一) stay. ``digits``: the positions of the ASCII
    digits in ``v``."""
    d = digits[(digits > 0) & (digits < v.size - 1)]
    if not d.size:
        return v, pos
    d = d[np.isin(raw[pos.at(d) if isinstance(pos, _Kept) else pos[d]], ft.number_marks)]
    if not d.size:
        return v, pos
    d = d[_cjk_codes(v[d - 1]) & _cjk_codes(v[d + 1])]
    if not d.size:
        return v, pos
    return np.delete(v, d), np.delete(_offsets(pos), d)


def _joins_lines(ft: FoldTable) -> bool:
    f = ft.flags
    return f.join_lines and f.noise and not f.cross_lines


def _join_lines(t: npt.NDArray[np.uint32], raw: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """A single line feed right between two Chinese characters (整死⏎你, a keyword broken over
    two lines) is noise, not a barrier; so is one after a Chinese character at the end of the
    text (the next chunk of a stream may go on with one), and so is a carriage return there (a
    chunk may end between the CR and the LF of a CR LF). A blank line still breaks. Changes
    ``t`` in place and returns it."""
    n = raw.size
    if n > 1 and raw[-1] == 13 and t[-1] == BARRIER and _cjk_code(int(t[-2])):
        t[-1] = NOISE
    nl = np.flatnonzero(raw == 10)
    if not nl.size:
        return t
    nl = nl[t[nl] == BARRIER]
    left = nl - 1
    left[(nl > 0) & (raw[left] == 13)] -= 1  # CR LF: one line break (raw[-1] masked off)
    ok = left >= 0
    nl, left = nl[ok], left[ok]
    ok = _cjk_codes(t[left])
    nl, left = nl[ok], left[ok]
    if not nl.size:
        return t
    after = np.minimum(nl + 1, n - 1)
    ok = (nl + 1 == n) | _cjk_codes(t[after])
    nl, left = nl[ok], left[ok]
    if not nl.size:
        return t
    t[nl] = NOISE
    t[left + 1] = NOISE  # the CR of a CR LF (else the line feed again)
    return t


def _join_lines_short(t: list[int], text: str) -> None:
    """:func:`_join_lines` on a short text's codes ``t``, in place."""
    last = len(t) - 1
    if last > 0 and text[-1] == "\r" and t[-1] == BARRIER and _cjk_code(t[-2]):
        t[-1] = NOISE  # a chunk cut inside a CR LF
    for i, ch in enumerate(text):
        if ch != "\n" or t[i] != BARRIER:
            continue
        k = i - 2 if i > 0 and text[i - 1] == "\r" else i - 1
        if k >= 0 and _cjk_code(t[k]) and (i == last or _cjk_code(t[i + 1])):
            t[k + 1 : i + 1] = [NOISE] * (i - k)


def raw(text: str) -> Normalized:
    """No normalization at all: the matcher runs on ``text`` itself."""
    return Normalized(text, None, None, None)


# Up to this many characters a plain Python loop beats a dozen numpy calls (a stream screener
# scans a few dozen characters per chunk); both give identical results (differential test).
SHORT = 48


def _normalize_short(text: str, ft: FoldTable, max_gap: int | None, collapse: bool) -> Normalized:
    """:func:`normalize` for a short text, one character at a time."""
    t = list(map(ft.codes.__getitem__, text))
    if ("\n" in text or text[-1:] == "\r") and _joins_lines(ft):
        _join_lines_short(t, text)
    seen: list[int] | None = None  # original index of each character in t
    if INVISIBLE in t:
        seen = [i for i, x in enumerate(t) if x != INVISIBLE]
        t = [t[i] for i in seen]
    if NOISE not in t:
        pos, v = list(range(len(t))), t
    else:
        if max_gap is not None and ft.flags.noise and t.count(NOISE) > max_gap:
            i, n = 0, len(t)
            while i < n:  # a run of more than max_gap noise characters starts with a barrier
                if t[i] == NOISE:
                    j = i + 1
                    while j < n and t[j] == NOISE:
                        j += 1
                    if j - i > max_gap:
                        t[i] = BARRIER
                    i = j
                else:
                    i += 1
        pos = [i for i, x in enumerate(t) if x != NOISE]
        v = [t[i] for i in pos]
    if seen is not None:
        pos = [seen[i] for i in pos]
    if v and max(v) >= EXPAND:
        ev: list[int] = []
        epos: list[int] = []
        for x, p in zip(v, pos, strict=True):
            if x >= EXPAND:
                part = [ord(c) for c in ft.expansions[x - EXPAND]]
                ev.extend(part)
                epos.extend([p] * len(part))
            else:
                ev.append(x)
                epos.append(p)
        v, pos = ev, epos
    if (
        ft.flags.nfkc
        and len(v) >= 4
        and not _TONE_CODES.isdisjoint(v)
        and any(0x31 <= b <= 0x35 and 0x61 <= a <= 0x7A for a, b in itertools.pairwise(v))
    ):
        drop = _tone_digits(v)
        if drop:
            for k in drop:
                pos[k - 1] = pos[k]
            gone = set(drop)
            v = [x for k, x in enumerate(v) if k not in gone]
            pos = [p for k, p in enumerate(pos) if k not in gone]
    if ft.flags.numbers and ft.flags.noise and len(v) > 2:
        marks = ft.number_mark_set
        sep = [
            k
            for k in range(1, len(v) - 1)
            if 0x30 <= v[k] <= 0x39
            and text[pos[k]] in marks
            and _cjk_code(v[k - 1])
            and _cjk_code(v[k + 1])
        ]
        if sep:
            gone = set(sep)
            v = [x for k, x in enumerate(v) if k not in gone]
            pos = [p for k, p in enumerate(pos) if k not in gone]
    adj = None
    if collapse and len(v) > 1:
        dups = [k for k in range(1, len(v)) if v[k] == v[k - 1]]
        if dups:
            adj = np.array([d - j for j, d in enumerate(dups)], dtype=np.int64)
            gone = set(dups)
            v = [x for k, x in enumerate(v) if k not in gone]
    return Normalized(None, np.array(v, dtype="<u4"), np.array(pos, dtype=np.int64), adj)


def normalize(
    text: str,
    ft: FoldTable,
    *,
    max_gap: int | None,
    collapse: bool,
) -> Normalized:
    """Normalize ``text`` with the fold table; ``max_gap=None`` skips noise runs of any length."""
    if len(text) <= SHORT:
        return _normalize_short(text, ft, max_gap, collapse)
    return _normalize_long(text, ft, max_gap, collapse)


def _normalize_long(text: str, ft: FoldTable, max_gap: int | None, collapse: bool) -> Normalized:
    """:func:`normalize` with numpy over all characters at once."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    t = np.take(ft.table, raw)  # a new array: the steps below change it in place
    if _joins_lines(ft):
        t = _join_lines(t, raw)
    pos: _I | _Kept
    if ft.flags.noise:
        # noise and invisible characters in one pass, in original offsets (no second index)
        drop = t == NOISE
        invisible = t == INVISIBLE
        has_invisible = bool(invisible.any())
        if has_invisible:
            drop |= invisible
        dropped = np.flatnonzero(drop)
        if max_gap is not None and dropped.size > max_gap:
            bar = _long_noise_starts(t, dropped, has_invisible, max_gap)
            if bar.size:
                t[bar] = BARRIER
                drop[bar] = False
                dropped = dropped[~np.isin(dropped, bar, assume_unique=True)]
        # the kept offsets only on demand (``_Kept``): a whole array of them cost more (k23q)
        pos = _Kept(dropped, t.size)
        v = t[np.logical_not(drop, out=drop)] if dropped.size else t
    else:
        keep = t != NOISE
        pos = keep.nonzero()[0]
        v = t[keep]
    if v.size and int(v.max()) >= EXPAND:
        v, pos = _expand(v, _offsets(pos), ft)
    marks = ft.flags.numbers and ft.flags.noise
    asc: _I | None = None  # the ASCII positions of v (Normalized.ascii_at once collapsed)
    if ft.flags.nfkc or (marks and v.size > 2):
        asc = np.flatnonzero(v < 0x80)
        digits = asc[(v[asc] - 0x30) < 10]  # uint32: codes below '0' wrap around
        size = v.size
        if ft.flags.nfkc:
            v, pos, digits = _drop_tones(v, pos, digits)
        if marks and v.size > 2:
            v, pos = _drop_number_marks(v, pos, raw, ft, digits)
        if v.size != size:  # a tone number or number style was dropped
            asc = None
    adj = None
    if collapse and v.size > 1:
        same = v[1:] == v[:-1]
        dups = same.nonzero()[0] + 1
        if dups.size:
            adj = dups - np.arange(dups.size)
            v = _without(v, dups, same)
            if asc is not None:  # kept ones, less the repeats collapsed before each
                before = np.searchsorted(dups, asc)
                asc = (asc - before)[dups[np.minimum(before, dups.size - 1)] != asc]
    out = Normalized(None, np.ascontiguousarray(v, dtype="<u4"), pos, adj)
    out._ascii = asc
    out.raw = raw
    return out


def _without(
    v: npt.NDArray[np.uint32], dups: _I, same: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint32]:
    """``v`` less the positions ``dups`` (sorted; ``same[k - 1]`` is True exactly at them). A
    few (repeats in running text) cost less as copies of the stretches between them than as a
    mask over the whole array."""
    if dups.size > v.size >> 10:
        first = np.empty(v.size, dtype=bool)
        first[0] = True
        np.logical_not(same, out=first[1:])
        return v[first]
    out = np.empty(v.size - dups.size, dtype=v.dtype)
    a = o = 0
    for d in dups.tolist():
        out[o : o + d - a] = v[a:d]
        o += d - a
        a = d + 1
    out[o:] = v[a:]
    return out


def separated(
    n: Normalized, text: str, seps: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.uint32]]:
    """Normalized positions right after a gap that ends in a separator (``seps[cp]``, see
    :attr:`~beian.lexicon._fold.FoldTable.separators`), and that separator: a form that needs
    a separator at each of its places covers them. Sorted; may hold a few more (collapsed
    repeats)."""
    if n.identity or n.codes is None or n.kept_count() < 2:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.uint32)
    raw = n.raw
    if raw is None:
        raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if n.dropped is not None:
        j = _after_separators(raw, n.dropped, seps)
    else:
        j = np.flatnonzero(np.diff(np.asarray(n.src)) > 1) + 1  # kept ones after dropped ones
    before = raw[n.kept_origins(j) - 1]  # the character before each: a separator?
    keep = seps[before]
    j, before = j[keep], before[keep]
    adj = n._adj_np
    if not j.size or adj is None:
        return j, before
    dups = adj + np.arange(len(adj))  # collapsed positions, before collapsing
    return j - np.searchsorted(dups, j, side="right"), before


def _after_separators(raw: npt.NDArray[np.uint32], dropped: _I, seps: npt.NDArray[np.bool_]) -> _I:
    """The kept characters ``j`` right after a dropped separator, where ``src`` holds exactly
    the offsets not in ``dropped`` (sorted): found from the dropped separators instead of
    ``np.diff`` over the whole text. The kept character at offset ``q`` is the ``q - d``-th,
    ``d`` the dropped ones before it. The caller keeps those whose character before is a
    separator, as with ``np.diff``: every ``j`` found here has one."""
    q = dropped[seps[raw[dropped]]] + 1
    if not q.size:
        return q
    at = np.searchsorted(dropped, q)  # dropped offsets before q
    ok = (q < raw.size) & (q - at > 0)  # a character after the separator, not the first kept
    ok[ok] = dropped[np.minimum(at[ok], dropped.size - 1)] != q[ok]  # ... and it is kept
    return q[ok] - at[ok]
