"""The features of the name/address tagger: per-character base columns and the templates that
join them (``TEMPLATES``), built as strings (training; the reference the fast path is tested
against). See :mod:`beian.pii._tagger`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from beian.pii._names import is_han, name_tables
from beian.pii._tagger_lexicon import cue_words

__all__ = [
    "BIAS",
    "CUE_CLASS",
    "ONE",
    "PAD_BEFORE_ONLY",
    "TAGS",
    "TEMPLATES",
    "TYPE_TAGS",
    "WIDTH",
    "Featurizer",
    "Part",
    "bucket",
    "char_class",
    "cue_column",
    "pad_of",
    "surname_bucket",
    "tags_of",
]

TAGS = ("O", "B-NAME", "I-NAME", "B-ADDRESS", "I-ADDRESS")
TYPE_TAGS = {"NAME": (1, 2), "ADDRESS": (3, 4)}


def char_class(ch: str) -> str:
    if is_han(ch):
        return "H"
    if ch.isascii():
        if ch.isdigit():
            return "0"
        if ch.isalpha():
            return "A" if ch.isupper() else "a"
        if ch.isspace():
            return "_"
        return ch  # ASCII punctuation is informative as itself
    if ch.isspace():
        return "_"
    if ch.isdigit():
        return "0"
    if ch.isalpha():
        return "L"
    return ch if ch in "，。、：；！？（）·•【】《》“”‘’—…" else "o"


def bucket(value: float | None) -> str:
    """A given-name character score as one letter: ``x`` none, ``a`` (≤ −3) … ``g`` (≥ 3)."""
    if value is None:
        return "x"
    return "abcdefg"[max(-3, min(3, math.floor(value))) + 3]


def surname_bucket(freq: float) -> str:
    return "1" if freq >= 1.0 else "2" if freq >= 0.1 else "3"


def _shift(values: Sequence[str], k: int, pad: str) -> list[str]:
    """``values`` moved by ``k`` (element ``i`` of the result is ``values[i + k]``), padded."""
    n = len(values)
    if k > 0:
        return [*values[k:], *([pad] * min(k, n))]
    if k < 0:
        return [*([pad] * min(-k, n)), *values[: max(0, n + k)]]
    return list(values)


def tags_of(n: int, spans: Iterable[tuple[str, int, int]], *, letters: str = "BI") -> list[str]:
    """A per-character tag of the spans of NAME and ADDRESS (``B``/``I`` letters, ``O``)."""
    out = ["O"] * n
    for t, a, b in spans:
        if t not in TYPE_TAGS or a >= b:
            continue
        out[a] = letters[0] + t[0]
        for i in range(a + 1, b):
            out[i] = letters[1] + t[0]
    return out


# Per-character base columns and the width of their values (every value of a column has the same
# number of characters, so a feature key needs no separator between the values it joins):
# c the character (digits as 0), k its class, s surname (C/c 复姓 first/second, 1–3 one-character
# surname by frequency, - none), g given-name score (x none, a … g), w common word / jieba nr
# word / given-name pair starting here, r the rules' NAME tag, ADDRESS tag and other type, m a
# name the rules found, repeated here, a the character's cue class (``CUE_CLASS``), x the class
# of the cue word covering the character (``cue_words``: upper case on its first character,
# lower case after).
WIDTH = {"c": 1, "k": 1, "s": 1, "g": 1, "w": 3, "r": 3, "m": 1, "a": 1, "x": 1}

# Cue classes of single characters (column a): address words by level (R road/lane, N number,
# B building/unit/room, V village and rural units, D administrative divisions), P words after
# which a name often follows (prepositions, conjunctions, verbs of addressing), S verbs of
# saying and asking (道 and 问 are here, as measured); "-" any other character. They let the model share what it learns about one road or
# building word with the others of its class (issue 23, round p23t).
CUE_CLASS: dict[str, str] = {
    ch: cls
    for chars, cls in (
        ("路街巷弄", "R"),
        ("号", "N"),
        ("栋幢座楼室层", "B"),
        ("村组屯庄寨", "V"),
        ("省市区县镇乡", "D"),
        ("给跟和与同把被让叫找向对请帮替由", "P"),
        ("说讲问答称道", "S"),
    )
    for ch in chars
}
PAD_BEFORE_ONLY = frozenset("sgw")  # padded with ^ on both sides

Part = tuple[str, int]  # (column, offset)
TEMPLATES: tuple[tuple[str, tuple[Part, ...]], ...] = (
    *((f"u{k}", (("c", k),)) for k in (-3, -2, -1, 0, 1, 2, 3)),
    ("b-3", (("c", -3), ("c", -2))),
    ("b2", (("c", 2), ("c", 3))),
    ("m", (("m", -1), ("m", 0), ("m", 1))),
    ("b-2", (("c", -2), ("c", -1))),
    ("b-1", (("c", -1), ("c", 0))),
    ("b0", (("c", 0), ("c", 1))),
    ("b1", (("c", 1), ("c", 2))),
    ("t0", (("c", -1), ("c", 0), ("c", 1))),
    ("k", (("k", -1), ("k", 0), ("k", 1))),
    ("k5", tuple(("k", k) for k in (-2, -1, 0, 1, 2))),
    *((f"s{k}", (("s", k),)) for k in (-2, -1, 0, 1)),
    *((f"g{k}", (("g", k),)) for k in (-1, 0, 1, 2)),
    ("sg0", (("s", 0), ("g", 1), ("g", 2))),
    ("sg1", (("s", -1), ("g", 0), ("g", 1))),
    ("sg2", (("s", -2), ("g", -1), ("g", 0))),
    ("sc", (("s", 0), ("c", -1))),
    *((f"w{k}", (("w", k),)) for k in (-1, 0, 1)),
    *((f"r{k}", (("r", k),)) for k in (-2, -1, 0, 1, 2)),
    ("rr", (("r", -1), ("r", 0), ("r", 1))),
    ("ru", (("r", 0), ("c", 0))),
    ("rs", (("r", 0), ("s", 0), ("g", 1))),
    ("a3", (("a", -1), ("a", 0), ("a", 1))),
    ("aR", (("a", 1), ("a", 2), ("a", 3))),
    ("aL", (("a", -3), ("a", -2), ("a", -1))),
    ("ap", (("a", -1), ("s", 0), ("g", 1))),
    ("ac", (("a", 0), ("c", -1))),
    # Round p23w: the cue word just before the character and the ones up to three after it
    # (a label or verb before a name, a title or role after it; see docs/pii.md, 第十一轮).
    *((f"x{k}", (("x", k),)) for k in (-1, 1, 2, 3)),
)
BIAS = "bias"
ONE = {"O": "-", "BN": "B", "IN": "I", "BA": "B", "IA": "I"}  # a rules' tag as one character


def cue_column(text: str) -> list[str]:
    """Column x: the class letter of the cue word covering each character (``-`` none)."""
    out = ["-"] * len(text)
    for cls, a, b in cue_words(text):
        out[a] = cls
        for i in range(a + 1, b):
            out[i] = cls.lower()
    return out


def pad_of(column: str, k: int) -> str:
    return ("^" if k < 0 or column in PAD_BEFORE_ONLY else "$") * WIDTH[column]


class Featurizer:
    """The base columns of a text and the feature keys of every character."""

    def __init__(self) -> None:
        self.names = name_tables()

    def base(self, text: str, rule_spans: Iterable[tuple[str, int, int]]) -> dict[str, list[str]]:
        """The per-character base columns (see ``WIDTH``); the rules' spans among them."""
        n = len(text)
        nt = self.names
        compound, freq, given = nt.compound, nt.single_freq, nt.given
        words, nr_words, pairs = nt.words, nt.nr_words, nt.given_pairs
        two = [text[i : i + 2] for i in range(n)]
        sur = []
        for i in range(n):
            if two[i] in compound:
                sur.append("C")
            elif i and two[i - 1] in compound:
                sur.append("c")
            else:
                f = freq.get(text[i])
                sur.append("-" if f is None else surname_bucket(f))
        spans = list(rule_spans)
        rn = tags_of(n, [s for s in spans if s[0] == "NAME"])
        ra = tags_of(n, [s for s in spans if s[0] == "ADDRESS"])
        ro = ["-"] * n
        for t, a, b in spans:
            if t not in TYPE_TAGS:
                for i in range(a, min(b, n)):
                    ro[i] = "X"
        # Names the rules found, seen again elsewhere in the text (a name is often repeated
        # once with a cue and once without).
        mem = ["-"] * n
        for value in sorted({text[a:b] for t, a, b in spans if t == "NAME" and b - a >= 2}):
            at = text.find(value)
            while at >= 0:
                mem[at] = "M"
                for i in range(at + 1, at + len(value)):
                    mem[i] = "m"
                at = text.find(value, at + 1)
        return {
            "c": ["0" if c.isascii() and c.isdigit() else c for c in text],
            "k": [char_class(c) for c in text],
            "s": sur,
            "g": [bucket(given.get(c)) for c in text],
            "w": [
                ("W" if w in words else "-")
                + ("R" if w in nr_words else "-")
                + ("G" if w in pairs else "-")
                for w in two
            ],
            "r": [ONE[a] + ONE[b] + c for a, b, c in zip(rn, ra, ro, strict=True)],
            "m": mem,
            "a": [CUE_CLASS.get(c, "-") for c in text],
            "x": cue_column(text),
        }

    def columns(self, text: str, rule_spans: Iterable[tuple[str, int, int]]) -> list[list[str]]:
        """One list of ``len(text)`` feature keys per template (training reads these)."""
        base = self.base(text, rule_spans)
        shifted: dict[Part, list[str]] = {}
        out = [[BIAS] * len(text)]
        for name, parts in TEMPLATES:
            cols = []
            for part in parts:
                if part not in shifted:
                    col, k = part
                    shifted[part] = _shift(base[col], k, pad_of(col, k))
                cols.append(shifted[part])
            out.append([name + " " + "".join(v) for v in zip(*cols, strict=True)])
        return out
