"""Public entry point for training and measuring the learned name/address tagger (used by
``scripts/train_pii_tagger.py``), so that the script needs no private module. Inference is the
engine option ``pii.tagger`` (:class:`beian.pii.PiiConfig`)."""

from __future__ import annotations

from beian.pii._names import name_tables
from beian.pii._tagger import (
    BIAS,
    MODEL_PATH,
    RECIPE_PATH,
    TAGS,
    Featurizer,
    Tagger,
    TaggerModel,
    allowed_transitions,
    digest,
    merge,
    spans_of,
    tags_of,
    tidy,
    viterbi,
)

__all__ = [
    "BIAS",
    "MODEL_PATH",
    "RECIPE_PATH",
    "TAGS",
    "Featurizer",
    "Tagger",
    "TaggerModel",
    "allowed_transitions",
    "digest",
    "merge",
    "name_tables",
    "spans_of",
    "tags_of",
    "tidy",
    "viterbi",
]
