"""Digits and symbols written for letters inside pinyin (k@nr3n for kanren, 2h1k35hu1).

A run of Latin letters, digits and ``@ $`` (tokens joined by single separators count as one
run: ``9a1-ch3n9-ji``, ``zh@.che.zh@n``; across a space only tokens that both hold a digit or
symbol: ``y@ d@ xi@o``) with at least two letters and one digit or symbol among them is read a second time with each digit or symbol replaced by the letter it imitates
(0 o, 1 i, 2 z, 3 e, 4 a, 5 s, 6 b, 7 t, 8 b, 9 g, @ a, $ s), and only the pinyin forms are
matched on that reading (never the bare initials: b2b is not 不知不). The replacement is one
character for one, so offsets carry over unchanged.

Detection has two versions that must agree where it matters: :func:`leet_runs` finds the runs
of a scanned text from seeds the normalized codes give cheaply (a digit next to a letter, an
``@`` or ``$`` in the text); :func:`leet_possible` is the plain test a stream screener runs
before its fast path, true whenever :func:`leet_runs` could find a run.
"""

from __future__ import annotations

import numpy as np

from beian.lexicon._fold import FoldTable
from beian.lexicon._normalize import Normalized

__all__ = ["LEET", "leet_possible", "leet_runs", "open_runs", "unleet"]

LEET = {
    "0": "o",
    "1": "i",
    "2": "z",
    "3": "e",
    "4": "a",
    "5": "s",
    "6": "b",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
}
# full-width forms read the same
LEET.update({chr(ord(k) + 0xFEE0): v for k, v in list(LEET.items())})
_TRANS = str.maketrans(LEET)
_CHARS = frozenset(LEET)
_SYMBOLS = "@$\uff20\uff04"
_SYMBOL_CODES = np.array([ord(c) for c in _SYMBOLS], dtype=np.uint32)
_LO, _HI = 0x61, 0x7A
# single separators a run of pinyin in digits and symbols may be broken by (d@-yan)
_JOINERS = frozenset("-._· ")


def _letter(ft: FoldTable, ch: str) -> bool:
    v = ft.codes[ch]
    return _LO <= v <= _HI


def _token(text: str, a: int, b: int, ft: FoldTable) -> tuple[int, int]:
    """The maximal run of letters, digits and symbols that holds ``text[a:b]``."""
    while a > 0 and (text[a - 1] in LEET or _letter(ft, text[a - 1])):
        a -= 1
    while b < len(text) and (text[b] in LEET or _letter(ft, text[b])):
        b += 1
    return a, b


def _joins(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """Whether two tokens one separator apart read as one run: across - . _ · always
    (9a1-ch3n9-ji, zh@.che.zh@n), across a space where both hold a digit or symbol (y@ d@)."""
    sep = text[left[1]]
    if sep == " ":
        return not _CHARS.isdisjoint(text[left[0] : left[1]]) and not _CHARS.isdisjoint(
            text[right[0] : right[1]]
        )
    return True


def _run_at(text: str, p: int, ft: FoldTable) -> tuple[int, int]:
    """The run of letters, digits and symbols around ``text[p]``: one token, or tokens joined
    by single separators (m1e-n1-qu@n-j1a, fe1.f@.x1n9.yi, y@ d@ xi@o)."""
    a, b = _token(text, p, p + 1, ft)
    first, last = (a, b), (a, b)
    while a >= 2 and text[a - 1] in _JOINERS and (text[a - 2] in LEET or _letter(ft, text[a - 2])):
        prev = _token(text, a - 2, a - 1, ft)
        if not _joins(text, prev, first):
            break
        a, first = prev[0], prev
    while (
        b + 1 < len(text)
        and text[b] in _JOINERS
        and (text[b + 1] in LEET or _letter(ft, text[b + 1]))
    ):
        nxt = _token(text, b + 1, b + 2, ft)
        if not _joins(text, last, nxt):
            break
        b, last = nxt[1], nxt
    return a, b


def _qualifies(run: str, ft: FoldTable) -> bool:
    return sum(_letter(ft, c) for c in run) >= 2 and any(c in LEET for c in run)


def leet_possible(text: str, ft: FoldTable) -> bool:
    """Whether ``text`` has a digit or symbol beside a letter, or one separator from one (a
    superset of :func:`leet_runs`)."""
    if _CHARS.isdisjoint(text):
        return False
    n = len(text)
    for i, c in enumerate(text):
        if c not in LEET:
            continue
        for j, k in ((i - 1, i - 2), (i + 1, i + 2)):
            if 0 <= j < n and (
                _letter(ft, text[j])
                or (text[j] in _JOINERS and 0 <= k < n and _letter(ft, text[k]))
            ):
                return True
    return False


def open_runs(text: str, ft: FoldTable, lo: int) -> list[tuple[int, int]]:
    """The runs a stream screener must still read with letters, for text to come: those with
    a digit or symbol that touch ``text[lo:]`` and qualify, and the run at the very end of
    ``text`` even when it does not qualify yet (``2`` may become 2h1k35hu1, ``k@`` k@nr3n)."""
    out: list[tuple[int, int]] = []
    end = len(text)
    for p in range(max(0, lo), end):
        if text[p] not in _CHARS or (out and p < out[-1][1]):
            continue
        a, b = _run_at(text, p, ft)
        if b == end or _qualifies(text[a:b], ft):
            out.append((a, b))
    return out


def _symbol_seeds(text: str, n: Normalized) -> list[int]:
    """Where ``@ $`` stand in ``text``: beside a letter only, found from the letters' original
    neighbours when the text's code points are at hand (long texts), else by searching."""
    raw, codes = n.raw, n.codes
    if raw is None or codes is None:
        out = []
        for s in _SYMBOLS:
            i = text.find(s)
            while i >= 0:
                out.append(i)
                i = text.find(s, i + 1)
        return out
    at = n.origins(n.letters_at())
    if not at.size:
        return []
    near = np.concatenate((at[at > 0] - 1, at[at < raw.size - 1] + 1))
    found: list[int] = near[np.isin(raw[near], _SYMBOL_CODES)].tolist()
    return found


def leet_runs(text: str, ft: FoldTable, n: Normalized) -> list[tuple[int, int]]:
    """The runs ``[start, end)`` of ``text`` (normalized as ``n``) to read again with letters
    for digits and symbols."""
    codes = n.codes
    if codes is None or n.identity or not codes.size:
        return []
    seeds = _symbol_seeds(text, n)
    if codes.size > 1:
        d = n.digits_at()
        if d.size:  # digits next to a letter (only their neighbours are looked at)
            last = codes.size - 1
            before = ((codes[np.maximum(d - 1, 0)] - _LO) < 26) & (d > 0)
            after = ((codes[np.minimum(d + 1, last)] - _LO) < 26) & (d < last)
            seeds.extend(n.origins(d[before | after]).tolist())
    if not seeds:
        return []
    out: list[tuple[int, int]] = []
    for p in sorted(set(seeds)):
        if out and p < out[-1][1]:
            continue
        if text[p] not in LEET:
            continue
        a, b = _run_at(text, p, ft)
        if _qualifies(text[a:b], ft):
            out.append((a, b))
    return out


def unleet(run: str) -> str:
    """``run`` with letters for its digits and symbols (same length)."""
    return run.translate(_TRANS)
