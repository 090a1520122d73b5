"""The tagger's features as integer rows, computed with numpy from the text's code points.

:class:`FastIds` gives, for every character, the rows of its features in the model's weight
table without building any feature key: each base column (:data:`~._tagger_features.WIDTH`)
is a small integer per character, read from a table over the Basic Multilingual Plane (the
character, its class, its given-name score and one-character surname bucket) or from sorted
code tables of character pairs (compound surnames, common words, given-name pairs); the values
a template joins become one integer (mixed radix), all templates at once; one hash table of
every template's codes gives the rows. The rows are those of building each key of
:class:`~._tagger_features.Featurizer` and looking it up in the vocabulary (a test checks it).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from beian.pii._names import name_tables
from beian.pii._tagger_features import (
    BIAS,
    CUE_CLASS,
    TEMPLATES,
    TYPE_TAGS,
    WIDTH,
    Part,
    bucket,
    char_class,
    pad_of,
    surname_bucket,
)

__all__ = ["FastIds"]

IntArray = npt.NDArray[np.int64]

_REACH = 3  # the largest offset a template reads
_STRIDE = 1 << 40  # template t's codes are t * _STRIDE + its own code (one table for all)
_BMP = 1 << 16
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing


def _pair_codes(words: Iterable[str]) -> IntArray:
    """Sorted codes ``first << 21 | second`` of the two-character strings."""
    codes = sorted({ord(w[0]) << 21 | ord(w[1]) for w in words if len(w) == 2})
    return np.array(codes, dtype=np.int64)


def _alphabets(
    vocab: dict[str, int],
) -> tuple[dict[str, dict[str, int]], list[tuple[int, list[str], int]]]:
    """Each column's value ids (the pads first) and each feature's template, values and row."""
    alpha: dict[str, dict[str, int]] = {c: {} for c in WIDTH}
    for c, d in alpha.items():
        d[pad_of(c, -1)] = 0
        d.setdefault(pad_of(c, 1), len(d))
    index = {name: t for t, (name, _) in enumerate(TEMPLATES)}
    parsed: list[tuple[int, list[str], int]] = []
    for key, row in vocab.items():
        name, _, rest = key.partition(" ")
        t = index.get(name)
        if t is None or row == 0:
            continue
        values, at = [], 0
        for col, _k in TEMPLATES[t][1]:
            values.append(rest[at : at + WIDTH[col]])
            alpha[col].setdefault(values[-1], len(alpha[col]))
            at += WIDTH[col]
        parsed.append((t, values, row))
    return alpha, parsed


class _Hash:
    """A table of int64 keys: each key in its hash slot when it is the first there (in key
    order), the others in a small sorted overflow array; a lookup is one gather and one binary
    search of the overflow (a probing loop cost more in numpy calls than it saved)."""

    def __init__(self, keys: IntArray, rows: IntArray) -> None:
        bits = max(4, int(3 * max(len(keys), 1)).bit_length())  # load at most 1/3
        self.shift = np.uint64(64 - bits)
        self.keys = np.full(1 << bits, -1, dtype=np.int64)
        self.rows = np.zeros(1 << bits, dtype=np.int64)
        slot = self._home(keys)
        _, first = np.unique(slot, return_index=True)
        self.keys[slot[first]] = keys[first]
        self.rows[slot[first]] = rows[first]
        rest = np.ones(len(keys), dtype=bool)
        rest[first] = False
        order = np.argsort(keys[rest], kind="stable")
        self.over_keys, self.over_rows = keys[rest][order], rows[rest][order]

    def _home(self, keys: IntArray) -> IntArray:
        h = (keys.astype(np.uint64) * _MIX) >> self.shift
        return h.astype(np.int64)

    def get(self, keys: IntArray) -> IntArray:
        """The row of each key (0 where absent)."""
        slot = self._home(keys)
        hit = self.keys[slot] == keys
        out = np.where(hit, self.rows[slot], 0)
        if len(self.over_keys):
            miss = np.flatnonzero(~hit)
            q = keys[miss]
            pos = np.minimum(np.searchsorted(self.over_keys, q), len(self.over_keys) - 1)
            found = self.over_keys[pos] == q
            out[miss[found]] = self.over_rows[pos[found]]
        return out


class FastIds:
    """The rows of the features of every character of a text (see the module's docstring)."""

    def __init__(self, vocab: dict[str, int]) -> None:
        alpha, parsed = _alphabets(vocab)
        self.alpha = alpha
        self.bias = vocab.get(BIAS, 0)
        self._tables(alpha)
        size = {c: len(d) for c, d in alpha.items()}
        self.parts: list[Part] = sorted({p for _, parts in TEMPLATES for p in parts})
        where = {p: i for i, p in enumerate(self.parts)}
        # One-part templates: a dense table (template, value id) -> row. The others: the code
        # is the sum of weight * value id over the parts (mixed radix; unused slots read part
        # 0 with weight 0), looked up in one hash table of all their codes.
        self.one = np.array([t for t, (_, p) in enumerate(TEMPLATES) if len(p) == 1])
        self.many = np.array([t for t, (_, p) in enumerate(TEMPLATES) if len(p) > 1])
        self.one_take = np.array([where[TEMPLATES[t][1][0]] for t in self.one], dtype=np.int64)
        width = max(len(TEMPLATES[t][1]) for t in self.many)
        self.take = np.zeros((len(self.many), width), dtype=np.int64)
        self.weight = np.zeros((len(self.many), width), dtype=np.int64)
        self.used = np.zeros((len(self.many), width), dtype=bool)
        weights: dict[int, list[int]] = {}
        for i, t in enumerate(self.many.tolist()):
            name, parts = TEMPLATES[t]
            w, weights[t] = 1, [0] * len(parts)
            for j in reversed(range(len(parts))):
                self.take[i, j], self.weight[i, j], self.used[i, j] = where[parts[j]], w, True
                weights[t][j] = w
                w *= size[parts[j][0]]
            if w >= _STRIDE:
                raise ValueError(f"template {name}: codes overflow")
        slot = {t: i for i, t in enumerate(self.one.tolist())}
        self.dense = np.zeros((len(self.one), max(size.values())), dtype=np.int64)
        codes, rows = [], []
        for t, values, row in parsed:
            ids = [alpha[col][v] for (col, _k), v in zip(TEMPLATES[t][1], values, strict=True)]
            if t in slot:
                self.dense[slot[t], ids[0]] = row
            else:
                codes.append(t * _STRIDE + sum(w * v for w, v in zip(weights[t], ids, strict=True)))
                rows.append(row)
        self.table = _Hash(np.array(codes, dtype=np.int64), np.array(rows, dtype=np.int64))
        self.offset = (self.many.astype(np.int64) * _STRIDE)[:, None]
        self.one_rows = np.arange(len(self.one))[:, None]
        self.pads = {
            c: (
                np.full(_REACH, d[pad_of(c, -1)], np.int64),
                np.full(_REACH, d[pad_of(c, 1)], np.int64),
            )
            for c, d in alpha.items()
        }

    def _tables(self, alpha: dict[str, dict[str, int]]) -> None:
        """Per-character value ids over the BMP, and the pair tables."""
        nt = name_tables()
        self.names = nt
        chars = [chr(i) for i in range(_BMP)]
        c, k, g, s = alpha["c"], alpha["k"], alpha["g"], alpha["s"]
        zero = c.get("0", -1)
        self.lut_c = np.array([c.get(ch, -1) for ch in chars], dtype=np.int64)
        self.lut_c[ord("0") : ord("9") + 1] = zero
        self.lut_k = np.array([k.get(char_class(ch), -1) for ch in chars], dtype=np.int64)
        self.lut_g = np.full(_BMP, g.get(bucket(None), -1), dtype=np.int64)
        for ch, v in nt.given.items():
            if len(ch) == 1 and ord(ch) < _BMP:
                self.lut_g[ord(ch)] = g.get(bucket(v), -1)
        cue = alpha["a"]
        self.lut_a = np.full(_BMP, cue.get("-", -1), dtype=np.int64)
        for ch, cls in CUE_CLASS.items():
            self.lut_a[ord(ch)] = cue.get(cls, -1)
        self.lut_s = np.full(_BMP, s.get("-", -1), dtype=np.int64)
        for ch, f in nt.single_freq.items():
            if len(ch) == 1 and ord(ch) < _BMP:
                self.lut_s[ord(ch)] = s.get(surname_bucket(f), -1)
        self.s_first, self.s_second = s.get("C", -1), s.get("c", -1)
        # Every two-character string of a table, with a bit per table (1 common word, 2 jieba
        # name word, 4 given-name pair, 8 compound surname).
        flag: dict[int, int] = {}
        for bit, table in enumerate((nt.words, nt.nr_words, nt.given_pairs, nt.compound)):
            for code in _pair_codes(table).tolist():
                flag[code] = flag.get(code, 0) | 1 << bit
        self.pair_codes = np.array(sorted(flag), dtype=np.int64)
        self.pair_flags = np.array([flag[c] for c in sorted(flag)], dtype=np.int64)
        w = alpha["w"]
        self.w_ids = np.array(
            [
                w.get(
                    ("W" if b & 1 else "-") + ("R" if b & 2 else "-") + ("G" if b & 4 else "-"), -1
                )
                for b in range(8)
            ],
            dtype=np.int64,
        )
        r, one = alpha["r"], "-BI"
        self.r_ids = np.array(
            [
                r.get(one[a] + one[b] + "-X"[x], -1)
                for a in range(3)
                for b in range(3)
                for x in range(2)
            ],
            dtype=np.int64,
        )
        m = alpha["m"]
        self.m_ids = np.array([m.get(v, -1) for v in "-Mm"], dtype=np.int64)

    def _chars(self, text: str, cp: IntArray) -> dict[str, IntArray]:
        """The columns read off each character alone (c, k, g, s, a) and the pair columns
        (outside the BMP the cue class is that of U+0000, none)."""
        big = cp >= _BMP
        low = np.where(big, 0, cp)
        c, k, g, s = self.lut_c[low], self.lut_k[low], self.lut_g[low], self.lut_s[low]
        if big.any():  # outside the BMP: one by one, as the string features do
            a, nt = self.alpha, self.names
            for i in np.flatnonzero(big).tolist():
                ch = text[i]
                f = nt.single_freq.get(ch)
                c[i] = a["c"].get(ch, -1)
                k[i] = a["k"].get(char_class(ch), -1)
                g[i] = a["g"].get(bucket(nt.given.get(ch)), -1)
                s[i] = a["s"].get("-" if f is None else surname_bucket(f), -1)
        n = len(cp)
        pairs = cp[:-1] << 21 | cp[1:]
        flags = np.zeros(n, dtype=np.int64)
        flags[:-1] = _flags(pairs, self.pair_codes, self.pair_flags)
        comp = flags >= 8
        s[1:][comp[:-1]] = self.s_second
        s[comp] = self.s_first
        cue = self.lut_a[low]
        return {"c": c, "k": k, "g": g, "s": s, "a": cue, "w": self.w_ids[flags & 7]}

    def _rules(self, text: str, spans: list[tuple[str, int, int]]) -> dict[str, IntArray]:
        """The rules' NAME/ADDRESS/other marks (r) and names the rules found, repeated (m)."""
        n = len(text)
        tag = {t: np.zeros(n, dtype=np.int64) for t in TYPE_TAGS}
        other = np.zeros(n, dtype=np.int64)
        for t, a, b in spans:
            if t in tag:
                if a < b:
                    tag[t][a] = 1
                    tag[t][a + 1 : b] = 2
            elif a < n:
                other[a : min(b, n)] = 1
        mem = np.zeros(n, dtype=np.int64)
        for value in sorted({text[a:b] for t, a, b in spans if t == "NAME" and b - a >= 2}):
            at = text.find(value)
            while at >= 0:
                mem[at] = 1
                mem[at + 1 : at + len(value)] = 2
                at = text.find(value, at + 1)
        r = self.r_ids[tag["NAME"] * 6 + tag["ADDRESS"] * 2 + other]
        return {"r": r, "m": self.m_ids[mem]}

    def ids(self, text: str, rule_spans: Iterable[tuple[str, int, int]]) -> IntArray:
        """``(len(text), 1 + templates)`` rows: the bias, then each template's feature."""
        n = len(text)
        out = np.zeros((n, len(TEMPLATES) + 1), dtype=np.int64)
        if n == 0:
            return out
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        cols = self._chars(text, cp.astype(np.int64)) | self._rules(text, list(rule_spans))
        padded = {}
        for c, v in cols.items():
            before, after = self.pads[c]
            padded[c] = np.concatenate((before, v, after))
        shifted = np.stack([padded[c][_REACH + k : _REACH + k + n] for c, k in self.parts])
        out[:, 0] = self.bias
        value = shifted[self.one_take]  # (one-part templates, n)
        rows = self.dense[self.one_rows, np.maximum(value, 0)]
        out[:, 1 + self.one] = np.where(value >= 0, rows, 0).T
        values = shifted[self.take]  # (other templates, parts, n)
        codes = (values * self.weight[:, :, None]).sum(axis=1) + self.offset
        known = ((values >= 0) | ~self.used[:, :, None]).all(axis=1)
        rows = self.table.get(codes.ravel()).reshape(codes.shape)
        out[:, 1 + self.many] = np.where(known, rows, 0).T
        return out


def _flags(codes: IntArray, table: IntArray, flags: IntArray) -> IntArray:
    """The flags of each code in the sorted ``table`` (0 where absent)."""
    if len(table) == 0 or len(codes) == 0:
        return np.zeros(len(codes), dtype=np.int64)
    pos = np.minimum(np.searchsorted(table, codes), len(table) - 1)
    return np.where(table[pos] == codes, flags[pos], 0)
