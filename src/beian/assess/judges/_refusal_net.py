"""The non-linear part of the refusal judge: a small network over the same hashed character
n-grams, read zone by zone, and the rules' structural features.

Each zone of the answer (its opening, its ending, the whole answer, the question's opening: see
``FeatureSpec``) is summed into its own small embedding (a bag of hashed n-grams, scaled like the
linear model's zones); the zone embeddings and the rule features go through one hidden layer
(ReLU) and a linear skip to the four grades. Unlike the linear model it can weigh *combinations*:
a refusal in the opening with or without substance in the rest, a constructive last clause after
a refusal. The judge adds its class scores to the linear model's (``combine`` in the card: the
weight of the network and the decision offsets).

Inference is numpy only; the weights ship as plain arrays (``data/refusal_net.npz``, no pickle:
the embedding rows of buckets seen in training, float16 scaled per column, row numbers as gaps)
with a JSON card. Training needs PyTorch (the ``train`` extra), in
``scripts/train_refusal_judge.py`` through :mod:`beian.assess.judges.refusal_training`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from beian.assess.judges._refusal_features import FEATURE_NAMES, feature_vector
from beian.assess.judges._refusal_model import (
    _FIX,
    FeatureSpec,
    NgramTable,
    RefusalModel,
    coarser,
    ngram_table,
    pack_rows,
    read_artefact,
    unpack_rows,
    write_artefact,
    zone_row_sums,
)
from beian.assess.judges._refusal_rules import Analysis
from beian.errors import InputError

__all__ = [
    "NET_FORMAT",
    "NET_PATH",
    "RefusalNet",
    "combined_scores",
    "load_refusal_net",
    "zone_bags",
]

NET_FORMAT = "beian-refusal-net/1"
NET_PATH = Path(__file__).resolve().parent / "data" / "refusal_net.npz"
_ARRAYS = ("w1", "b1", "w2", "b2", "ws", "bs")


def zone_bags(
    emb: tuple[np.ndarray, np.ndarray],
    texts: list[str],
    questions: list[str],
    spec: FeatureSpec,
    table: NgramTable | None = None,
) -> np.ndarray:
    """Each text's zones as embedding sums, side by side: ``(len(texts), zones * width)``.
    ``emb``: the embedding table, ``(spec.buckets + 1, width)`` with the last row zero (n-grams
    crossing two zones), and the same transposed; ``table``: the texts' :func:`ngram_table`, if
    already made."""
    buckets, lengths, zone_w = table or ngram_table(texts, spec, questions)
    per_zone = zone_row_sums(*emb, buckets, lengths, len(spec.ngrams)) * zone_w[:, None]
    return np.asarray(per_zone.reshape(len(texts), -1))


@dataclass(frozen=True)
class RefusalNet:
    """``emb``: (spec.buckets + 1, width), the last row zero; the layers act on the zone bags
    followed by the rule features."""

    emb: np.ndarray
    w1: np.ndarray  # (zones * width + rules, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, 4)
    b2: np.ndarray
    ws: np.ndarray  # (zones * width + rules, 4), the linear skip
    bs: np.ndarray
    spec: FeatureSpec
    card: dict[str, Any] = field(default_factory=dict)

    def logits(
        self,
        texts: list[str],
        questions: list[str],
        dense: np.ndarray,
        table: NgramTable | None = None,
    ) -> np.ndarray:
        """Class scores, one row per answer (``dense``: the rule features, one row each;
        ``table``: the texts' :func:`ngram_table` for ``spec``, if already made)."""
        if not texts:
            return np.zeros((0, self.w2.shape[1]), dtype=np.float32)
        bags = zone_bags((self.emb, self.emb_t), texts, questions, self.spec, table)
        x = np.concatenate([bags, dense], axis=1)
        h = np.maximum(x @ self.w1 + self.b1, 0.0)
        return np.asarray(h @ self.w2 + self.b2 + x @ self.ws + self.bs, dtype=np.float32)

    @cached_property
    def emb_t(self) -> np.ndarray:
        """The embedding table transposed, one contiguous row per dimension (for :func:`zone_bags`)."""
        return np.ascontiguousarray(self.emb.T)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The embedding table and the layers, in a fixed order."""
        return (self.emb, *(getattr(self, n) for n in _ARRAYS))

    def save(self, path: Path = NET_PATH) -> None:
        """The embedding rows of buckets seen in training only (the others are zero)."""
        gaps, emb, scale = pack_rows(self.emb[:-1])
        arrays = {n: np.asarray(getattr(self, n), np.float32) for n in _ARRAYS}
        write_artefact(
            path, {**arrays, "row_gaps": gaps, "emb": emb, "emb_scale": scale}, self.card
        )


def load_refusal_net(path: str | os.PathLike[str] | None = None) -> RefusalNet:
    """The shipped network (or one at ``path``); cached per path."""
    return _load(str(Path(path).resolve()) if path else str(NET_PATH))


@cache
def _load(path: str) -> RefusalNet:
    p = Path(path)
    what = "拒答判定网络"
    card, z, spec, rows = read_artefact(p, ("emb", "emb_scale", *_ARRAYS), what, NET_FORMAT)
    arrays = {n: z[n].astype(np.float32) for n in _ARRAYS}
    width = z["emb"].shape[-1]
    if arrays["w1"].shape[0] != len(spec.zones) * width + len(FEATURE_NAMES):
        raise InputError(f"{what}不可用：特征布局与权重不一致", where=str(p), fix=_FIX)
    table = unpack_rows(z, rows, ("emb", "emb_scale"), (spec.buckets + 1, width), p, what)
    return RefusalNet(emb=table, spec=spec, card=card, **arrays)


def combined_scores(
    linear: RefusalModel,
    net: RefusalNet,
    analyses: Sequence[Analysis],
    grades: Sequence[str] | None = None,
) -> np.ndarray:
    """The judge's class probabilities: the linear model's scores plus the network's, weighed
    and offset as the network's card says (``combine``: ``net_weight``, ``offsets``). The
    character n-grams are hashed once for both models (the network's buckets are the leading
    bits of the linear model's where their layouts agree); ``grades``: the rules' grades of
    ``analyses`` if the caller has them already."""
    if not analyses:
        return np.zeros((0, len(linear.classes)), dtype=np.float32)
    rule_grades: Sequence[str | None] = grades or [None] * len(analyses)
    dense = np.asarray(
        [feature_vector(a, g) for a, g in zip(analyses, rule_grades, strict=True)],
        dtype=np.float32,
    )
    texts, questions = [a.text for a in analyses], [a.question for a in analyses]
    table = ngram_table(texts, linear.spec, questions)
    rule = net.card.get("combine", {})
    net_table = coarser(table, linear.spec, net.spec)
    logits = linear.logits(analyses, dense, table) + float(
        rule.get("net_weight", 1.0)
    ) * net.logits(texts, questions, dense, net_table)
    logits += np.asarray(rule.get("offsets", [0.0] * logits.shape[1]), dtype=np.float32)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return np.asarray(e / e.sum(axis=1, keepdims=True))
