"""The classifier stage: the ``beian classifier`` model on the request's texts and on each
completed sentence of the answer (in-process).

The model is a scikit-learn pipeline (character n-gram TF-IDF, then a linear model with the
logistic loss). Its ``predict_proba`` spends a millisecond or more per call in input validation
and sparse-matrix set-up, several times the gateway's whole CPU budget per streamed request;
:class:`LinearScorer` computes the same probabilities from the fitted pipeline's own vocabulary,
IDF weights and coefficients with one dictionary look-up per n-gram (a few tens of
microseconds per sentence). A pipeline of any other shape is called as it is.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian.gateway._moderation_config import ClassifierStageConfig

__all__ = ["ClassifierStage", "Finding", "LinearScorer"]

_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer folds runs of white space


class LinearScorer:
    """``predict_proba`` of a fitted ``TfidfVectorizer(analyzer="char") → linear log-loss``
    pipeline, computed directly (see the module's docstring)."""

    def __init__(self, vectorizer: Any, linear: Any) -> None:
        self.lowercase = bool(vectorizer.lowercase)
        self.min_n, self.max_n = vectorizer.ngram_range
        self.sublinear = bool(vectorizer.sublinear_tf)
        idf = vectorizer.idf_
        coef = linear.coef_
        self.intercept = [float(b) for b in linear.intercept_]
        # n-gram → (idf², idf × coefficient of each class row)
        self.weights: dict[str, tuple[float, tuple[float, ...]]] = {
            g: (float(idf[j]) ** 2, tuple(float(idf[j] * coef[c, j]) for c in range(coef.shape[0])))
            for g, j in vectorizer.vocabulary_.items()
        }

    @classmethod
    def of(cls, model: Any) -> LinearScorer | None:
        """A scorer for ``model`` when it is a pipeline of that shape, else None."""
        steps = getattr(model, "steps", None)
        if not steps or len(steps) != 2:
            return None
        vec, lin = steps[0][1], steps[1][1]
        shape_ok = (
            type(vec).__name__ == "TfidfVectorizer"
            and vec.analyzer == "char"
            and vec.norm == "l2"
            and vec.use_idf
            and vec.preprocessor is None
            and vec.strip_accents is None
            and getattr(lin, "loss", None) in ("log_loss", "log")
            and hasattr(lin, "coef_")
        )
        return cls(vec, lin) if shape_ok else None

    def _counts(self, text: str) -> Counter[str]:
        """How often each n-gram of ``text`` that is in the vocabulary occurs, in the order of
        their first occurrence in scikit-learn's n-gram list (so the sums below add up in the
        same order as over all of them); the others count for nothing, and a sentence has many
        more of them than of the vocabulary's."""
        t = _SPACES.sub(" ", text.lower() if self.lowercase else text)
        size = len(t)
        weights = self.weights
        return Counter(
            [
                g
                for n in range(self.min_n, self.max_n + 1)
                for i in range(size - n + 1)
                if (g := t[i : i + n]) in weights
            ]
        )

    def proba(self, text: str) -> list[float]:
        """The probabilities of the model's classes, in ``classes_`` order."""
        k = len(self.intercept)
        dot = [0.0] * k
        norm = 0.0
        weights = self.weights
        sublinear = self.sublinear
        for g, tf in self._counts(text).items():
            idf2, cs = weights[g]
            f = (1.0 + math.log(tf) if sublinear else float(tf)) if tf > 1 else 1.0
            norm += f * f * idf2
            for c in range(k):
                dot[c] += f * cs[c]
        scale = 1.0 / math.sqrt(norm) if norm > 0 else 0.0
        p = [
            1.0 / (1.0 + math.exp(-(d * scale + b)))
            for d, b in zip(dot, self.intercept, strict=True)
        ]
        if k == 1:
            return [1.0 - p[0], p[0]]
        total = sum(p)
        return [x / total for x in p] if total > 0 else [1.0 / k] * k


@dataclass(frozen=True)
class Finding:
    """What one check found: the risk codes, how sure (level, score), which model said so."""

    stage: str  # "input" | "output"
    check: str  # "keyword" | "classifier" | "guard"
    risks: tuple[str, ...]
    level: str  # "unsafe" | "controversial" | "error"
    score: float | None = None
    model: str = ""
    note: str = ""


class ClassifierStage:
    """A model trained by ``beian classifier train``; the label ``safe`` means no risk."""

    def __init__(self, cfg: ClassifierStageConfig) -> None:
        from beian.assess.judges import load_classifier

        self.cfg = cfg
        self.model, metrics = load_classifier(cfg.model)
        classes = [str(c) for c in self.model.classes_]
        self.risky = [i for i, c in enumerate(classes) if c != "safe"]
        self.classes = classes
        digest = hashlib.sha256(Path(cfg.model).read_bytes()).hexdigest()[:12]
        self.name = f"{Path(cfg.model).name}@{digest}"
        self.trained_at = str(metrics.get("trained_at", ""))
        self.scorer = LinearScorer.of(self.model)
        if self.scorer is None:
            self.model.predict_proba(["预热"])  # load sklearn's lazy parts now, not per request

    def proba(self, texts: Sequence[str]) -> list[list[float]]:
        if self.scorer is not None:
            return [self.scorer.proba(t) for t in texts]
        return [list(map(float, row)) for row in self.model.predict_proba(list(texts))]

    def check(self, texts: Sequence[str], stage: str) -> Finding | None:
        """The most likely risk label over ``texts``, or None when no risk label of any text
        is as likely as ``flag_threshold`` (when set, else ``threshold``)."""
        texts = [t for t in texts if t.strip()]
        if not texts or not self.risky:
            return None
        score, col = max((row[c], c) for row in self.proba(texts) for c in self.risky)
        floor = self.cfg.flag_threshold or self.cfg.threshold
        if score < min(floor, self.cfg.threshold):
            return None
        level = "unsafe" if score >= self.cfg.threshold else "controversial"
        risk = self.classes[col]
        return Finding(stage, "classifier", (risk,), level, round(score, 4), self.name)
