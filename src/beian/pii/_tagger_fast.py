"""The tagger's features as integer rows, computed with numpy from the text's code points.

:class:`FastIds` gives, for every character, the rows of its features in the model's weight
table without building any feature key: each base column (:data:`~._tagger_features.WIDTH`)
is a small integer per character (a value id; a value the model never saw gets one id past the
column's alphabet), read from one table over the Basic Multilingual Plane (the character, its
class, its given-name score, its one-character surname bucket and its cue class) or from
sorted code tables of character pairs (compound surnames, common words, given-name pairs).
The values a template joins become one integer (mixed radix), every template of every
character at once from one gather of a ``(characters + pads, columns)`` matrix; templates with
few possible codes read their row from one dense table, the others from one hash table. The
rows are those of building each key of :class:`~._tagger_features.Featurizer` and looking it
up in the vocabulary (tests check it, on the development sets too).

A call costs a fixed number of numpy operations (about forty) whatever the text's length:
what a short prompt mostly pays, so each step is one array operation over all templates.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable

import numpy as np
import numpy.typing as npt

from beian.pii._names import NAMES_PATH, NameTables, name_tables
from beian.pii._tagger_features import (
    BIAS,
    CUE_CLASS,
    TEMPLATES,
    TYPE_TAGS,
    WIDTH,
    bucket,
    char_class,
    pad_of,
    surname_bucket,
)
from beian.pii._tagger_lexicon import WORD_CLASSES, cue_words

__all__ = ["FastIds", "check_name_tables"]

IntArray = npt.NDArray[np.int64]

_REACH = 3  # the largest offset a template reads
_STRIDE = 1 << 40  # template t's codes are t * _STRIDE + its own code (one table for all)
_BMP = 1 << 16
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
_EMPTY, _SHARED = -1, -2  # hash slots with no key, and with several keys (in the overflow)
# The base columns in the order of the columns of the matrix ``ids`` builds: the ones read off
# each character alone first (one table over the BMP), then the pair column, the rules' and the
# repeated names', and the cue words'.
_PER_CHAR = ("c", "k", "g", "s", "a")
_COLUMNS = (*_PER_CHAR, "w", "r", "m", "x")
_COLUMN = {c: i for i, c in enumerate(_COLUMNS)}
_W, _R, _M, _X = (_COLUMN[c] for c in "wrmx")
_N_COLS = len(_COLUMNS)
_WINDOW = (2 * _REACH + 1) * _N_COLS  # the slots one character's features can read
_DENSE_CODES = 1 << 18  # a template with at most this many codes has a dense table
# RuntimeError: an internal invariant of the code (no data file can break it); only a developer
# who changes the features' columns can hit it.
if set(_COLUMNS) != set(WIDTH):
    raise RuntimeError("FastIds: the base columns differ from the features' WIDTH")


def check_name_tables(nt: NameTables) -> None:
    """Refuse name tables the fast path would read differently from the reference features:
    the pair tables must hold two-character strings, the surname frequencies and given-name
    scores single characters (anything else the fast path would drop silently)."""
    # By names.json key: the table and the length of its entries (the pair column is looked
    # up by the codes of two characters, the per-character columns by one: a BMP table).
    tables: dict[str, tuple[Collection[str], int]] = {
        "common_words": (nt.words, 2),
        "nr_words": (nt.nr_words, 2),
        "given_pairs": (nt.given_pairs, 2),
        "compound_surnames": (nt.compound, 2),
        "surnames": (nt.single_freq, 1),
        "given_chars": (nt.given, 1),
    }
    for key, (table, size) in tables.items():
        bad = sorted(w for w in table if len(w) != size)
        if bad:
            shown = "、".join(repr(w) for w in bad[:5])
            raise ValueError(
                f"姓名表 {NAMES_PATH} 的 {key} 中有 {len(bad)} 个条目不是 {size} 个字符"
                f"（如 {shown}）：序列标注模型（pii.tagger）的特征只读 {size} 个字符的条目；"
                f"请把这些条目改为 {size} 个字符或删去，再运行 python scripts/train_pii_tagger.py "
                "重新训练模型"
            )


def _pair_codes(words: Iterable[str]) -> IntArray:
    """Sorted codes ``first << 21 | second`` of the two-character strings."""
    codes = sorted({ord(w[0]) << 21 | ord(w[1]) for w in words})
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
    """A table of int64 keys (none negative): a key alone in its hash slot is stored there; the
    keys of a slot that several share are kept in a small sorted overflow array and the slot
    says so (``_SHARED``). A lookup is one gather, and a binary search of the overflow for the
    few keys whose slot is shared (a probing loop cost more in numpy calls than it saved)."""

    def __init__(self, keys: IntArray, rows: IntArray) -> None:
        # RuntimeError: the codes FastIds builds are never negative (an internal invariant
        # only a change to the code can break, not a model or a data file).
        if len(keys) and int(keys.min()) < 0:
            raise RuntimeError("hash keys must not be negative")
        bits = max(4, int(3 * max(len(keys), 1)).bit_length())  # load at most 1/3
        self.shift = np.uint64(64 - bits)
        self.keys = np.full(1 << bits, _EMPTY, dtype=np.int64)
        self.rows = np.zeros(1 << bits, dtype=np.int64)
        slot = self._home(keys)
        count = np.bincount(slot, minlength=1 << bits)
        alone = count[slot] == 1
        self.keys[slot[alone]] = keys[alone]
        self.rows[slot[alone]] = rows[alone]
        self.keys[count > 1] = _SHARED
        order = np.argsort(keys[~alone], kind="stable")
        self.over_keys, self.over_rows = keys[~alone][order], rows[~alone][order]

    def _home(self, keys: IntArray) -> IntArray:
        h = (keys.view(np.uint64) * _MIX) >> self.shift
        return h.view(np.int64)

    def get(self, keys: IntArray) -> IntArray:
        """The row of each key (0 where absent)."""
        slot = self._home(keys)
        held = self.keys.take(slot)
        out = np.where(held == keys, self.rows.take(slot), 0)
        shared = np.flatnonzero(held == _SHARED)
        if len(shared):
            q = keys.take(shared)
            pos = np.minimum(np.searchsorted(self.over_keys, q), len(self.over_keys) - 1)
            found = self.over_keys.take(pos) == q
            out[shared[found]] = self.over_rows.take(pos[found])
        return out


class FastIds:
    """The rows of the features of every character of a text (see the module's docstring)."""

    def __init__(self, vocab: dict[str, int], names: NameTables | None = None) -> None:
        """``names``: the name tables (default: the shipped ones); a ValueError (in Chinese)
        when they or the vocabulary cannot be read by the fast path."""
        self.names = name_tables() if names is None else names
        check_name_tables(self.names)
        alpha, parsed = _alphabets(vocab)
        self.alpha = alpha
        self.bias = vocab.get(BIAS, 0)
        # A value missing from a column's alphabet gets the id one past its last value; the
        # radix counts it, so a code with such a value is never a key of the table (row 0,
        # as the key lookup gives for a feature the model does not have).
        self.unknown = {c: len(d) for c, d in alpha.items()}
        size = {c: len(d) + 1 for c, d in alpha.items()}
        # Each template reads its parts' slots of the matrix of base columns (character by
        # character, ``_REACH`` pad rows on either side): the slot of part (column, offset) is
        # ``(_REACH + offset) * _N_COLS + column``. A template's code is the sum of weight *
        # value id over its parts (mixed radix). Templates with few possible codes take their
        # row from one dense table (code + the template's start in it); the others from one
        # hash table of ``t * _STRIDE + code``. The slots are read in one gather, templates
        # grouped by their number of parts (one sum per group).
        order = sorted(range(len(TEMPLATES)), key=lambda t: (len(TEMPLATES[t][1]), t))
        slots: list[int] = []
        weights: list[int] = []
        spaces: list[int] = []
        weights_of: dict[int, list[int]] = {}
        for t in order:
            name, parts = TEMPLATES[t]
            w, ws = 1, [0] * len(parts)
            for j in reversed(range(len(parts))):
                ws[j] = w
                w *= size[parts[j][0]]
            if w >= _STRIDE:
                raise ValueError(
                    f"序列标注模型的特征模板 {name} 的取值组合有 {w} 种，超过快速特征能编码的 "
                    f"{_STRIDE} 种（模型词表中该模板各列的取值过多）；请用 "
                    "python scripts/train_pii_tagger.py 重新训练模型（必要时提高 PRUNE 以减少特征）"
                )
            spaces.append(w)
            slots += [(_REACH + k) * _N_COLS + _COLUMN[col] for col, k in parts]
            weights += ws
            weights_of[t] = ws
        self.slots = np.array(slots, dtype=np.int64)
        self.weight = np.array(weights, dtype=np.int64)[:, None]
        # (first slot, templates, parts) of each group of templates with as many parts
        self.groups: list[tuple[int, int, int]] = []
        at = 0
        for width, ts in itertools.groupby(order, key=lambda t: len(TEMPLATES[t][1])):
            count = len(list(ts))
            self.groups.append((at, count, width))
            at += count * width
        dense_rows = [i for i, w in enumerate(spaces) if w <= _DENSE_CODES]
        hash_rows = [i for i, w in enumerate(spaces) if w > _DENSE_CODES]
        starts = np.cumsum([0] + [spaces[i] for i in dense_rows])
        offset = np.zeros(len(order), dtype=np.int64)
        offset[dense_rows] = starts[:-1]
        offset[hash_rows] = [order[i] * _STRIDE for i in hash_rows]
        self.offset = offset[:, None]
        self.dense_rows = np.array(dense_rows, dtype=np.int64)
        self.hash_rows = np.array(hash_rows, dtype=np.int64)
        self.dense_out = np.array([order[i] + 1 for i in dense_rows], dtype=np.int64)
        self.hash_out = np.array([order[i] + 1 for i in hash_rows], dtype=np.int64)
        dense = np.zeros(int(starts[-1]), dtype=np.int64)
        row_of = {t: i for i, t in enumerate(order)}
        codes, rows = [], []
        for t, values, row in parsed:
            i = row_of[t]
            ids = [alpha[col][v] for (col, _k), v in zip(TEMPLATES[t][1], values, strict=True)]
            code = int(offset[i]) + sum(w * v for w, v in zip(weights_of[t], ids, strict=True))
            if spaces[i] <= _DENSE_CODES:
                dense[code] = row
            else:
                codes.append(code)
                rows.append(row)
        self.dense = dense
        self.table = _Hash(np.array(codes, dtype=np.int64), np.array(rows, dtype=np.int64))
        self._tables(alpha)
        self.pad_before = np.array([alpha[c][pad_of(c, -1)] for c in _COLUMNS], dtype=np.int64)
        self.pad_after = np.array([alpha[c][pad_of(c, 1)] for c in _COLUMNS], dtype=np.int64)
        self.no_rules = np.array([self.r_ids[0], self.m_ids[0]], dtype=np.int64)

    def _tables(self, alpha: dict[str, dict[str, int]]) -> None:
        """Per-character value ids over the BMP (columns c, k, g, s, a), the pair tables and
        the cue words' value ids."""
        nt = self.names
        chars = [chr(i) for i in range(_BMP)]
        unk = self.unknown
        c, k, g, s, cue = alpha["c"], alpha["k"], alpha["g"], alpha["s"], alpha["a"]
        lut = np.empty((_BMP, len(_PER_CHAR)), dtype=np.int64)
        lut[:, 0] = [c.get(ch, unk["c"]) for ch in chars]
        lut[ord("0") : ord("9") + 1, 0] = c.get("0", unk["c"])
        lut[:, 1] = [k.get(char_class(ch), unk["k"]) for ch in chars]
        lut[:, 2] = g.get(bucket(None), unk["g"])
        for ch, v in nt.given.items():
            if ord(ch) < _BMP:
                lut[ord(ch), 2] = g.get(bucket(v), unk["g"])
        lut[:, 3] = s.get("-", unk["s"])
        for ch, f in nt.single_freq.items():
            if ord(ch) < _BMP:
                lut[ord(ch), 3] = s.get(surname_bucket(f), unk["s"])
        lut[:, 4] = cue.get("-", unk["a"])
        for ch, cls in CUE_CLASS.items():
            lut[ord(ch), 4] = cue.get(cls, unk["a"])
        self.lut = lut
        self.s_first, self.s_second = s.get("C", unk["s"]), s.get("c", unk["s"])
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
                    ("W" if b & 1 else "-") + ("R" if b & 2 else "-") + ("G" if b & 4 else "-"),
                    unk["w"],
                )
                for b in range(8)
            ],
            dtype=np.int64,
        )
        r, one = alpha["r"], "-BI"
        self.r_ids = np.array(
            [
                r.get(one[a] + one[b] + "-X"[x], unk["r"])
                for a in range(3)
                for b in range(3)
                for x in range(2)
            ],
            dtype=np.int64,
        )
        m = alpha["m"]
        self.m_ids = np.array([m.get(v, unk["m"]) for v in "-Mm"], dtype=np.int64)
        x = alpha["x"]
        self.x_none = x.get("-", unk["x"])
        self.x_ids = {
            cls: (x.get(cls, unk["x"]), x.get(cls.lower(), unk["x"])) for cls in WORD_CLASSES
        }

    def _chars(self, text: str, cp: IntArray, body: IntArray) -> None:
        """The columns read off each character alone (c, k, g, s, a), the pair column (w) and
        the cue words' column (x), written into ``body`` (outside the BMP the cue class is that
        of U+0000, none)."""
        per_char = len(_PER_CHAR)
        if int(cp.max()) < _BMP:
            body[:, :per_char] = self.lut[cp]
        else:  # outside the BMP: one by one, as the string features do
            body[:, :per_char] = self.lut[np.where(cp >= _BMP, 0, cp)]
            a, nt, unk = self.alpha, self.names, self.unknown
            for i in np.flatnonzero(cp >= _BMP).tolist():
                ch = text[i]
                f = nt.single_freq.get(ch)
                body[i, 0] = a["c"].get(ch, unk["c"])
                body[i, 1] = a["k"].get(char_class(ch), unk["k"])
                body[i, 2] = a["g"].get(bucket(nt.given.get(ch)), unk["g"])
                body[i, 3] = a["s"].get("-" if f is None else surname_bucket(f), unk["s"])
        flags = np.zeros(len(cp), dtype=np.int64)
        flags[:-1] = _flags(cp[:-1] << 21 | cp[1:], self.pair_codes, self.pair_flags)
        comp = flags >= 8
        s = body[:, 3]
        s[1:][comp[:-1]] = self.s_second
        s[comp] = self.s_first
        body[:, _W] = self.w_ids[flags & 7]
        x = body[:, _X]
        x[:] = self.x_none
        for cls, start, end in cue_words(text):
            first, rest = self.x_ids[cls]
            x[start] = first
            x[start + 1 : end] = rest

    def _rules(self, text: str, spans: list[tuple[str, int, int]], body: IntArray) -> None:
        """The rules' NAME/ADDRESS/other marks (r) and names the rules found, repeated (m)."""
        if not spans:
            body[:, [_R, _M]] = self.no_rules
            return
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
        body[:, _R] = self.r_ids[tag["NAME"] * 6 + tag["ADDRESS"] * 2 + other]
        body[:, _M] = self.m_ids[mem]

    def ids(self, text: str, rule_spans: Iterable[tuple[str, int, int]]) -> IntArray:
        """``(len(text), 1 + templates)`` rows: the bias, then each template's feature (a
        view of a ``(1 + templates, len(text))`` array: the emission reads it that way)."""
        n = len(text)
        out = np.empty((len(TEMPLATES) + 1, n), dtype=np.int64)
        if n == 0:
            return out.T
        base = np.empty((n + 2 * _REACH, _N_COLS), dtype=np.int64)
        base[:_REACH] = self.pad_before
        base[n + _REACH :] = self.pad_after
        body = base[_REACH : n + _REACH]
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        self._chars(text, cp.astype(np.int64), body)
        self._rules(text, list(rule_spans), body)
        # window[s, i]: slot s of character i (the base matrix read with a stride of one row).
        item, row = base.strides[1], base.strides[0]
        window = np.ndarray((_WINDOW, n), np.int64, base, 0, (item, row))
        values = window.take(self.slots, axis=0)
        values *= self.weight
        sums = [
            values[a : a + k * w].reshape(k, w, n).sum(axis=1) if w > 1 else values[a : a + k]
            for a, k, w in self.groups
        ]
        codes = np.concatenate(sums)
        codes += self.offset
        out[0] = self.bias
        out[self.dense_out] = self.dense.take(codes.take(self.dense_rows, axis=0))
        hashed = codes.take(self.hash_rows, axis=0)
        out[self.hash_out] = self.table.get(hashed.ravel()).reshape(hashed.shape)
        return out.T


def _flags(codes: IntArray, table: IntArray, flags: IntArray) -> IntArray:
    """The flags of each code in the sorted ``table`` (0 where absent)."""
    if len(table) == 0 or len(codes) == 0:
        return np.zeros(len(codes), dtype=np.int64)
    pos = np.minimum(np.searchsorted(table, codes), len(table) - 1)
    return np.where(table[pos] == codes, flags[pos], 0)
