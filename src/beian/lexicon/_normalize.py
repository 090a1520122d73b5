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

__all__ = ["Normalized", "normalize"]

_I = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Normalized:
    """Normalized text: ``text[k]`` stands for the run ``src[run_start[k]: run_start[k] + run_len[k]]``.

    ``src[j]`` is the original index of the j-th kept (folded, non-noise) character.
    ``run_start`` / ``run_len`` are ``None`` when no repeated characters were collapsed.
    """

    text: str
    codes: npt.NDArray[np.uint32]
    src: _I
    run_start: _I | None
    run_len: _I | None

    def first(self, k: int, take_last: int = 0) -> int:
        """Original index where the normalized char ``k`` begins (its last ``take_last`` copies)."""
        if self.run_start is None:
            return int(self.src[k])
        rs, rl = int(self.run_start[k]), int(self.run_len[k])  # type: ignore[index]
        return int(self.src[rs + (rl - take_last if take_last else 0)])

    def last(self, k: int, take_first: int = 0) -> int:
        """Original index (inclusive) where normalized char ``k`` ends (first ``take_first`` copies)."""
        if self.run_start is None:
            return int(self.src[k])
        rs, rl = int(self.run_start[k]), int(self.run_len[k])  # type: ignore[index]
        return int(self.src[rs + (take_first if take_first else rl) - 1])

    def count(self, k: int) -> int:
        return 1 if self.run_len is None else int(self.run_len[k])


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
    pos = np.flatnonzero(t != NOISE)
    v = t[pos]
    if v.size and int(v.max()) >= EXPAND:
        v, pos = _expand(v, pos, ft)
    run_start = run_len = None
    if collapse and v.size > 1:
        neq = v[1:] != v[:-1]
        if not neq.all():
            run_start = np.flatnonzero(np.concatenate(([True], neq)))
            run_len = np.diff(np.concatenate((run_start, [v.size])))
            v = v[run_start]
    codes = np.ascontiguousarray(v, dtype="<u4")
    return Normalized(codes.tobytes().decode("utf-32-le"), codes, pos, run_start, run_len)
