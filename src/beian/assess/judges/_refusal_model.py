"""The learned part of the refusal judge: hashed character n-grams of the answer's opening and
ending plus the structural features of ``_refusal_rules``, weighed by a multinomial logistic
regression over the four grades.

The weights ship as plain numpy arrays (``data/refusal_model.npz``, no pickle) with a JSON card
(``data/refusal_model.json``: format, feature layout, the SHA-256 of the training data, counts).
Inference needs numpy only: n-grams are hashed by this module (64-bit multiply-xor over code
points), so the artefact does not depend on a scikit-learn version. Training
(:func:`train_refusal_model`, used by ``scripts/train_refusal_judge.py``) uses scikit-learn's
``LogisticRegression`` (lbfgs, deterministic).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from beian.assess.judges._base import REFUSAL_GRADES
from beian.assess.judges._refusal_features import FEATURE_NAMES, feature_vector
from beian.assess.judges._refusal_rules import Analysis, analyse
from beian.errors import InputError, json_message
from beian.io import atomic_path, atomic_write_text

__all__ = [
    "MODEL_FORMAT",
    "MODEL_PATH",
    "FeatureSpec",
    "NgramTable",
    "Recipe",
    "RefusalModel",
    "card_problem",
    "coarser",
    "data_digest",
    "design_matrix",
    "feature_digest",
    "fit_model",
    "fit_weights",
    "labels_of",
    "load_refusal_model",
    "pack_rows",
    "read_artefact",
    "read_rows",
    "train_refusal_model",
    "unpack_rows",
    "write_artefact",
    "zone_row_sums",
]

_FIX = "运行 python scripts/train_refusal_judge.py 重新训练（会重写模型与网络两个文件）"
MODEL_FORMAT = "beian-refusal-model/2"
MODEL_PATH = Path(__file__).resolve().parent / "data" / "refusal_model.npz"
_MULT = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
ZONE_KINDS = ("head", "tail", "whole", "body", "question")


@dataclass(frozen=True)
class FeatureSpec:
    """Which character n-grams the model sees: ``zones`` are ``(kind, chars)`` pairs, ``head`` the
    opening (where refusals sit), ``tail`` the ending (guidance, offers), ``whole`` the answer up
    to ``chars`` characters, ``body`` what follows the opening up to ``chars`` characters of the
    answer (whether substance follows), ``question`` the question's opening; each zone hashes into
    its own salt."""

    hash_bits: int = 18
    zones: tuple[tuple[str, int], ...] = (("head", 160), ("tail", 80))
    ngrams: tuple[int, ...] = (1, 2, 3)

    @property
    def buckets(self) -> int:
        return 1 << self.hash_bits

    def card(self) -> dict[str, Any]:
        return {
            "hash_bits": self.hash_bits,
            "zones": [list(z) for z in self.zones],
            "ngrams": list(self.ngrams),
            "rules": list(FEATURE_NAMES),
        }

    @classmethod
    def from_card(cls, layout: dict[str, Any]) -> FeatureSpec:
        zones = tuple((str(k), int(n)) for k, n in layout["zones"])
        if (
            not all(k in ZONE_KINDS and n > 0 for k, n in zones)
            or not 8 <= layout["hash_bits"] <= 24
        ):
            raise ValueError(f"zones {zones}")
        return cls(int(layout["hash_bits"]), zones, tuple(int(n) for n in layout["ngrams"]))


def _zone(text: str, question: str, kind: str, chars: int, head: int) -> str:
    if kind == "body":  # what follows the opening zone, up to ``chars`` characters of the answer
        return "\x04" + text[head:chars]
    if kind == "head":
        return "\x02" + text[:chars]
    if kind == "tail":
        return text[-chars:] + "\x03"
    if kind == "question":
        return "\x01" + question[:chars]
    return "\x02" + text[:chars] + "\x03"


NgramTable = tuple[np.ndarray, np.ndarray, np.ndarray]  # what ngram_table returns


def ngram_table(
    texts: Sequence[str], spec: FeatureSpec, questions: Sequence[str] = ()
) -> NgramTable:
    """Hashed n-grams of every text's zones, in one vectorised pass. Returns
    ``(buckets, lengths, zone_weights)``: ``buckets[i, j]`` is the bucket of the
    ``spec.ngrams[j]``-gram starting at character ``i`` of the joined zones (``spec.buckets``, an
    all-zero row, where it would cross into the next zone), ``lengths[z]`` the characters of zone
    ``z`` (``len(spec.zones)`` zones per text, in order), ``zone_weights[z]`` is
    ``1/sqrt(n-grams in zone z)`` (each zone's count vector then has about unit length)."""
    nz = len(spec.zones)
    zones: list[str] = []
    qs = questions or [""] * len(texts)
    head = dict(spec.zones).get("head", 0)
    for t, q in zip(texts, qs, strict=True):
        zones += (_zone(t, q, k, n, head) for k, n in spec.zones)
    lengths = np.fromiter((len(z) for z in zones), dtype=np.int64, count=len(zones))
    cp = np.frombuffer("".join(zones).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    )
    size = len(cp)
    salts = np.tile(np.arange(1, nz + 1, dtype=np.uint64), len(texts))
    salt = np.repeat(salts, lengths)  # the salt of each character's zone
    ends = np.cumsum(lengths)  # zones are never empty: each starts or ends with a marker
    null, shift = spec.buckets, np.uint64(64 - spec.hash_bits)
    out = np.empty((size, len(spec.ngrams)), dtype=np.intp)
    codes, tmp = {1: cp}, np.empty(size, dtype=np.uint64)  # codes[n]: of the n-gram at each start
    for n in range(2, max(spec.ngrams, default=1) + 1):
        codes[n] = codes[n - 1][: size - n + 1] * _MULT  # wraps around as the slow form did
        codes[n] += cp[n - 1 :]
    for col, n in enumerate(spec.ngrams):
        count = max(size - n + 1, 0)
        h = np.bitwise_xor(codes[n][:count], salt[:count] + np.uint64(0x1000 * n))
        scratch = tmp[:count]
        np.right_shift(h, _S33, out=scratch)
        h ^= scratch
        h *= _MIX1
        np.right_shift(h, _S33, out=scratch)
        h ^= scratch
        h *= _MIX2
        h >>= shift  # below 2**hash_bits: the same number as a signed integer
        ids = h.view(np.int64)
        if n > 1:  # n-grams that start in the last n-1 characters of a zone cross into the next
            cross = (ends[:, None] - np.arange(1, n)[None, :]).ravel()
            ids[cross[(cross >= 0) & (cross < count)]] = null
        out[:count, col] = ids
        out[count:, col] = null
    grams = np.maximum(lengths[:, None] - np.asarray(spec.ngrams)[None, :] + 1, 0).sum(axis=1)
    return out, lengths, (1 / np.sqrt(np.maximum(grams, 1))).astype(np.float32)


def coarser(table: NgramTable, spec: FeatureSpec, coarse: FeatureSpec) -> NgramTable | None:
    """The :func:`ngram_table` of the same texts for ``coarse`` (same zones and n-grams, fewer
    hash bits) from the one for ``spec``: each bucket's leading bits (the hash is cut from the
    top), the zone-crossing bucket onto the coarse one. ``None`` if the layouts differ."""
    if (spec.zones, spec.ngrams) != (coarse.zones, coarse.ngrams) or (
        coarse.hash_bits > spec.hash_bits
    ):
        return None
    buckets, lengths, zone_w = table
    return buckets >> (spec.hash_bits - coarse.hash_bits), lengths, zone_w


def _zone_sums(
    gram_weights: tuple[np.ndarray, np.ndarray],
    texts: Sequence[str],
    questions: Sequence[str],
    spec: FeatureSpec,
    table: NgramTable | None = None,
) -> np.ndarray:
    """The n-gram part of the class scores, one row per text: each zone's n-gram weights summed,
    scaled by the zone's weight, summed over the zones (``gram_weights``: the n-gram weights and
    the same transposed; ``table``: the texts' :func:`ngram_table` if already made)."""
    buckets, lengths, zone_w = table or ngram_table(texts, spec, questions)
    per_zone = zone_row_sums(*gram_weights, buckets, lengths, len(spec.ngrams))
    per_text = (per_zone * zone_w[:, None]).reshape(len(texts), len(spec.zones), -1)
    return np.asarray(per_text.sum(axis=1))


_BY_COLUMNS = 256  # zones (64 answers of four zones) from which gathering by columns is faster


def zone_row_sums(
    table: np.ndarray, table_t: np.ndarray, buckets: np.ndarray, lengths: np.ndarray, k: int
) -> np.ndarray:
    """The rows of a hashed table at ``buckets`` (an :func:`ngram_table`'s), summed zone by zone:
    ``(len(lengths), table.shape[1])``, C-contiguous. ``table_t`` is the same table transposed
    (one contiguous row per column). For many zones (a batch) the columns are gathered and summed
    along contiguous rows, which is about twice as fast as summing rows across the table's width;
    for a few zones (one answer) gathering whole rows is faster. Both give the same sums, bit for
    bit (the same pairwise order; ``tests/assess/test_refusal_speed.py`` checks it)."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) * k  # zones are never empty
    if len(lengths) < _BY_COLUMNS:
        rows = np.take(table, buckets.ravel(), axis=0)  # not table[...]: 10 times slower
        return np.asarray(np.add.reduceat(rows, starts, axis=0))
    cols = np.take(table_t, buckets.ravel(), axis=1)
    return np.ascontiguousarray(np.add.reduceat(cols, starts, axis=1).T)


def _dense(a: Analysis) -> np.ndarray:
    return np.asarray(feature_vector(a), dtype=np.float32)


@dataclass(frozen=True)
class RefusalModel:  # frozen, but caches its split weights (cached_property needs __dict__)
    """Weights over ``spec.buckets`` n-gram buckets followed by the rule features."""

    weights: np.ndarray  # (spec.buckets + len(FEATURE_NAMES), len(classes)), float32
    bias: np.ndarray  # (len(classes),)
    classes: tuple[str, ...]
    card: dict[str, Any]
    spec: FeatureSpec = FeatureSpec()

    @property
    def gram_weights(self) -> np.ndarray:
        """The n-gram rows plus a zero row at ``spec.buckets`` (n-grams crossing two zones)."""
        return self._split[0]

    @property
    def dense_weights(self) -> np.ndarray:
        return self._split[1]

    @cached_property
    def _split(self) -> tuple[np.ndarray, np.ndarray]:
        base = self.spec.buckets
        grams = np.vstack([self.weights[:base], np.zeros((1, self.weights.shape[1]), np.float32)])
        return np.ascontiguousarray(grams), np.ascontiguousarray(self.weights[base:])

    @cached_property
    def _gram_weights_t(self) -> np.ndarray:
        """:attr:`gram_weights` transposed, one contiguous row per class (for :func:`_zone_sums`)."""
        return np.ascontiguousarray(self.gram_weights.T)

    def logits(
        self,
        analyses: Sequence[Analysis],
        dense: np.ndarray | None = None,
        table: NgramTable | None = None,
    ) -> np.ndarray:
        """Class scores before the softmax, one row per analysed answer (``dense``: their rule
        features, ``table``: their :func:`ngram_table`, if already computed)."""
        if not analyses:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        texts, questions = [a.text for a in analyses], [a.question for a in analyses]
        grams = _zone_sums(
            (self.gram_weights, self._gram_weights_t), texts, questions, self.spec, table
        )
        if dense is None:
            dense = np.asarray([feature_vector(a) for a in analyses], dtype=np.float32)
        return np.asarray(grams + dense @ self.dense_weights + self.bias)

    def proba(self, analyses: Sequence[Analysis]) -> np.ndarray:
        """Class probabilities, one row per analysed answer (columns in :attr:`classes`)."""
        logits = self.logits(analyses)
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def predict(self, analyses: Sequence[Analysis]) -> list[tuple[str, float]]:
        p = self.proba(analyses)
        best = p.argmax(axis=1)
        return [(self.classes[int(k)], float(p[i, k])) for i, k in enumerate(best)]

    def save(self, path: Path = MODEL_PATH) -> None:
        """Non-zero n-gram rows only, as plain arrays (``np.load(allow_pickle=False)`` reads them):
        row numbers as gaps (uint8 where they fit), weights in float16 scaled per class."""
        gaps, grams, scale = pack_rows(self.weights[: self.spec.buckets])
        arrays = {
            "row_gaps": gaps,
            "gram_weights": grams,
            "gram_scale": scale,
            "dense_weights": self.weights[self.spec.buckets :].astype(np.float32),
            "bias": self.bias.astype(np.float32),
        }
        write_artefact(path, arrays, self.card)


def pack_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-zero rows of a hashed table: row numbers as gaps (uint8 where they fit), the rows
    in float16 scaled per column, and the scales (the inverse of :func:`read_artefact`'s rows)."""
    rows = np.flatnonzero(np.any(table != 0, axis=1))
    scale = (
        np.maximum(np.abs(table[rows]).max(axis=0), 1e-12) / 60000.0
        if len(rows)
        else np.ones(table.shape[1])
    )
    gaps = np.diff(rows, prepend=0)
    return (
        gaps.astype(np.uint8 if gaps.max(initial=0) < 256 else np.uint32),
        (table[rows] / scale).astype(np.float16),
        scale.astype(np.float32),
    )


def write_artefact(path: Path, arrays: dict[str, Any], card: dict[str, Any]) -> None:
    """A judge artefact: the arrays (``.npz``) and its card (``.json`` beside it), each atomically."""
    with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    atomic_write_text(
        path.with_suffix(".json"), json.dumps(card, ensure_ascii=False, indent=2) + "\n"
    )


def read_artefact(
    path: Path, names: Sequence[str], what: str, fmt: str
) -> tuple[dict[str, Any], dict[str, np.ndarray], FeatureSpec, np.ndarray]:
    """A judge artefact written by :func:`write_artefact`: its card, the arrays ``names``, the
    feature layout and the stored row numbers (``row_gaps`` summed), checked against each other.
    ``what`` names it in the errors (拒答判定模型, 拒答判定网络)."""
    try:
        card = json.loads(path.with_suffix(".json").read_text("utf-8"))
        with np.load(path, allow_pickle=False) as z:
            arrays = {n: z[n] for n in ("row_gaps", *names)}
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"无法读取{what}：{exc}", where=str(path), fix=_FIX) from None
    if problem := card_problem(card, fmt):
        raise InputError(f"{what}不可用：{problem}", where=str(path), fix=_FIX)
    spec = FeatureSpec.from_card(card["features"])
    rows = np.cumsum(arrays["row_gaps"].astype(np.int64))
    if len(rows) and rows[-1] >= spec.buckets:
        raise InputError(f"{what}不可用：特征布局与权重不一致", where=str(path), fix=_FIX)
    return card, arrays, spec, rows


def unpack_rows(
    arrays: dict[str, np.ndarray],
    rows: np.ndarray,
    names: tuple[str, str],
    shape: tuple[int, int],
    path: Path,
    what: str,
) -> np.ndarray:
    """The dense ``shape`` table of a packed array (the inverse of :func:`pack_rows`): the stored
    rows ``arrays[names[0]]`` times their column scales ``arrays[names[1]]`` at the row numbers ``rows`` of
    :func:`read_artefact`, zeros elsewhere. A file whose row numbers, rows and scales disagree
    (corrupt, cut short, or assembled from two trainings) is an :class:`InputError` naming it."""
    name, scale_name = names
    values, scale = arrays[name], arrays[scale_name]
    cols = shape[1]
    if values.ndim != 2 or values.shape != (len(rows), cols) or scale.shape != (cols,):
        raise InputError(
            f"{what}不可用：{len(rows)} 个行号、{values.shape[0] if values.ndim else 0} 行权重"
            f"（{name}，形状 {values.shape}，缩放 {scale.shape}），应为 {len(rows)} 行 × {cols} 列"
            "：文件损坏、不完整或来自不同的训练",
            where=str(path),
            fix=_FIX,
        )
    table = np.zeros(shape, dtype=np.float32)
    table[rows] = values.astype(np.float32) * scale.astype(np.float32)
    return table


def card_problem(card: dict[str, Any], fmt: str = MODEL_FORMAT) -> str:
    """What makes a model card unusable by this code ("" if nothing): its format, its layout."""
    if card.get("format") != fmt:
        return f"格式 {card.get('format')!r}，应为 {fmt}"
    layout = card.get("features", {})
    try:
        spec = FeatureSpec.from_card(layout)
    except (KeyError, TypeError, ValueError):
        return "特征布局无法识别"
    if layout != spec.card():
        return "特征布局与当前代码不一致"
    return ""


def load_refusal_model(path: str | os.PathLike[str] | None = None) -> RefusalModel:
    """The shipped model (or one at ``path``); cached per path."""
    return _load(str(Path(path).resolve()) if path else str(MODEL_PATH))


@cache
def _load(path: str) -> RefusalModel:
    p = Path(path)
    names = ("gram_weights", "gram_scale", "dense_weights", "bias")
    what = "拒答判定模型"
    card, z, spec, rows = read_artefact(p, names, what, MODEL_FORMAT)
    n_cls = len(card["classes"])
    if z["dense_weights"].shape != (len(FEATURE_NAMES), n_cls):
        raise InputError(f"{what}不可用：特征布局与权重不一致", where=str(p), fix=_FIX)
    shape = (spec.buckets + len(FEATURE_NAMES), n_cls)
    weights = unpack_rows(z, rows, ("gram_weights", "gram_scale"), shape, p, what)
    weights[spec.buckets :] = z["dense_weights"]
    return RefusalModel(weights, z["bias"].astype(np.float32), tuple(card["classes"]), card, spec)


# --- training ------------------------------------------------------------------------------


def read_rows(paths: Iterable[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Labelled rows (JSONL with at least ``answer`` and ``label``) from several files."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        p = Path(path)
        for i, line in enumerate(
            p.read_text("utf-8").split("\n"), start=1
        ):  # not splitlines: \x85 is data
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"JSON 格式错误：{json_message(exc)}", where=f"{p}:{i}") from None
            if row.get("label") not in REFUSAL_GRADES or not isinstance(row.get("answer"), str):
                raise InputError(
                    "缺少 answer 或 label 不是四级之一",
                    where=f"{p}:{i}",
                    fix="label：" + "、".join(REFUSAL_GRADES),
                )
            rows.append(row)
    return rows


def data_digest(
    paths: Iterable[str | os.PathLike[str]], root: Path | None = None
) -> dict[str, Any]:
    """SHA-256 of each training file and of them all (in the given order), paths relative to ``root``."""
    files, total = [], hashlib.sha256()
    for path in paths:
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        total.update(digest.encode())
        name = Path(path).resolve()
        shown = name.relative_to(root) if root and name.is_relative_to(root) else name
        files.append({"path": str(shown), "sha256": digest, "rows": data.count(b"\n")})
    return {"files": files, "sha256": total.hexdigest()}


def design_matrix(analyses: Sequence[Analysis], spec: FeatureSpec = FeatureSpec()) -> Any:
    """The sparse matrix :meth:`RefusalModel.logits` multiplies by, for scikit-learn."""
    from scipy import sparse  # type: ignore[import-untyped]

    base = spec.buckets
    buckets, lengths, zone_w = ngram_table(
        [a.text for a in analyses], spec, [a.question for a in analyses]
    )
    zone_of = np.repeat(np.arange(len(lengths)), lengths)
    doc = zone_of // len(spec.zones)
    w = zone_w[zone_of]
    keep = buckets != base
    g_doc = np.broadcast_to(doc[:, None], buckets.shape)[keep]
    g_w = np.broadcast_to(w[:, None], buckets.shape)[keep]
    dense = (
        np.stack([_dense(a) for a in analyses]) if analyses else np.zeros((0, len(FEATURE_NAMES)))
    )
    drow, dcol = np.nonzero(dense)
    m = sparse.coo_matrix(
        (
            np.concatenate([g_w, dense[drow, dcol]]),
            (np.concatenate([g_doc, drow]), np.concatenate([buckets[keep], dcol + base])),
        ),
        shape=(len(analyses), base + len(FEATURE_NAMES)),
    ).tocsr()  # duplicates (an n-gram seen twice) are summed
    m.sort_indices()
    return m


def feature_digest(analyses: Sequence[Analysis]) -> str:
    """SHA-256 of the rule features of the training rows: changes when the rules change, so a
    test can tell that the shipped model was trained with the current rules."""
    dense = (
        np.stack([_dense(a) for a in analyses]) if analyses else np.zeros((0, len(FEATURE_NAMES)))
    )
    return hashlib.sha256(np.round(dense, 5).astype(np.float32).tobytes()).hexdigest()


@dataclass(frozen=True)
class Recipe:
    """How a model is trained: the features, the regularisation and the decision rule
    (``offsets`` are added to the class scores; a positive offset on 正常回答 trades refusal
    recall for fewer false refusals; ``dense_scale`` multiplies the rule features while fitting,
    i.e. weakens their penalty against the n-grams', and is folded back into their weights)."""

    spec: FeatureSpec = FeatureSpec()
    c: float = 16.0
    tol: float = 1e-6
    offsets: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    dense_scale: float = 1.0

    def card(self) -> dict[str, Any]:
        return {
            "C": self.c,
            "tol": self.tol,
            "dense_scale": self.dense_scale,
            "decision_offsets": dict(zip(REFUSAL_GRADES, self.offsets, strict=True)),
            "solver": "lbfgs",
            "class_weight": "balanced",
        }


def fit_weights(
    x: Any,
    y: np.ndarray,
    *,
    c: float = 4.0,
    seed: int = 0,
    sample_weight: np.ndarray | None = None,
    tol: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on a :func:`design_matrix`: ``(weights, bias)`` shaped for
    :class:`RefusalModel`. A grade absent from ``y`` gets a bias that keeps it from being predicted."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(
        C=c, max_iter=3000, class_weight="balanced", random_state=seed, tol=tol
    )
    clf.fit(x, y, sample_weight=sample_weight)
    coef = np.zeros((len(REFUSAL_GRADES), x.shape[1]), dtype=np.float64)
    bias = np.full(len(REFUSAL_GRADES), -1e4, dtype=np.float64)
    coef[clf.classes_] = clf.coef_
    bias[clf.classes_] = clf.intercept_
    return coef.T.astype(np.float32).copy(), bias.astype(np.float32)


def labels_of(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    return np.asarray([REFUSAL_GRADES.index(r["label"]) for r in rows])


def fit_model(
    x: Any,
    y: np.ndarray,
    recipe: Recipe,
    *,
    seed: int = 0,
    sample_weight: np.ndarray | None = None,
    card: dict[str, Any] | None = None,
) -> RefusalModel:
    """A model from a design matrix made with ``recipe.spec`` (the offsets go into the bias)."""
    base, k = recipe.spec.buckets, recipe.dense_scale
    if k != 1.0:
        from scipy import sparse

        scale = np.ones(x.shape[1])
        scale[base:] = k
        x = x @ sparse.diags(scale)
    w, b = fit_weights(x, y, c=recipe.c, seed=seed, sample_weight=sample_weight, tol=recipe.tol)
    w[base:] *= np.float32(k)  # the model reads the features unscaled
    b = b + np.asarray(recipe.offsets, dtype=np.float32)
    return RefusalModel(w, b, tuple(REFUSAL_GRADES), card or {}, recipe.spec)


def train_refusal_model(
    rows: Sequence[dict[str, Any]],
    weights: Sequence[float] | None = None,
    *,
    recipe: Recipe = Recipe(),
    seed: int = 0,
    card: dict[str, Any] | None = None,
) -> RefusalModel:
    """Fit the model on labelled rows (``question`` optional). Deterministic for given rows."""
    analyses = [analyse(r["answer"], r.get("question") or "") for r in rows]
    y = labels_of(rows)
    sw = None if weights is None else np.asarray(weights, dtype=np.float64)
    counts = {g: int((y == k).sum()) for k, g in enumerate(REFUSAL_GRADES)}
    full_card = {
        "format": MODEL_FORMAT,
        "classes": list(REFUSAL_GRADES),
        "features": recipe.spec.card(),
        "rule_features_sha256": feature_digest(analyses),
        "training": {"rows": len(rows), "labels": counts, "seed": seed, **recipe.card()},
        **(card or {}),
    }
    x = design_matrix(analyses, recipe.spec)
    return fit_model(x, y, recipe, seed=seed, sample_weight=sw, card=full_card)
