"""A learned character tagger for names and addresses, with the rule engine's decisions as features.

The model is an averaged structured perceptron over characters (tags ``O``, ``B``/``I`` of NAME
and of ADDRESS) decoded with Viterbi; it is trained by ``scripts/train_pii_tagger.py`` on the
project's labelled development sets and training text (with name-swapped copies) and shipped as
``data/pii_tagger.safetensors`` (weights and feature vocabulary) beside ``data/pii_tagger.json``
(the recipe, the training data's digests and the artefact's digest). Only numpy and
safetensors are needed, both core dependencies.

Features of character ``i`` (``TEMPLATES``): the characters at ``i-3…i+3``, the bigrams and the
trigram around it, character classes, the shipped name tables (surname and its frequency,
given-name character scores, common-word and given-name-pair starts), the rule engine's own
NAME/ADDRESS/other decisions around ``i`` ("rules as features") and names the rules found that
recur elsewhere in the text. Everything is computed from the text and the rules' result alone,
so the same text always gives the same spans. The features are defined as strings in
``_tagger_features`` (training); at run time ``_tagger_fast`` computes their rows with numpy.

:class:`~beian.pii.PiiEngine` runs it after the rules when ``pii.tagger`` is on
(:class:`EngineTagger`); it is not a registered recognizer because it reads the rules' result.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beian.pii._tagger_fast import FastIds
from beian.pii._tagger_features import BIAS, TAGS, TEMPLATES, Featurizer, tags_of
from beian.pii._tagger_tidy import tidy
from beian.pii._types import Entity

__all__ = [
    "BIAS",
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
    "spans_reference",
    "tags_of",
    "tidy",
    "viterbi",
    "viterbi_reference",
]

DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "pii_tagger.safetensors"
RECIPE_PATH = DATA / "pii_tagger.json"
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


# Deliberately repetitive: written out tag by tag it is twice as fast as max() over tuples of
# the candidates and 2.4 times as fast as the loops of viterbi_reference (200-character prompts).
def viterbi(emission: npt.NDArray[np.floating[Any]], trans: FloatArray) -> list[int]:
    """The best tag path (``trans``: ``(tags + 1, tags)``, start scores last); unrolled for the
    five tags, the arithmetic of :func:`viterbi_reference` step for step (a test checks it)."""
    n = len(emission)
    if n == 0:
        return []
    rows = emission.tolist()
    (t00, t01, _, t03, _), (t10, t11, t12, t13, _) = trans[:2].tolist()
    (t20, t21, t22, t23, _), (t30, t31, _, t33, t34) = trans[2:4].tolist()
    (t40, t41, _, t43, t44), start = trans[4].tolist(), trans[5].tolist()
    s0, s1, s2, s3, s4 = (a + b for a, b in zip(start, rows[0], strict=True))
    back: list[tuple[int, int, int, int, int]] = []
    for r0, r1, r2, r3, r4 in itertools.islice(rows, 1, None):
        m = s0 + t00
        b0 = 0
        v = s1 + t10
        if v > m:
            m, b0 = v, 1
        v = s2 + t20
        if v > m:
            m, b0 = v, 2
        v = s3 + t30
        if v > m:
            m, b0 = v, 3
        v = s4 + t40
        if v > m:
            m, b0 = v, 4
        n0 = m + r0
        m = s0 + t01
        b1 = 0
        v = s1 + t11
        if v > m:
            m, b1 = v, 1
        v = s2 + t21
        if v > m:
            m, b1 = v, 2
        v = s3 + t31
        if v > m:
            m, b1 = v, 3
        v = s4 + t41
        if v > m:
            m, b1 = v, 4
        n1 = m + r1
        m = s1 + t12
        b2 = 1
        v = s2 + t22
        if v > m:
            m, b2 = v, 2
        n2 = m + r2
        m = s0 + t03
        b3 = 0
        v = s1 + t13
        if v > m:
            m, b3 = v, 1
        v = s2 + t23
        if v > m:
            m, b3 = v, 2
        v = s3 + t33
        if v > m:
            m, b3 = v, 3
        v = s4 + t43
        if v > m:
            m, b3 = v, 4
        n3 = m + r3
        m = s3 + t34
        b4 = 3
        v = s4 + t44
        if v > m:
            m, b4 = v, 4
        n4 = m + r4
        back.append((b0, b1, b2, b3, b4))
        s0, s1, s2, s3, s4 = n0, n1, n2, n3, n4
    last = [s0, s1, s2, s3, s4]
    tag = last.index(max(last))
    path = [tag]
    for bp in reversed(back):
        tag = bp[tag]
        path.append(tag)
    path.reverse()
    return path


if _PREVS != [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [1, 2], [0, 1, 2, 3, 4], [3, 4]]:
    raise ImportError("viterbi is unrolled for the tags O, B/I-NAME, B/I-ADDRESS")


def viterbi_reference(emission: npt.NDArray[np.floating[Any]], trans: FloatArray) -> list[int]:
    """:func:`viterbi` written as loops over the tags (what the unrolled one is checked against)."""
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


_RUN = re.compile(rb"\x01\x02*|\x03\x04*")  # a B tag and the I tags of its type after it


def spans_of(path: Sequence[int]) -> list[tuple[str, int, int]]:
    """``(type, start, end)`` of each B…I run of a tag path (an I tag without its B is no
    span); the runs are found by a regular expression over the tags as bytes."""
    out: list[tuple[str, int, int]] = []
    tags = bytes(path)
    for m in _RUN.finditer(tags):
        a = m.start()
        out.append(("NAME" if tags[a] == 1 else "ADDRESS", a, m.end()))
    return out


def spans_reference(path: Sequence[int]) -> list[tuple[str, int, int]]:
    """:func:`spans_of` written as a loop over the tags (what it is checked against)."""
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

    @cached_property
    def weights32(self) -> FloatArray:
        """The weights widened to float32 once (summing float16 rows cast each value anew)."""
        return self.weights.astype(np.float32)

    def emission(self, ids: IntArray) -> FloatArray:
        # Template by template ((features, n, tags), summed over the first axis): the same
        # float32 additions in the same order as summing each character's row, faster;
        # ``take`` gathers the rows about three times as fast as indexing does.
        em: FloatArray = self.weights32.take(ids.T, axis=0).sum(axis=0)
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
        ids = self.fast.ids(text, rule_spans)
        return [s for s in spans_of(self.model.decode(ids)) if s[0] in self.model.types]

    def find(self, text: str, rules: Sequence[Entity]) -> list[Entity]:
        found = tidy(text, self.spans(text, [(e.type, e.start, e.end) for e in rules]))
        return [
            Entity(t, a, b, text[a:b], self.score, f"tagger:{t}")
            for t, a, b in found
            if text[a:b].strip()
        ]


def _build_tagger() -> Tagger:
    """The shipped tagger, read and built (about 4 s); a ConfigError in Chinese when it cannot
    be read or its vocabulary and the name tables do not fit this version's features."""
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
    try:
        return Tagger(model)
    except ValueError as exc:
        raise ConfigError(
            f"姓名/地址序列标注模型与本版本的特征不符，无法建立标注器（pii.tagger 需要它）：{exc}",
            where=str(MODEL_PATH),
            fix="运行 python scripts/train_pii_tagger.py 用本版本重新训练模型；"
            "也可在配置中关闭 pii.tagger",
        ) from None


_LOAD_LOCK = threading.Lock()  # held while the shipped tagger is built


class _Loader:
    """:func:`load_tagger`: the tagger is built once per process; threads that ask for it
    together wait for that one build (double-checked under ``_LOAD_LOCK``) instead of each
    building their own (about 4 s and 67 MiB each)."""

    def __init__(self) -> None:
        self._tagger: Tagger | None = None

    def __call__(self) -> Tagger:
        """The shipped tagger (read once per process)."""
        tagger = self._tagger
        if tagger is None:
            with _LOAD_LOCK:
                if self._tagger is None:
                    self._tagger = _build_tagger()
                tagger = self._tagger
        return tagger

    def cache_clear(self) -> None:
        """Forget the tagger built (the next call reads the model again)."""
        with _LOAD_LOCK:
            self._tagger = None


load_tagger = _Loader()


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
