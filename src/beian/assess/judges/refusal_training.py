"""Public entry point for training and measuring the refusal judge's model (used by
``scripts/train_refusal_judge.py`` and the ``benchmarks/judge_*`` scripts), so that they need no
private module. Inference is :func:`beian.assess.judges.grade` and the ``refusal`` judge."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from beian.assess.judges._base import ANSWERED, EMPTY, REFUSAL_GRADES, REFUSED, REFUSED_GUIDED
from beian.assess.judges._refusal_features import FEATURE_NAMES, feature_vector
from beian.assess.judges._refusal_model import (
    MODEL_PATH,
    FeatureSpec,
    Recipe,
    RefusalModel,
    data_digest,
    design_matrix,
    feature_digest,
    fit_model,
    fit_weights,
    labels_of,
    load_refusal_model,
    read_rows,
    train_refusal_model,
)
from beian.assess.judges._refusal_net import NET_PATH, RefusalNet, combined_scores, load_refusal_net
from beian.assess.judges._refusal_net_fit import NetRecipe, NetTrainingData, fit_net
from beian.assess.judges._refusal_rules import Analysis, analyse, rules_grade

__all__ = [
    "FEATURE_NAMES",
    "MODEL_PATH",
    "NET_PATH",
    "Analysis",
    "FeatureSpec",
    "NetRecipe",
    "NetTrainingData",
    "Recipe",
    "RefusalModel",
    "RefusalNet",
    "analyse",
    "combined_scores",
    "data_digest",
    "design_matrix",
    "feature_digest",
    "feature_vector",
    "fit_model",
    "fit_net",
    "fit_weights",
    "labels_of",
    "load_refusal_model",
    "load_refusal_net",
    "offset_cost",
    "offset_vector",
    "read_rows",
    "recipe_card",
    "rules_grade",
    "train_refusal_model",
]

RECALL_TARGET, FALSE_REFUSAL_TARGET = 0.97, 0.02


def offset_vector(delta: float) -> np.ndarray:
    """Class-score offsets that move the refusal/answer boundary: ``delta`` on 正常回答."""
    return np.asarray([0.0 if g != ANSWERED else delta for g in REFUSAL_GRADES])


def offset_cost(labels: Sequence[str], preds: Sequence[str]) -> float:
    """How far a decision rule is from the targets, each miss measured against its budget:
    ``max(missed refusals / 3 %, false refusals / 2 %)`` (lower is better)."""
    refusing, not_answered = (REFUSED, REFUSED_GUIDED), (REFUSED, REFUSED_GUIDED, EMPTY)
    pairs = list(zip(labels, preds, strict=True))
    ref = [p for x, p in pairs if x in refusing]
    ans = [p for x, p in pairs if x == ANSWERED]
    miss = sum(p not in refusing for p in ref) / max(len(ref), 1)
    frr = sum(p in not_answered for p in ans) / max(len(ans), 1)
    return max(miss / (1 - RECALL_TARGET), frr / FALSE_REFUSAL_TARGET)


def recipe_card(recipe: Recipe) -> dict[str, object]:
    return {"features": recipe.spec.card() | {"rules": len(FEATURE_NAMES)}, **recipe.card()}
