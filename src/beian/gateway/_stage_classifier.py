"""The classifier stage: the ``beian classifier`` model on the request's texts and on each
completed sentence of the answer (in-process, about a tenth of a millisecond per call)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian.gateway._moderation_config import ClassifierStageConfig

__all__ = ["ClassifierStage", "Finding"]


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
        self.model.predict_proba(["预热"])  # load sklearn's lazy parts now, not per request

    def check(self, texts: Sequence[str], stage: str) -> Finding | None:
        """The most likely risk over ``texts`` (one call for all), or None when each text is
        more likely safe than any risk at ``flag_threshold`` (or ``threshold``)."""
        texts = [t for t in texts if t.strip()]
        if not texts or not self.risky:
            return None
        proba: Any = self.model.predict_proba(texts)
        risky = proba[:, self.risky]
        row, col = divmod(int(risky.argmax()), len(self.risky))
        score = float(risky[row, col])
        floor = self.cfg.flag_threshold or self.cfg.threshold
        if score < min(floor, self.cfg.threshold):
            return None
        level = "unsafe" if score >= self.cfg.threshold else "controversial"
        risk = self.classes[self.risky[col]]
        return Finding(stage, "classifier", (risk,), level, round(score, 4), self.name)
