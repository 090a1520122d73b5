"""Training the refusal judge's character CNN (:mod:`._refusal_cnn`) with PyTorch on CPU.

Deterministic: one thread, fixed seeds, rows shuffled by numpy's generator, batches of answers of
similar length. PyTorch is imported here only: the judge itself runs on numpy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from beian.assess.judges._refusal_cnn import CNN_FORMAT, ZONES, CnnSpec, RefusalCnn, char_layout

__all__ = ["CnnRecipe", "CnnTrainingData", "fit_cnn"]


@dataclass(frozen=True)
class CnnRecipe:
    """The CNN's shape and fitting: ``hidden`` units, ``dropout`` on the pooled detectors and rule
    features, Adam with a one-cycle learning rate ``lr``, ``weight_decay``, ``epochs`` of batches
    of ``batch`` answers; each answer's rule features are those computed without its question with
    probability ``question_dropout``; the loss weighs each grade as a whole equally times the rows'
    weights."""

    spec: CnnSpec = CnnSpec()
    hidden: int = 64
    dropout: float = 0.2
    lr: float = 3e-3
    weight_decay: float = 1e-4
    epochs: int = 8
    batch: int = 64
    question_dropout: float = 0.5

    def card(self) -> dict[str, Any]:
        d = asdict(self)
        del d["spec"]
        return d


class CnnTrainingData:
    """The answers as padded character-id rows with their zone masks, and their rule features
    (with and without the question)."""

    def __init__(
        self, texts: list[str], dense: np.ndarray, dense_no_q: np.ndarray, spec: CnnSpec
    ) -> None:
        ids, lengths, bounds = char_layout(texts, spec)
        self.spec = spec
        self.lengths = lengths
        self.bounds = bounds
        self.starts = np.concatenate([[0], np.cumsum(lengths + spec.width - 1)[:-1]])
        self.ids = ids
        self.dense = dense.astype(np.float32)
        self.dense_no_q = dense_no_q.astype(np.float32)

    def __len__(self) -> int:
        return len(self.lengths)

    def batch(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(ids (B, L + width - 1), zone masks (B, 3, L))`` of these rows, padded."""
        w, pad = self.spec.width, self.spec.buckets
        n = self.lengths[rows]
        width = int(n.max())
        ids = np.full((len(rows), width + w - 1), pad, dtype=np.int64)
        mask = np.zeros((len(rows), ZONES, width), dtype=np.float32)
        for j, r in enumerate(rows):
            k = int(n[j])
            ids[j, : k + w - 1] = self.ids[self.starts[r] : self.starts[r] + k + w - 1]
            e1, s3 = (int(v) for v in self.bounds[r])
            mask[j, 0, :e1] = 1
            mask[j, 1, e1:s3] = 1
            if s3 < k:
                mask[j, 2, s3:k] = 1
            else:
                mask[j, 2, :e1] = 1
        return ids, mask


def fit_cnn(
    data: CnnTrainingData,
    y: np.ndarray,
    weights: np.ndarray,
    recipe: CnnRecipe,
    *,
    rows: np.ndarray | None = None,
    seed: int = 0,
    card: dict[str, Any] | None = None,
) -> RefusalCnn:
    """Fit the CNN on ``rows`` of ``data`` (all by default): grades ``y``, row ``weights``."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    spec = data.spec
    rows = np.arange(len(data)) if rows is None else np.asarray(rows)
    n_in = ZONES * spec.filters + data.dense.shape[1]
    emb = torch.nn.Embedding(spec.buckets + 1, spec.dim, padding_idx=spec.buckets)
    torch.nn.init.normal_(emb.weight, 0.0, 0.3)
    with torch.no_grad():
        emb.weight[spec.buckets] = 0
    conv = torch.nn.Conv1d(spec.dim, spec.filters, spec.width)
    l1, l2, skip = (
        torch.nn.Linear(n_in, recipe.hidden),
        torch.nn.Linear(recipe.hidden, 4),
        torch.nn.Linear(n_in, 4),
    )
    drop = torch.nn.Dropout(recipe.dropout)
    modules = (emb, conv, l1, l2, skip)
    params = [p for m in modules for p in m.parameters()]
    counts = np.bincount(y[rows], weights=weights[rows], minlength=4)
    per_class = np.where(counts > 0, counts.sum() / (4 * np.maximum(counts, 1e-9)), 0.0)
    w_all = torch.from_numpy((weights * per_class[y]).astype(np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    dense, dense_no_q = torch.from_numpy(data.dense), torch.from_numpy(data.dense_no_q)
    # batches of similar length: rows sorted by length in chunks, the chunks shuffled each epoch
    by_len = rows[np.argsort(data.lengths[rows], kind="stable")]
    chunks = [by_len[s : s + recipe.batch] for s in range(0, len(by_len), recipe.batch)]
    steps = recipe.epochs * len(chunks)
    opt = torch.optim.Adam(params, lr=recipe.lr, weight_decay=recipe.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe.lr, total_steps=steps)

    def forward(b: np.ndarray) -> Any:
        ids, mask = data.batch(b)
        act = torch.relu(conv(emb(torch.from_numpy(ids)).transpose(1, 2)))  # (B, F, L)
        m = torch.from_numpy(mask)
        pooled = torch.stack([(act * m[:, z, None, :]).amax(-1) for z in range(ZONES)], 1)
        no_q = torch.from_numpy(rng.random(len(b)) < recipe.question_dropout)
        rules = torch.where(no_q[:, None], dense_no_q[b], dense[b])
        x = drop(torch.cat([pooled.reshape(len(b), -1), rules], 1))
        return l2(torch.relu(l1(x))) + skip(x)

    for m in modules:
        m.train()
    for _ in range(recipe.epochs):
        for c in rng.permutation(len(chunks)):
            b = chunks[int(c)]
            loss = torch.nn.functional.cross_entropy(forward(b), yt[b], reduction="none")
            loss = (loss * w_all[b]).sum() / w_all[b].sum()
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            sched.step()
    full_card = {
        "format": CNN_FORMAT,
        "features": spec.card(),
        "training": {"rows": len(rows), "seed": seed, **recipe.card()},
        **(card or {}),
    }
    table = emb.weight.detach().numpy().copy()
    seen = np.zeros(spec.buckets + 1, dtype=bool)
    for r in rows:
        k = int(data.lengths[r])
        seen[data.ids[data.starts[r] : data.starts[r] + k]] = True
    table[~seen] = 0.0
    table[spec.buckets] = 0.0

    def arr(t: Any) -> np.ndarray:
        return np.ascontiguousarray(t.detach().numpy().astype(np.float32))

    return RefusalCnn(
        emb=table,
        conv_w=arr(conv.weight),
        conv_b=arr(conv.bias),
        w1=arr(l1.weight.T),
        b1=arr(l1.bias),
        w2=arr(l2.weight.T),
        b2=arr(l2.bias),
        ws=arr(skip.weight.T),
        bs=arr(skip.bias),
        spec=spec,
        card=full_card,
    )
