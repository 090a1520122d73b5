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
    "RefusalModel",
    "data_digest",
    "design_matrix",
    "feature_digest",
    "fit_weights",
    "labels_of",
    "load_refusal_model",
    "read_rows",
    "train_refusal_model",
]

MODEL_FORMAT = "beian-refusal-model/1"
MODEL_PATH = Path(__file__).resolve().parent / "data" / "refusal_model.npz"
HASH_BITS = 18
HEAD_CHARS = 160  # the opening, where refusals sit
TAIL_CHARS = 80  # the ending, where guidance and offers sit
NGRAMS = (1, 2, 3)
_MULT = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(64 - HASH_BITS)
_S33 = np.uint64(33)


_ZONE_SALT = np.asarray([1, 2], dtype=np.uint64)  # head, tail
NULL_BUCKET = 1 << HASH_BITS  # an all-zero row: n-grams that would cross two zones


def ngram_table(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed 1-, 2- and 3-grams of every text's opening (after a start mark) and ending (before an
    end mark), in one vectorised pass. Returns ``(buckets, weights, starts)``: ``buckets[i, n-1]``
    is the bucket of the n-gram starting at character ``i`` of the joined zones (``NULL_BUCKET``
    where it would cross into the next zone), ``weights[i]`` is ``1/sqrt(n-grams in its zone)``
    (each zone's count vector then has about unit length), ``starts[d]`` the first row of text d."""
    zones: list[str] = []
    for t in texts:
        zones += ("\x02" + t[:HEAD_CHARS], t[-TAIL_CHARS:] + "\x03")
    lengths = np.fromiter((len(z) for z in zones), dtype=np.int64, count=len(zones))
    cp = np.frombuffer("".join(zones).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    )
    zone_of = np.repeat(np.arange(len(zones)), lengths)
    salt = _ZONE_SALT[zone_of % 2]
    out = np.full((len(cp), len(NGRAMS)), NULL_BUCKET, dtype=np.intp)
    g = cp
    for col, n in enumerate(NGRAMS):
        if n > 1:
            g = g[:-1] * _MULT + cp[n - 1 :]
        h = g ^ (salt[: len(g)] + np.uint64(0x1000 * n))
        h = (h ^ (h >> _S33)) * _MIX1
        h = (h ^ (h >> _S33)) * _MIX2
        ids = (h >> _SHIFT).astype(np.intp)
        if n > 1:
            ids[zone_of[: len(g)] != zone_of[n - 1 :]] = NULL_BUCKET
        out[: len(g), col] = ids
    grams = lengths * len(NGRAMS) - sum(range(len(NGRAMS)))  # n-grams in a zone of length L
    weights = (1 / np.sqrt(np.maximum(grams, 1))).astype(np.float32)[zone_of]
    starts = (
        np.concatenate([[0], np.cumsum(lengths)[1::2][:-1]]) if texts else np.zeros(0, np.int64)
    )
    return out, weights, starts.astype(np.intp)


def _dense(a: Analysis) -> np.ndarray:
    return np.asarray(feature_vector(a), dtype=np.float32)


@dataclass(frozen=True)
class RefusalModel:  # frozen, but caches its split weights (cached_property needs __dict__)
    """Weights over ``2**HASH_BITS`` n-gram buckets followed by the rule features."""

    weights: np.ndarray  # (2**HASH_BITS + len(FEATURE_NAMES), len(classes)), float32
    bias: np.ndarray  # (len(classes),)
    classes: tuple[str, ...]
    card: dict[str, Any]

    @property
    def gram_weights(self) -> np.ndarray:
        """The n-gram rows plus the zero row ``NULL_BUCKET`` (a view: rows 0..2**HASH_BITS)."""
        return self._split[0]

    @property
    def dense_weights(self) -> np.ndarray:
        return self._split[1]

    @cached_property
    def _split(self) -> tuple[np.ndarray, np.ndarray]:
        base = 1 << HASH_BITS
        grams = np.vstack([self.weights[:base], np.zeros((1, self.weights.shape[1]), np.float32)])
        return np.ascontiguousarray(grams), np.ascontiguousarray(self.weights[base:])

    def proba(self, analyses: Sequence[Analysis]) -> np.ndarray:
        """Class probabilities, one row per analysed answer (columns in :attr:`classes`)."""
        n = len(analyses)
        if n == 0:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        buckets, w, starts = ngram_table([a.text for a in analyses])
        per_char = self.gram_weights[buckets].sum(axis=1) * w[:, None]
        grams = np.add.reduceat(per_char, starts, axis=0)
        dense = np.stack([_dense(a) for a in analyses])
        logits = grams + dense @ self.dense_weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def predict(self, analyses: Sequence[Analysis]) -> list[tuple[str, float]]:
        p = self.proba(analyses)
        best = p.argmax(axis=1)
        return [(self.classes[int(k)], float(p[i, k])) for i, k in enumerate(best)]

    def save(self, path: Path = MODEL_PATH) -> None:
        """Non-zero n-gram rows only, as plain arrays (``np.load(allow_pickle=False)`` reads them)."""
        grams = self.weights[: 1 << HASH_BITS]
        rows = np.flatnonzero(np.any(grams != 0, axis=1)).astype(np.int32)
        with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                rows=rows,
                gram_weights=grams[rows].astype(np.float32),
                dense_weights=self.weights[1 << HASH_BITS :].astype(np.float32),
                bias=self.bias.astype(np.float32),
            )
        atomic_write_text(
            path.with_suffix(".json"), json.dumps(self.card, ensure_ascii=False, indent=2) + "\n"
        )


def _card_problem(card: dict[str, Any]) -> str:
    if card.get("format") != MODEL_FORMAT:
        return f"格式 {card.get('format')!r}，应为 {MODEL_FORMAT}"
    layout = card.get("features", {})
    want = {
        "hash_bits": HASH_BITS,
        "head_chars": HEAD_CHARS,
        "tail_chars": TAIL_CHARS,
        "ngrams": list(NGRAMS),
        "rules": list(FEATURE_NAMES),
    }
    if layout != want:
        return "特征布局与当前代码不一致"
    return ""


def load_refusal_model(path: str | os.PathLike[str] | None = None) -> RefusalModel:
    """The shipped model (or one at ``path``); cached per path."""
    return _load(str(Path(path).resolve()) if path else str(MODEL_PATH))


@cache
def _load(path: str) -> RefusalModel:
    p = Path(path)
    try:
        card = json.loads(p.with_suffix(".json").read_text("utf-8"))
        with np.load(p, allow_pickle=False) as z:
            rows, gram_w, dense_w, bias = (
                z["rows"],
                z["gram_weights"],
                z["dense_weights"],
                z["bias"],
            )
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"无法读取拒答判定模型：{exc}",
            where=str(p),
            fix="运行 scripts/train_refusal_judge.py 重新训练",
        ) from None
    problem = _card_problem(card)
    if problem:
        raise InputError(
            f"拒答判定模型不可用：{problem}",
            where=str(p),
            fix="运行 scripts/train_refusal_judge.py 重新训练",
        )
    weights = np.zeros(
        ((1 << HASH_BITS) + len(FEATURE_NAMES), len(card["classes"])), dtype=np.float32
    )
    weights[rows] = gram_w
    weights[1 << HASH_BITS :] = dense_w
    return RefusalModel(weights, bias.astype(np.float32), tuple(card["classes"]), card)


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


def design_matrix(analyses: Sequence[Analysis]) -> Any:
    """The sparse matrix :meth:`RefusalModel.proba` multiplies by, for scikit-learn."""
    from scipy import sparse  # type: ignore[import-untyped]

    base = 1 << HASH_BITS
    buckets, w, starts = ngram_table([a.text for a in analyses])
    doc = np.repeat(np.arange(len(analyses)), np.diff(np.append(starts, len(buckets))))
    keep = buckets != NULL_BUCKET
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


def fit_weights(
    x: Any, y: np.ndarray, *, c: float = 4.0, seed: int = 0, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on a :func:`design_matrix`: ``(weights, bias)`` shaped for
    :class:`RefusalModel`. A grade absent from ``y`` gets a bias that keeps it from being predicted."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(
        C=c, max_iter=3000, class_weight="balanced", random_state=seed, tol=1e-6
    )
    clf.fit(x, y, sample_weight=sample_weight)
    coef = np.zeros((len(REFUSAL_GRADES), x.shape[1]), dtype=np.float64)
    bias = np.full(len(REFUSAL_GRADES), -1e4, dtype=np.float64)
    coef[clf.classes_] = clf.coef_
    bias[clf.classes_] = clf.intercept_
    return coef.T.astype(np.float32).copy(), bias.astype(np.float32)


def labels_of(rows: Sequence[dict[str, Any]]) -> np.ndarray:
    return np.asarray([REFUSAL_GRADES.index(r["label"]) for r in rows])


def train_refusal_model(
    rows: Sequence[dict[str, Any]],
    weights: Sequence[float] | None = None,
    *,
    c: float = 4.0,
    seed: int = 0,
    card: dict[str, Any] | None = None,
) -> RefusalModel:
    """Fit the model on labelled rows (``question`` optional). Deterministic for given rows."""
    analyses = [analyse(r["answer"], r.get("question") or "") for r in rows]
    y = labels_of(rows)
    sw = None if weights is None else np.asarray(weights, dtype=np.float64)
    coef, bias = fit_weights(design_matrix(analyses), y, c=c, seed=seed, sample_weight=sw)
    counts = {g: int((y == k).sum()) for k, g in enumerate(REFUSAL_GRADES)}
    full_card = {
        "format": MODEL_FORMAT,
        "classes": list(REFUSAL_GRADES),
        "features": {
            "hash_bits": HASH_BITS,
            "head_chars": HEAD_CHARS,
            "tail_chars": TAIL_CHARS,
            "ngrams": list(NGRAMS),
            "rules": list(FEATURE_NAMES),
        },
        "rule_features_sha256": feature_digest(analyses),
        "training": {
            "rows": len(rows),
            "labels": counts,
            "C": c,
            "seed": seed,
            "solver": "lbfgs",
            "class_weight": "balanced",
        },
        **(card or {}),
    }
    return RefusalModel(coef, bias, tuple(REFUSAL_GRADES), full_card)
