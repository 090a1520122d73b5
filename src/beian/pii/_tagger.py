"""A learned character tagger for names and addresses, with the rule engine's decisions as features.

The model is an averaged structured perceptron over characters (tags ``O``, ``B``/``I`` of NAME
and of ADDRESS) decoded with Viterbi; it is trained by ``scripts/train_pii_tagger.py`` on the
project's labelled development sets and shipped as ``data/pii_tagger.safetensors`` (weights and
feature vocabulary) beside ``data/pii_tagger.json`` (the recipe, the training data's digests and
the artefact's digest). Only numpy and safetensors are needed, both core dependencies.

Features of character ``i``: the characters at ``i-2…i+2``, the bigrams and the trigram around
it, character classes, the shipped name tables (surname and its frequency, given-name character
scores, common-word and given-name-pair starts) and the rule engine's own NAME/ADDRESS/other
decisions around ``i`` ("rules as features"). Everything is computed from the text alone, so the
same text always gives the same spans.
"""

from __future__ import annotations

import hashlib
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
    "Featurizer",
    "TaggerModel",
    "load_tagger",
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
_NEG = -1e9

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
    if value is None:
        return "x"
    return str(max(-3, min(3, math.floor(value))))


def _surname_bucket(freq: float) -> str:
    return "1" if freq >= 1.0 else "2" if freq >= 0.1 else "3"


def _shift(values: Sequence[str], k: int, pad: str) -> list[str]:
    """``values`` moved by ``k`` (element ``i`` of the result is ``values[i + k]``), padded."""
    n = len(values)
    if k > 0:
        return [*values[k:], *([pad] * min(k, n))]
    if k < 0:
        return [*([pad] * min(-k, n)), *values[: n + k]]
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


class Featurizer:
    """Feature keys of every character of a text (one list of keys per template)."""

    def __init__(self) -> None:
        nt = name_tables()
        self.compound = nt.compound
        self.freq = nt.single_freq
        self.given = nt.given
        self.words = nt.words
        self.nr_words = nt.nr_words
        self.given_pairs = nt.given_pairs

    def columns(self, text: str, rule_spans: Iterable[tuple[str, int, int]]) -> list[list[str]]:
        """One list of ``len(text)`` keys per template; the rule engine's spans as features."""
        n = len(text)
        chars = ["0" if c.isascii() and c.isdigit() else c for c in text]
        cls = [_char_class(c) for c in text]
        compound, freq, given = self.compound, self.freq, self.given
        words, nr_words, pairs = self.words, self.nr_words, self.given_pairs
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
        giv = [_bucket(given.get(c)) for c in text]
        wd = [
            ("W" if w in words else "-")
            + ("R" if w in nr_words else "-")
            + ("G" if w in pairs else "-")
            for w in two
        ]
        spans = list(rule_spans)
        rn = tags_of(n, [s for s in spans if s[0] == "NAME"])
        ra = tags_of(n, [s for s in spans if s[0] == "ADDRESS"])
        ro = ["-"] * n
        for t, a, b in spans:
            if t not in _TYPE_TAGS:
                for i in range(a, min(b, n)):
                    ro[i] = "X"
        rules = [a + b + c for a, b, c in zip(rn, ra, ro, strict=True)]
        # Names the rules found, seen again elsewhere in the text (a name is often repeated
        # once with a cue and once without).
        mem = ["-"] * n
        for value in {text[a:b] for t, a, b in spans if t == "NAME" and b - a >= 2}:
            at = text.find(value)
            while at >= 0:
                mem[at] = "M"
                for i in range(at + 1, at + len(value)):
                    mem[i] = "m"
                at = text.find(value, at + 1)

        c = {k: _shift(chars, k, "^" if k < 0 else "$") for k in (-3, -2, -1, 1, 2, 3)}
        c[0] = chars
        k_ = {k: _shift(cls, k, "^" if k < 0 else "$") for k in (-2, -1, 1, 2)}
        k_[0] = cls
        s = {k: _shift(sur, k, "^") for k in (-2, -1, 1)}
        s[0] = sur
        g = {k: _shift(giv, k, "^") for k in (-1, 1, 2)}
        g[0] = giv
        w = {k: _shift(wd, k, "^") for k in (-1, 1)}
        w[0] = wd
        r = {k: _shift(rules, k, "^" if k < 0 else "$") for k in (-2, -1, 1, 2)}
        r[0] = rules

        def join(tag: str, *cols: Sequence[str]) -> list[str]:
            return [tag + "\x1f".join(v) for v in zip(*cols, strict=True)]

        out = [["bias"] * n]
        out += [[f"u{k}\x1f{v}" for v in c[k]] for k in (-3, -2, -1, 0, 1, 2, 3)]
        out += [
            join("b-3", c[-3], c[-2]),
            join("b2", c[2], c[3]),
            join("m", _shift(mem, -1, "^"), mem, _shift(mem, 1, "$")),
            join("b-2", c[-2], c[-1]),
            join("b-1", c[-1], c[0]),
            join("b0", c[0], c[1]),
            join("b1", c[1], c[2]),
            join("t0", c[-1], c[0], c[1]),
            join("k", k_[-1], k_[0], k_[1]),
            join("k5", k_[-2], k_[-1], k_[0], k_[1], k_[2]),
        ]
        out += [[f"s{k}\x1f{v}" for v in s[k]] for k in (-2, -1, 0, 1)]
        out += [[f"g{k}\x1f{v}" for v in g[k]] for k in (-1, 0, 1, 2)]
        out += [
            join("sg0", s[0], g[1], g[2]),
            join("sg1", s[-1], g[0], g[1]),
            join("sg2", s[-2], g[-1], g[0]),
            join("sc", s[0], c[-1]),
        ]
        out += [[f"w{k}\x1f{v}" for v in w[k]] for k in (-1, 0, 1)]
        out += [[f"r{k}\x1f{v}" for v in r[k]] for k in (-2, -1, 0, 1, 2)]
        out += [
            join("rr", r[-1], r[0], r[1]),
            join("ru", r[0], c[0]),
            join("rs", r[0], s[0], g[1]),
        ]
        return out


def viterbi(emission: FloatArray, trans: FloatArray) -> list[int]:
    """The best tag sequence: ``emission`` is ``(n, tags)``, ``trans`` ``(tags + 1, tags)``
    with the start scores in the last row (disallowed moves already at a large negative)."""
    n, _ = emission.shape
    if n == 0:
        return []
    start, step = trans[-1], trans[:-1]
    score = start + emission[0]
    back = np.empty((n, emission.shape[1]), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + step
        back[i] = best = cand.argmax(axis=0)
        score = cand[best, np.arange(cand.shape[1])] + emission[i]
    tag = int(score.argmax())
    path = [tag]
    for i in range(n - 1, 0, -1):
        tag = int(back[i, tag])
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
    weights: FloatArray
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

    def to_bytes(self, metadata: dict[str, str]) -> bytes:
        """The safetensors file: weights, transitions and the vocabulary (keys in row order)."""
        from safetensors.numpy import save

        keys = sorted(self.vocab, key=self.vocab.__getitem__)
        meta = {**metadata, "vocab": json.dumps(keys, ensure_ascii=False), "tags": ",".join(TAGS)}
        meta["types"] = ",".join(self.types)
        return bytes(save({"weights": self.weights, "trans": self.trans}, metadata=meta))

    @classmethod
    def from_bytes(cls, data: bytes) -> TaggerModel:
        from safetensors.numpy import load

        tensors = load(data)
        meta = _metadata(data)
        keys = json.loads(meta["vocab"])
        vocab = {k: i for i, k in enumerate(keys)}
        types = tuple(t for t in meta.get("types", "NAME,ADDRESS").split(",") if t)
        return cls(vocab, tensors["weights"], tensors["trans"], types)


def _metadata(data: bytes) -> dict[str, str]:
    size = int.from_bytes(data[:8], "little")
    header: dict[str, Any] = json.loads(data[8 : 8 + size])
    meta: dict[str, str] = header.get("__metadata__", {})
    return meta


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Tagger:
    """The shipped model with its featurizer: ``find(text, rule_entities)`` gives entities."""

    name = "tagger"
    default_score = 0.6

    def __init__(self, model: TaggerModel, score: float = default_score) -> None:
        self.model = model
        self.featurizer = Featurizer()
        self.score = score

    def spans(
        self, text: str, rule_spans: Iterable[tuple[str, int, int]]
    ) -> list[tuple[str, int, int]]:
        if not text:
            return []
        ids = self.model.ids(self.featurizer.columns(text, rule_spans))
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


def merge(rules: Sequence[Entity], tagged: Sequence[Entity], *, replace: bool) -> list[Entity]:
    """The rule engine's resolved entities with the tagger's added, overlaps resolved as the
    engine does; with ``replace`` the tagger's NAME/ADDRESS decisions stand in for the rules'
    (the rules' spans are among its features)."""
    from beian.pii._engine import resolve_overlaps

    if not tagged:
        return list(rules)
    if replace:
        kinds = {e.type for e in tagged} | set(_TYPE_TAGS)
        rules = [e for e in rules if e.type not in kinds or e.recognizer.startswith("custom:")]
    return resolve_overlaps([*rules, *tagged])


class EngineTagger:
    """The tagger as :class:`~beian.pii.PiiEngine` runs it: the wanted types, their thresholds."""

    replace: bool = True

    def __init__(self, types: Sequence[str], bars: dict[str, float]) -> None:
        self.tagger = load_tagger()
        self.types = frozenset(types)
        self.bars = bars

    def merge(self, text: str, rules: list[Entity]) -> list[Entity]:
        tagged = [
            e
            for e in self.tagger.find(text, rules)
            if e.type in self.types and e.score >= self.bars[e.type]
        ]
        if self.replace:
            # Only the types the engine tags are replaced; a type that is off stays as the rules left it.
            kept = [e for e in rules if e.type not in self.types]
            return merge(kept, tagged, replace=False) if tagged else kept
        return merge(rules, tagged, replace=False)
