"""A trained text classifier (scikit-learn style) as a corpus screener."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ModelClassifier:
    """Wraps a model with ``predict_proba`` and ``classes_`` (e.g. ``beian classifier train``).

    A document's score is the probability that it is not ``safe_label``: the sum over every
    risk class. Batches keep the per-call cost of scikit-learn low.
    """

    def __init__(self, model: Any, *, safe_label: str = "safe", fingerprint: str = "") -> None:
        classes = [str(c) for c in getattr(model, "classes_", [])]
        if safe_label not in classes:
            raise ValueError(f"model has no {safe_label!r} class (classes: {classes})")
        self.model = model
        self.safe_index = classes.index(safe_label)
        self.fingerprint = fingerprint or f"{type(model).__qualname__}:{classes}"

    def score_many(self, texts: Sequence[str]) -> list[float]:
        proba = self.model.predict_proba(list(texts))
        return [round(1.0 - float(row[self.safe_index]), 6) for row in proba]
