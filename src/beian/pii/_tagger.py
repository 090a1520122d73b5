"""A learned character tagger for names and addresses, with the rule engine's decisions as features.

The model is an averaged structured perceptron over characters (tags ``O``, ``B``/``I`` of NAME
and of ADDRESS) decoded with Viterbi; it is trained by ``scripts/train_pii_tagger.py`` on the
project's labelled development sets and shipped as ``data/pii_tagger.safetensors`` (weights and
feature vocabulary) beside ``data/pii_tagger.json`` (the recipe, the training data's digests and
the artefact's digest). Only numpy and safetensors are needed, both core dependencies.

Features of character ``i`` (``TEMPLATES``): the characters at ``i-3…i+3``, the bigrams and the
trigram around it, character classes, the shipped name tables (surname and its frequency,
given-name character scores, common-word and given-name-pair starts), the rule engine's own
NAME/ADDRESS/other decisions around ``i`` ("rules as features") and names the rules found that
recur elsewhere in the text. Everything is computed from the text and the rules' result alone,
so the same text always gives the same spans.

:class:`~beian.pii.PiiEngine` runs it after the rules when ``pii.tagger`` is on
(:class:`EngineTagger`); it is not a registered recognizer because it reads the rules' result.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beian.pii._names import is_han, name_tables
from beian.pii._types import Entity

__all__ = [
    "TAGS",
    "TEMPLATES",
    "EngineTagger",
    "FastIds",
    "Featurizer",
    "Tagger",
    "TaggerModel",
    "chunks",
    "load_tagger",
    "merge",
    "model_info",
    "spans_of",
    "tags_of",
    "viterbi",
]

DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "pii_tagger.safetensors"
RECIPE_PATH = DATA / "pii_tagger.json"

TAGS = ("O", "B-NAME", "I-NAME", "B-ADDRESS", "I-ADDRESS")
_TYPE_TAGS = {"NAME": (1, 2), "ADDRESS": (3, 4)}
_INSIDE_OF = {2: 1, 4: 3}  # I tag -> its B tag

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def allowed_transitions() -> npt.NDArray[np.bool_]:
    """``ok[p, t]``: may tag ``t`` follow tag ``p``; row ``len(TAGS)`` is the start."""
    n = len(TAGS)
    ok = np.ones((n + 1, n), dtype=bool)
    for inside, begin in _INSIDE_OF.items():
        ok[:, inside] = False
        ok[begin, inside] = ok[inside, inside] = True
    return ok


_OK = allowed_transitions()
_PREVS = [[p for p in range(len(TAGS)) if _OK[p, q]] for q in range(len(TAGS))]


def _char_class(ch: str) -> str:
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


def _bucket(value: float | None) -> str:
    """A given-name character score as one letter: ``x`` none, ``a`` (≤ −3) … ``g`` (≥ 3)."""
    if value is None:
        return "x"
    return "abcdefg"[max(-3, min(3, math.floor(value))) + 3]


def _surname_bucket(freq: float) -> str:
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
        if t not in _TYPE_TAGS or a >= b:
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
# name the rules found, repeated here.
_WIDTH = {"c": 1, "k": 1, "s": 1, "g": 1, "w": 3, "r": 3, "m": 1}
_PAD_BEFORE_ONLY = frozenset("sgw")  # padded with ^ on both sides

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
)
BIAS = "bias"
_ONE = {"O": "-", "BN": "B", "IN": "I", "BA": "B", "IA": "I"}  # a rules' tag as one character


def _pad(column: str, k: int) -> str:
    return ("^" if k < 0 or column in _PAD_BEFORE_ONLY else "$") * _WIDTH[column]


class Featurizer:
    """The base columns of a text and the feature keys of every character."""

    def __init__(self) -> None:
        self.names = name_tables()

    def base(self, text: str, rule_spans: Iterable[tuple[str, int, int]]) -> dict[str, list[str]]:
        """The per-character base columns (see ``_WIDTH``); the rules' spans among them."""
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
                sur.append("-" if f is None else _surname_bucket(f))
        spans = list(rule_spans)
        rn = tags_of(n, [s for s in spans if s[0] == "NAME"])
        ra = tags_of(n, [s for s in spans if s[0] == "ADDRESS"])
        ro = ["-"] * n
        for t, a, b in spans:
            if t not in _TYPE_TAGS:
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
            "k": [_char_class(c) for c in text],
            "s": sur,
            "g": [_bucket(given.get(c)) for c in text],
            "w": [
                ("W" if w in words else "-")
                + ("R" if w in nr_words else "-")
                + ("G" if w in pairs else "-")
                for w in two
            ],
            "r": [_ONE[a] + _ONE[b] + c for a, b, c in zip(rn, ra, ro, strict=True)],
            "m": mem,
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
                    shifted[part] = _shift(base[col], k, _pad(col, k))
                cols.append(shifted[part])
            out.append([name + " " + "".join(v) for v in zip(*cols, strict=True)])
        return out


_REACH = 3  # the largest offset a template reads
_STRIDE = 1 << 40  # template t's codes are t * _STRIDE + its own code (one table for all)


class FastIds:
    """The rows of the features of every character without building their keys.

    Each base value becomes a small integer; the values a template joins become one integer code
    (mixed radix), the same for every template at once as one product of the shifted base
    columns with a matrix of radix weights; one sorted table of all templates' codes gives the
    rows. The rows are those of looking the keys up in the vocabulary (a test checks it).
    """

    def __init__(self, vocab: dict[str, int]) -> None:
        alpha: dict[str, dict[str, int]] = {c: {} for c in _WIDTH}
        for c, d in alpha.items():
            d[_pad(c, -1)] = 0
            d.setdefault(_pad(c, 1), len(d))
        parts_of = dict(TEMPLATES)
        parsed: list[tuple[str, list[str], int]] = []
        self.bias = vocab.get(BIAS, 0)
        for key, row in vocab.items():
            name, _, rest = key.partition(" ")
            parts = parts_of.get(name)
            if parts is None or row == 0:
                continue
            values, at = [], 0
            for col, _k in parts:
                values.append(rest[at : at + _WIDTH[col]])
                at += _WIDTH[col]
            for (col, _k), v in zip(parts, values, strict=True):
                alpha[col].setdefault(v, len(alpha[col]))
            parsed.append((name, values, row))
        self.alpha = alpha
        size = {c: len(d) for c, d in alpha.items()}
        self.parts: list[Part] = sorted({p for _, parts in TEMPLATES for p in parts})
        where = {p: i for i, p in enumerate(self.parts)}
        index = {name: t for t, (name, _) in enumerate(TEMPLATES)}
        # Template t's code: sum of weight * value id over its parts (mixed radix).
        self.terms: list[list[tuple[int, int]]] = []
        for name, parts in TEMPLATES:
            weight, terms = 1, []
            for part in reversed(parts):
                terms.append((where[part], weight))
                weight *= size[part[0]]
            if weight >= _STRIDE:
                raise ValueError(f"template {name}: codes overflow")
            self.terms.append(terms[::-1])
        codes = np.array(
            [
                index[name] * _STRIDE
                + sum(
                    w * alpha[p[0]][v]
                    for (_, w), p, v in zip(
                        self.terms[index[name]], parts_of[name], values, strict=True
                    )
                )
                for name, values, _row in parsed
            ],
            dtype=np.int64,
        )
        rows = np.array([row for _n, _v, row in parsed], dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        codes, rows = codes[order], rows[order]
        bounds = np.searchsorted(codes, np.arange(len(TEMPLATES) + 1, dtype=np.int64) * _STRIDE)
        self.tables = [
            (codes[lo:hi] - t * _STRIDE, rows[lo:hi])
            for t, (lo, hi) in enumerate(itertools.pairwise(bounds.tolist()))
        ]
        self.pads = {c: (d[_pad(c, -1)], d[_pad(c, 1)]) for c, d in alpha.items()}

    def ids(self, base: dict[str, list[str]]) -> IntArray:
        n = len(base["c"])
        padded = {}
        for c, d in self.alpha.items():
            before, after = self.pads[c]
            values = [before] * _REACH + [d.get(v, -1) for v in base[c]] + [after] * _REACH
            padded[c] = np.array(values, dtype=np.int64)
        shifted = np.stack([padded[c][_REACH + k : _REACH + k + n] for c, k in self.parts])
        known = shifted >= 0
        out = np.zeros((n, len(TEMPLATES) + 1), dtype=np.int64)
        out[:, 0] = self.bias
        # One search per template in its own (small, cache-resident) table: six times faster
        # than one search of all codes in the whole table. (A matrix product for all codes at
        # once was slower still: BLAS on a busy machine.)
        for t, (keys, rows) in enumerate(self.tables):
            if len(keys) == 0:
                continue
            terms = self.terms[t]
            (first, w), rest = terms[0], terms[1:]
            code = shifted[first] * w if w != 1 else shifted[first].copy()
            ok = known[first].copy()
            for i, w in rest:
                code += shifted[i] * w if w != 1 else shifted[i]
                ok &= known[i]
            pos = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
            out[:, t + 1] = np.where((keys[pos] == code) & ok, rows[pos], 0)
        return out


def viterbi(emission: npt.NDArray[np.floating[Any]], trans: FloatArray) -> list[int]:
    """The best tag sequence: ``emission`` is ``(n, tags)``, ``trans`` ``(tags + 1, tags)``
    with the start scores in the last row; moves :func:`allowed_transitions` forbids are
    never taken. Plain Python: with five tags it is faster than numpy step by step (and the
    same arithmetic, so the same path)."""
    n = len(emission)
    if n == 0:
        return []
    rows = emission.tolist()
    step = trans.tolist()
    tags = range(len(rows[0]))
    score = [a + b for a, b in zip(step[-1], rows[0], strict=True)]
    back: list[list[int]] = []
    for row in rows[1:]:
        new, bp = [], []
        for q in tags:
            best_p, best = -1, -math.inf
            for p in _PREVS[q]:
                v = score[p] + step[p][q]
                if v > best:
                    best, best_p = v, p
            new.append(best + row[q])
            bp.append(best_p)
        back.append(bp)
        score = new
    tag = max(tags, key=score.__getitem__)
    path = [tag]
    for bp in reversed(back):
        tag = bp[tag]
        path.append(tag)
    path.reverse()
    return path


def spans_of(path: Sequence[int]) -> list[tuple[str, int, int]]:
    """``(type, start, end)`` of each B…I run of a tag path."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(path)
    while i < n:
        t = path[i]
        if t in (1, 3):
            inside = t + 1
            j = i + 1
            while j < n and path[j] == inside:
                j += 1
            out.append(("NAME" if t == 1 else "ADDRESS", i, j))
            i = j
        else:
            i += 1
    return out


@dataclass(frozen=True)
class TaggerModel:
    """Feature vocabulary, weights ``(features, tags)`` and transitions ``(tags + 1, tags)``."""

    vocab: dict[str, int]  # key -> row; row 0 is the unknown feature (zero weights)
    weights: npt.NDArray[np.float16]  # stored rounded; sums are taken in float32
    trans: FloatArray
    types: tuple[str, ...] = ("NAME", "ADDRESS")

    def ids(self, columns: list[list[str]]) -> IntArray:
        get = self.vocab.get
        return np.array([[get(k, 0) for k in col] for col in columns], dtype=np.int64).T

    def emission(self, ids: IntArray) -> FloatArray:
        em: FloatArray = self.weights[ids].sum(axis=1, dtype=np.float32)
        return em

    def decode(self, ids: IntArray) -> list[int]:
        if len(ids) == 0:
            return []
        return viterbi(self.emission(ids), self.trans)

    def to_bytes(self, recipe: dict[str, Any]) -> bytes:
        """The safetensors file: weights, transitions, and one metadata entry (one, because
        safetensors writes several in no fixed order) with the vocabulary in row order, the
        tags, the types and the training recipe."""
        from safetensors.numpy import save

        info = {
            "recipe": recipe,
            "tags": list(TAGS),
            "types": list(self.types),
            "vocab": sorted(self.vocab, key=self.vocab.__getitem__),
        }
        meta = {_META: json.dumps(info, ensure_ascii=False, sort_keys=True)}
        return bytes(save({"weights": self.weights, "trans": self.trans}, metadata=meta))

    @classmethod
    def from_bytes(cls, data: bytes) -> TaggerModel:
        from safetensors.numpy import load

        tensors = load(data)
        info = model_info(data)
        if tuple(info["tags"]) != TAGS:
            raise ValueError(f"标注集 {info['tags']} 与本版本的 {list(TAGS)} 不一致")
        vocab = {k: i for i, k in enumerate(info["vocab"])}
        return cls(vocab, tensors["weights"], tensors["trans"], tuple(info["types"]))


_META = "beian.pii.tagger"


def model_info(data: bytes) -> dict[str, Any]:
    """The metadata of a tagger file (vocabulary, tags, types, recipe), without the tensors."""
    size = int.from_bytes(data[:8], "little")
    header: dict[str, Any] = json.loads(data[8 : 8 + size])
    info: dict[str, Any] = json.loads(header.get("__metadata__", {})[_META])
    return info


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


CHUNK = 4000  # characters tagged at once at most
_ENDS = "\n。！？；!?;"


def chunks(text: str, size: int = CHUNK) -> list[tuple[int, int]]:
    """``(start, end)`` pieces of at most ``size`` characters covering ``text``, each cut after
    the last line or sentence end in its second half (else at ``size``)."""
    out, start, n = [], 0, len(text)
    while n - start > size:
        window = text[start + size // 2 : start + size]
        cut = max(window.rfind(c) for c in _ENDS)
        end = start + size // 2 + cut + 1 if cut >= 0 else start + size
        out.append((start, end))
        start = end
    out.append((start, n))
    return out


class Tagger:
    """The shipped model with its featurizer: ``find(text, rule_entities)`` gives entities."""

    name = "tagger"
    default_score = 0.6

    def __init__(self, model: TaggerModel, score: float = default_score) -> None:
        self.model = model
        self.featurizer = Featurizer()
        self.fast = FastIds(model.vocab)
        self.score = score

    def spans(
        self, text: str, rule_spans: Iterable[tuple[str, int, int]]
    ) -> list[tuple[str, int, int]]:
        """``(type, start, end)`` of the tagged spans; a long text is tagged in pieces cut at
        line or sentence ends (memory stays bounded; every training text was shorter)."""
        spans = list(rule_spans)
        if len(text) <= CHUNK:
            return self._spans(text, spans)
        out: list[tuple[str, int, int]] = []
        for a, b in chunks(text):
            inside = [(t, max(s, a) - a, min(e, b) - a) for t, s, e in spans if s < b and e > a]
            out += [(t, s + a, e + a) for t, s, e in self._spans(text[a:b], inside)]
        return out

    def _spans(
        self, text: str, rule_spans: list[tuple[str, int, int]]
    ) -> list[tuple[str, int, int]]:
        if not text:
            return []
        ids = self.fast.ids(self.featurizer.base(text, rule_spans))
        return [s for s in spans_of(self.model.decode(ids)) if s[0] in self.model.types]

    def find(self, text: str, rules: Sequence[Entity]) -> list[Entity]:
        found = self.spans(text, [(e.type, e.start, e.end) for e in rules])
        return [
            Entity(t, a, b, text[a:b], self.score, f"tagger:{t}")
            for t, a, b in found
            if text[a:b].strip()
        ]


@lru_cache(maxsize=1)
def load_tagger() -> Tagger:
    """The shipped tagger (read once per process)."""
    from safetensors import SafetensorError

    from beian.errors import ConfigError

    try:
        model = TaggerModel.from_bytes(MODEL_PATH.read_bytes())
    except (OSError, ValueError, KeyError, SafetensorError) as exc:
        raise ConfigError(
            f"无法读取姓名/地址序列标注模型（pii.tagger 需要它）：{exc}",
            where=str(MODEL_PATH),
            fix="重新安装 genai-beian，或运行 python scripts/train_pii_tagger.py 重新生成；"
            "也可在配置中关闭 pii.tagger",
        ) from None
    return Tagger(model)


def merge(
    rules: Sequence[Entity], tagged: Sequence[Entity], types: frozenset[str] | None
) -> list[Entity]:
    """The rule engine's resolved entities with the tagger's, overlaps resolved as the engine
    does. ``types``: the types the tagger decides (their rule spans give way to its spans,
    and to its silence: the rules' spans are among its features); None: the union."""
    from beian.pii._engine import resolve_overlaps

    if types is not None:
        rules = [e for e in rules if e.type not in types]
        tagged = [e for e in tagged if e.type in types]
    if not tagged:
        return list(rules)
    return resolve_overlaps([*rules, *tagged])


class EngineTagger:
    """The tagger as :class:`~beian.pii.PiiEngine` runs it: its NAME/ADDRESS decisions stand in
    for the rules' for ``types`` (the rules' spans are among its features); other types, and
    a type left out of ``types``, stay as the rules left them."""

    def __init__(self, types: Sequence[str]) -> None:
        self.tagger = load_tagger()
        self.types = frozenset(types)

    def merge(self, text: str, rules: list[Entity]) -> list[Entity]:
        return merge(rules, self.tagger.find(text, rules), self.types)
