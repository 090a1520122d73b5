"""Vectorized text normalization with a map back to original offsets.

One pass of numpy over the code points: fold every character through the table, drop noise
(long noise runs become barriers, so ``max_gap`` bounds how far apart two keyword characters
may be), expand the rare multi-character folds, then collapse repeated characters. The result
keeps, for every normalized character, the original index it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from beian.lexicon._fold import BARRIER, EXPAND, NOISE, FoldTable

__all__ = ["Normalized", "normalize", "raw"]

_I = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Normalized:
    """Normalized text and the way back to original offsets.

    Before collapsing, the j-th kept (folded, non-noise) character came from original index
    ``src[j]``. Collapsing removed the kept positions listed in ``dups`` (each equal to the one
    before it); ``adj = dups - arange(len(dups))`` is sorted and lets a per-hit binary search find
    which kept characters a normalized character stands for. ``src is None`` means raw mode.
    """

    text: str
    codes: npt.NDArray[np.uint32] | None  # None in raw mode
    src: _I | None  # None: identity (raw mode)
    adj: _I | None  # None: nothing collapsed

    def _run(self, k: int) -> tuple[int, int]:
        """(first kept index, run length) of normalized character ``k``."""
        if self.adj is None:
            return k, 1
        before = int(np.searchsorted(self.adj, k, side="right"))
        extra = int(np.searchsorted(self.adj, k + 1, side="right")) - before
        return k + before, 1 + extra

    def first(self, k: int, take_last: int = 0) -> int:
        """Original index where normalized char ``k`` begins (or its last ``take_last`` copies)."""
        if self.src is None:
            return k
        rs, rl = self._run(k)
        return int(self.src[rs + (rl - take_last if take_last else 0)])

    def last(self, k: int, take_first: int = 0) -> int:
        """Original index (inclusive) where normalized char ``k`` ends (first ``take_first``)."""
        if self.src is None:
            return k
        rs, rl = self._run(k)
        return int(self.src[rs + (take_first if take_first else rl) - 1])

    def count(self, k: int) -> int:
        return self._run(k)[1]


def _barriers_for_long_noise(t: npt.NDArray[np.uint32], max_gap: int) -> npt.NDArray[np.uint32]:
    nz = np.flatnonzero(t == NOISE)
    if nz.size <= max_gap:
        return t
    brk = np.flatnonzero(np.diff(nz) != 1) + 1
    starts = np.concatenate(([0], brk))
    lens = np.diff(np.concatenate((starts, [nz.size])))
    long = starts[lens > max_gap]
    if long.size == 0:
        return t
    t = t.copy()
    t[nz[long]] = BARRIER
    return t


def _expand(v: npt.NDArray[np.uint32], pos: _I, ft: FoldTable) -> tuple[npt.NDArray[np.uint32], _I]:
    ex = np.flatnonzero(v >= EXPAND)
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


def raw(text: str) -> Normalized:
    """No normalization at all: the matcher runs on ``text`` itself."""
    return Normalized(text, None, None, None)


def normalize(
    text: str,
    ft: FoldTable,
    *,
    max_gap: int | None,
    collapse: bool,
) -> Normalized:
    """Normalize ``text`` with the fold table; ``max_gap=None`` skips noise runs of any length."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    t = ft.table[raw]
    if max_gap is not None and ft.flags.noise:
        t = _barriers_for_long_noise(t, max_gap)
    keep = t != NOISE
    pos = np.flatnonzero(keep)
    v = t[keep]
    if v.size and int(v.max()) >= EXPAND:
        v, pos = _expand(v, pos, ft)
    adj = None
    if collapse and v.size > 1:
        dups = np.flatnonzero(v[1:] == v[:-1]) + 1
        if dups.size:
            adj = dups - np.arange(dups.size)
            v = np.delete(v, dups)
    codes = np.ascontiguousarray(v, dtype="<u4")
    return Normalized(codes.tobytes().decode("utf-32-le"), codes, pos, adj)
