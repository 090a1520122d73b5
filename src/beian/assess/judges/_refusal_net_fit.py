"""Training the refusal network (:mod:`._refusal_net`) with PyTorch on CPU.

Deterministic: one thread, fixed seeds, rows shuffled by numpy's generator. The embedding bags
use sparse gradients (Adam on the touched rows only); after training, the rows of buckets no
training answer touched are set to zero, so that inference needs only the rows that were learned.
PyTorch is imported here only: the judge itself runs on numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from beian.assess.judges._refusal_features import feature_vector
from beian.assess.judges._refusal_model import FeatureSpec, ngram_table
from beian.assess.judges._refusal_net import NET_FORMAT, RefusalNet
from beian.assess.judges._refusal_rules import Analysis

__all__ = ["NetRecipe", "NetTrainingData", "fit_net"]


@dataclass(frozen=True)
class NetRecipe:
    """The network's shape and how it is fitted: ``width`` per zone embedding, ``hidden`` units,
    ``dropout`` on the layer inputs, Adam with a one-cycle learning rate (``lr``; the embeddings
    ``emb_lr`` times that), ``weight_decay`` on the dense layers, ``epochs`` over shuffled batches
    of ``batch`` answers, each answer read as if graded without its question with probability
    ``question_dropout`` (the judge is also called without one); the loss weighs each grade as a whole equally (like the linear model's
    ``class_weight="balanced"``) times the rows' weights."""

    spec: FeatureSpec
    width: int = 16
    hidden: int = 64
    dropout: float = 0.2
    lr: float = 3e-3
    emb_lr: float = 3.0
    weight_decay: float = 1e-4
    epochs: int = 8
    batch: int = 32
    question_dropout: float = 0.0

    def card(self) -> dict[str, Any]:
        d = asdict(self)
        del d["spec"]
        return d


class NetTrainingData:
    """The analysed answers as flat n-gram ids, zone by zone, and their rule features."""

    def __init__(
        self,
        analyses: Sequence[Analysis],
        spec: FeatureSpec,
        without_questions: Sequence[Analysis] = (),
    ) -> None:
        """``without_questions``: the same answers analysed without their questions (their rule
        features then stand in where an answer is read without its question)."""
        buckets, lengths, zone_w = ngram_table(
            [a.text for a in analyses], spec, [a.question for a in analyses]
        )
        k = len(spec.ngrams)
        self.spec = spec
        self.nz = len(spec.zones)
        kinds = [kind for kind, _ in spec.zones]
        self.question_zone = kinds.index("question") if "question" in kinds else -1
        # the question zone of an answer graded without a question, appended after all zones
        nb, nl, nw = ngram_table([""], spec, [""])
        q = self.question_zone
        no_q = (
            nb.reshape(-1)[int(nl[:q].sum()) * k : int(nl[: q + 1].sum()) * k] if q >= 0 else nb[:0]
        )
        self.ids = np.concatenate([buckets.reshape(-1), no_q.reshape(-1)]).astype(np.int64)
        self.zlen = np.concatenate([lengths * k, [len(no_q.reshape(-1))]]).astype(np.int64)
        self.zstart = np.concatenate([[0], np.cumsum(self.zlen)[:-1]]).astype(np.int64)
        self.zone_w = np.concatenate([zone_w, nw[q : q + 1] if q >= 0 else nw[:1]]).astype(
            np.float32
        )
        self.dense = np.asarray([feature_vector(a) for a in analyses], dtype=np.float32)
        self.dense_no_q = (
            np.asarray([feature_vector(a) for a in without_questions], dtype=np.float32)
            if without_questions
            else self.dense
        )

    def __len__(self) -> int:
        return len(self.dense)

    def zones_of(self, rows: np.ndarray, no_question: np.ndarray | None = None) -> np.ndarray:
        """The zone numbers of these rows; where ``no_question`` is true, the question zone is
        that of an answer graded without a question."""
        zs = rows[:, None] * self.nz + np.arange(self.nz)[None, :]
        if no_question is not None and self.question_zone >= 0:
            zs[no_question, self.question_zone] = len(self.zlen) - 1
        return zs.ravel()

    def ids_of(
        self, rows: np.ndarray, no_question: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ids, bag offsets, per-id weights)`` of these rows' zones, for ``EmbeddingBag``."""
        zs = self.zones_of(rows, no_question)
        lens = self.zlen[zs]
        pos = np.repeat(self.zstart[zs] - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        ids = self.ids[pos + np.arange(int(lens.sum()))]
        offsets = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
        return ids, offsets, np.repeat(self.zone_w[zs], lens)


def fit_net(
    data: NetTrainingData,
    y: np.ndarray,
    weights: np.ndarray,
    recipe: NetRecipe,
    *,
    rows: np.ndarray | None = None,
    seed: int = 0,
    card: dict[str, Any] | None = None,
) -> RefusalNet:
    """Fit the network on ``rows`` of ``data`` (all by default): grades ``y``, row ``weights``."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    rows = np.arange(len(data)) if rows is None else np.asarray(rows)
    spec, buckets = data.spec, data.spec.buckets
    n_in = data.nz * recipe.width + data.dense.shape[1]
    emb = torch.nn.EmbeddingBag(
        buckets + 1, recipe.width, mode="sum", padding_idx=buckets, sparse=True
    )
    torch.nn.init.normal_(emb.weight, 0.0, 0.1)
    with torch.no_grad():
        emb.weight[buckets] = 0
    l1, l2, skip = (
        torch.nn.Linear(n_in, recipe.hidden),
        torch.nn.Linear(recipe.hidden, 4),
        torch.nn.Linear(n_in, 4),
    )
    drop = torch.nn.Dropout(recipe.dropout)
    dense_params = [*l1.parameters(), *l2.parameters(), *skip.parameters()]
    counts = np.bincount(y[rows], weights=weights[rows], minlength=4)
    per_class = np.where(counts > 0, counts.sum() / (4 * np.maximum(counts, 1e-9)), 0.0)
    w_all = torch.from_numpy((weights * per_class[y]).astype(np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    dense = torch.from_numpy(data.dense)
    steps = recipe.epochs * -(-len(rows) // recipe.batch)
    opt = torch.optim.Adam(dense_params, lr=recipe.lr, weight_decay=recipe.weight_decay)
    opt_e = torch.optim.SparseAdam(list(emb.parameters()), lr=recipe.lr * recipe.emb_lr)
    scheds = [
        torch.optim.lr_scheduler.OneCycleLR(o, max_lr=lr, total_steps=steps)
        for o, lr in ((opt, recipe.lr), (opt_e, recipe.lr * recipe.emb_lr))
    ]

    dense_no_q = torch.from_numpy(data.dense_no_q)

    def forward(b: np.ndarray) -> Any:
        no_q = rng.random(len(b)) < recipe.question_dropout
        ids, offsets, psw = data.ids_of(b, no_q)
        rules = torch.where(torch.from_numpy(no_q)[:, None], dense_no_q[b], dense[b])
        bags = emb(
            torch.from_numpy(ids),
            torch.from_numpy(offsets),
            per_sample_weights=torch.from_numpy(psw),
        )
        x = drop(torch.cat([bags.view(len(b), -1), rules], 1))
        return l2(torch.relu(l1(x))) + skip(x)

    for _ in range(recipe.epochs):
        order = rows[rng.permutation(len(rows))]
        for s in range(0, len(order), recipe.batch):
            b = order[s : s + recipe.batch]
            loss = torch.nn.functional.cross_entropy(forward(b), yt[b], reduction="none")
            loss = (loss * w_all[b]).sum() / w_all[b].sum()
            opt.zero_grad()
            opt_e.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            opt_e.step()  # type: ignore[no-untyped-call]
            for sc in scheds:
                sc.step()
    full_card = {
        "format": NET_FORMAT,
        "features": spec.card(),
        "training": {"rows": len(rows), "seed": seed, **recipe.card()},
        **(card or {}),
    }
    return _export(data, rows, emb.weight, (l1, l2, skip), full_card)


def _export(
    data: NetTrainingData,
    rows: np.ndarray,
    emb: Any,
    layers: tuple[Any, Any, Any],
    card: dict[str, Any],
) -> RefusalNet:
    """The fitted weights as numpy arrays; embedding rows no training answer touched set to zero."""
    buckets = data.spec.buckets
    table = emb.detach().numpy().copy()
    seen = np.zeros(buckets + 1, dtype=bool)
    seen[data.ids_of(rows)[0]] = True
    table[~seen] = 0.0
    table[buckets] = 0.0

    def arr(t: Any) -> np.ndarray:
        return np.ascontiguousarray(t.detach().numpy().astype(np.float32))

    l1, l2, skip = layers
    return RefusalNet(
        emb=table,
        w1=arr(l1.weight.T),
        b1=arr(l1.bias),
        w2=arr(l2.weight.T),
        b2=arr(l2.bias),
        ws=arr(skip.weight.T),
        bs=arr(skip.bias),
        spec=data.spec,
        card=card,
    )
