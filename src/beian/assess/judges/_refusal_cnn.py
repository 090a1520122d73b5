"""The sentence-aware part of the refusal judge: a character CNN pooled over the answer's opening
sentence, its middle and its closing sentence.

Each character (hashed code point) has a small embedding; one convolution (``width`` characters,
``filters`` detectors, ReLU) slides over the answer, and each detector's strongest response is
kept separately in three zones: the first sentence (where a refusal sits), the sentences between
(substance after a refusal, or more refusal), the last sentence (guidance, an offer, a reason). A
one-sentence answer is its own first and last sentence and has no middle. With the rule features
these go through one hidden layer and a linear skip to the four grades, so the network can tell
"a refusal, then substance" from "a refusal whose only extra is guidance" by where each detector
fires, not only whether it fires anywhere.

Inference is numpy only and needs no matrix product for the convolution: the embedding is folded
into the convolution at load time (one ``(buckets, filters)`` table per tap), so the convolution
is ``width`` table look-ups and additions per character. The weights ship as plain arrays
(``data/refusal_cnn.npz``, no pickle: the embedding rows of characters seen in training, float16)
with a JSON card. Training needs PyTorch, in :mod:`._refusal_cnn_fit`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from beian.assess.judges._refusal_features import FEATURE_NAMES
from beian.errors import InputError
from beian.io import atomic_path, atomic_write_text

__all__ = ["CNN_FORMAT", "CNN_PATH", "CnnSpec", "RefusalCnn", "char_layout", "load_refusal_cnn"]

CNN_FORMAT = "beian-refusal-cnn/1"
CNN_PATH = Path(__file__).resolve().parent / "data" / "refusal_cnn.npz"
_ARRAYS = ("conv_w", "conv_b", "w1", "b1", "w2", "b2", "ws", "bs")
_FIX = "运行 scripts/train_refusal_judge.py 重新训练"
_ENDS = frozenset("。!?;\n…")
_END_CODES = np.asarray(sorted(map(ord, _ENDS)), dtype=np.uint32)
_MULT = np.uint64(0x9E3779B97F4A7C15)
ZONES = 3  # first sentence, middle, last sentence


@dataclass(frozen=True)
class CnnSpec:
    """``hash_bits``: character buckets; ``dim``: embedding size; ``width``: characters per
    convolution window; ``filters``: detectors; ``head``/``tail``: characters of a long answer kept
    from its start and end; ``sentence``: the most characters a first or last sentence spans."""

    hash_bits: int = 14
    dim: int = 24
    width: int = 3
    filters: int = 64
    head: int = 280
    tail: int = 100
    sentence: int = 80

    @property
    def buckets(self) -> int:
        return 1 << self.hash_bits

    def card(self) -> dict[str, Any]:
        return {
            "hash_bits": self.hash_bits,
            "dim": self.dim,
            "width": self.width,
            "filters": self.filters,
            "head": self.head,
            "tail": self.tail,
            "sentence": self.sentence,
            "rules": list(FEATURE_NAMES),
        }

    @classmethod
    def from_card(cls, d: dict[str, Any]) -> CnnSpec:
        spec = cls(*(int(d[k]) for k in ("hash_bits", "dim", "width", "filters", "head", "tail", "sentence")))
        if not 8 <= spec.hash_bits <= 20 or spec.width < 1 or spec.filters < 1:
            raise ValueError(f"layout {d}")
        return spec


def _clip(text: str, spec: CnnSpec) -> str:
    if len(text) > spec.head + spec.tail:
        text = text[: spec.head] + "\n" + text[-spec.tail :]
    return "\x02" + text + "\x03"


def _bounds(s: str, cap: int) -> tuple[int, int]:
    """End of the first sentence and start of the last one (character positions in ``s``): the
    reference form of :func:`_bounds_all`, for one text."""
    n = len(s)
    for i, ch in enumerate(s[: cap + 1]):
        if ch in _ENDS:
            e1 = i + 1
            while e1 < n and s[e1] in _ENDS:
                e1 += 1
            break
    else:
        e1 = min(n, cap)
    body = s.rstrip("\x03").rstrip("".join(_ENDS))
    s3 = max(e1, n - cap)
    for i in range(len(body) - 1, e1 - 1, -1):
        if body[i] in _ENDS:
            s3 = max(i + 1, s3)
            break
    return e1, max(s3, e1)


def _bounds_all(cp: np.ndarray, starts: np.ndarray, lengths: np.ndarray, cap: int) -> np.ndarray:
    """:func:`_bounds` of every text at once: ``cp`` the joined code points, text ``i`` at
    ``starts[i]`` with ``lengths[i]`` characters (each ``\x02`` + text + ``\x03``)."""
    ends = np.flatnonzero(np.isin(cp, _END_CODES))
    if not len(ends):
        e1 = np.minimum(lengths, cap)
        return np.stack([e1, np.maximum(e1, lengths - cap)], axis=1)
    brk = np.flatnonzero(np.diff(ends) != 1)  # runs of consecutive sentence ends
    run_first = np.concatenate([[0], brk + 1])
    run_last = np.concatenate([brk, [len(ends) - 1]])
    run_of = np.zeros(len(ends), dtype=np.int64)
    run_of[run_first[1:]] = 1
    run_of = np.cumsum(run_of)
    padded = np.append(ends, np.iinfo(np.int64).max)
    j = np.searchsorted(ends, starts)
    cand = padded[j]
    has = cand < starts + np.minimum(lengths, cap + 1)
    jj = np.minimum(j, len(ends) - 1)
    e1 = np.where(has, ends[run_last[run_of[jj]]] + 1 - starts, np.minimum(lengths, cap))
    # the body: the text without its closing marker and trailing sentence ends
    before_close = starts + lengths - 2
    k = np.searchsorted(ends, before_close)
    kk = np.minimum(k, len(ends) - 1)
    trailing = (k < len(ends)) & (padded[k] == before_close)
    body = np.where(trailing, ends[run_first[run_of[kk]]] - starts, lengths - 1)
    m = np.searchsorted(ends, starts + body) - 1
    last = ends[np.maximum(m, 0)] + 1 - starts
    s3 = np.maximum(e1, lengths - cap)
    s3 = np.where((m >= 0) & (last - 1 >= e1), np.maximum(last, s3), s3)
    return np.stack([e1, np.maximum(s3, e1)], axis=1)


def char_layout(texts: list[str], spec: CnnSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every text as hashed character ids followed by ``width - 1`` padding ids (``spec.buckets``),
    all texts joined: ``(ids, lengths, bounds)``, ``lengths[i]`` the characters of text ``i``
    (convolution windows start at each of them), ``bounds[i]`` its first sentence's end and last
    sentence's start."""
    clipped = [_clip(t, spec) for t in texts]
    lengths = np.fromiter((len(s) for s in clipped), dtype=np.int64, count=len(clipped))
    pad = "\x00" * (spec.width - 1)
    joined = pad.join(clipped) + pad
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    starts = np.concatenate([[0], np.cumsum(lengths + spec.width - 1)[:-1]]).astype(np.int64)
    bounds = _bounds_all(cp, starts, lengths, spec.sentence)
    h = (cp.astype(np.uint64) * _MULT) >> np.uint64(64 - spec.hash_bits)
    ids = h.astype(np.int64)
    ids[cp == 0] = spec.buckets
    return ids, lengths, bounds


@dataclass(frozen=True)
class RefusalCnn:
    """``emb``: (spec.buckets + 1, dim), the last row zero (padding); ``conv_w``: (filters, dim,
    width) as PyTorch's ``Conv1d``; the layers act on the three zones' pooled detectors followed
    by the rule features."""

    emb: np.ndarray
    conv_w: np.ndarray
    conv_b: np.ndarray
    w1: np.ndarray  # (3 * filters + rules, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden, 4)
    b2: np.ndarray
    ws: np.ndarray  # (3 * filters + rules, 4), the linear skip
    bs: np.ndarray
    spec: CnnSpec
    card: dict[str, Any] = field(default_factory=dict)
    taps: list[np.ndarray] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.taps:  # the embedding folded into each tap of the convolution
            self.taps.extend(
                np.ascontiguousarray(self.emb @ self.conv_w[:, :, k].T, dtype=np.float32)
                for k in range(self.spec.width)
            )

    def pooled(self, texts: list[str]) -> np.ndarray:
        """Each detector's strongest response in each zone: ``(len(texts), 3 * filters)``."""
        ids, lengths, bounds = char_layout(texts, self.spec)
        w = self.spec.width
        starts = np.concatenate([[0], np.cumsum(lengths + w - 1)[:-1]])
        pos = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        pos += np.arange(int(lengths.sum()))
        pos = np.append(pos, 0)  # one more row, zeroed below: the end of the last segment
        act = np.take(self.taps[0], ids[pos], axis=0)
        for k in range(1, w):
            act += np.take(self.taps[k], ids[pos + k], axis=0)
        act += self.conv_b
        np.maximum(act, 0.0, out=act)
        act[-1] = 0.0
        # three segments per text: [0, e1), [e1, s3), [s3, n); a one-sentence answer's last
        # sentence is its first
        first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        seg_start = np.stack([first, first + bounds[:, 0], first + bounds[:, 1]], axis=1)
        seg_len = np.stack(
            [bounds[:, 0], bounds[:, 1] - bounds[:, 0], lengths - bounds[:, 1]], axis=1
        )
        alone = seg_len[:, 2] <= 0
        seg_start[alone, 2] = seg_start[alone, 0]
        seg_len[alone, 2] = seg_len[alone, 0]
        return _segment_max(act, seg_start.ravel(), seg_len.ravel()).reshape(len(texts), -1)

    def logits(self, texts: list[str], dense: np.ndarray) -> np.ndarray:
        """Class scores, one row per answer (``dense``: the rule features, one row each)."""
        if not texts:
            return np.zeros((0, self.w2.shape[1]), dtype=np.float32)
        x = np.concatenate([self.pooled(texts), dense], axis=1)
        h = np.maximum(x @ self.w1 + self.b1, 0.0)
        return np.asarray(h @ self.w2 + self.b2 + x @ self.ws + self.bs, dtype=np.float32)

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (self.emb, *(getattr(self, n) for n in _ARRAYS))

    def save(self, path: Path = CNN_PATH) -> None:
        """The embedding rows of characters seen in training only (the others are zero)."""
        body = self.emb[:-1]
        rows = np.flatnonzero(np.any(body != 0, axis=1))
        arrays: dict[str, Any] = {n: np.asarray(getattr(self, n), np.float32) for n in _ARRAYS}
        arrays["rows"] = rows.astype(np.uint32)
        arrays["emb"] = body[rows].astype(np.float16)
        with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        atomic_write_text(
            path.with_suffix(".json"), json.dumps(self.card, ensure_ascii=False, indent=2) + "\n"
        )


def _segment_max(act: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The largest row of ``act`` in each segment (zero for an empty one; ``act >= 0``, its last
    row zero): segments of similar length are padded to a block and reduced together."""
    out = np.zeros((len(start), act.shape[1]), dtype=act.dtype)
    zero = len(act) - 1
    lo = 0
    for hi in (8, 16, 32, 64, 128, 256, 1 << 30):
        pick = np.flatnonzero((length > lo) & (length <= hi))
        lo = hi
        if not len(pick):
            continue
        width = int(length[pick].max())
        steps = np.arange(width)
        idx = start[pick, None] + steps[None, :]
        idx[steps[None, :] >= length[pick, None]] = zero
        out[pick] = np.take(act, idx, axis=0).max(axis=1)
    return out


def load_refusal_cnn(path: str | os.PathLike[str] | None = None) -> RefusalCnn:
    """The shipped CNN (or one at ``path``); cached per path."""
    return _load(str(Path(path).resolve()) if path else str(CNN_PATH))


@cache
def _load(path: str) -> RefusalCnn:
    p = Path(path)
    try:
        card = json.loads(p.with_suffix(".json").read_text("utf-8"))
        with np.load(p, allow_pickle=False) as z:
            rows, emb = z["rows"].astype(np.int64), z["emb"]
            arrays = {n: z[n].astype(np.float32) for n in _ARRAYS}
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"无法读取拒答判定卷积网络：{exc}", where=str(p), fix=_FIX) from None
    if card.get("format") != CNN_FORMAT:
        problem = f"格式 {card.get('format')!r}，应为 {CNN_FORMAT}"
        raise InputError(f"拒答判定卷积网络不可用：{problem}", where=str(p), fix=_FIX)
    try:
        spec = CnnSpec.from_card(card["features"])
    except (KeyError, TypeError, ValueError):
        raise InputError("拒答判定卷积网络不可用：特征布局无法识别", where=str(p), fix=_FIX) from None
    inputs = ZONES * spec.filters + len(FEATURE_NAMES)
    if (
        card["features"].get("rules") != list(FEATURE_NAMES)
        or (len(rows) and rows[-1] >= spec.buckets)
        or arrays["w1"].shape[0] != inputs
        or arrays["conv_w"].shape != (spec.filters, spec.dim, spec.width)
    ):
        raise InputError("拒答判定卷积网络不可用：特征布局与权重不一致", where=str(p), fix=_FIX)
    table = np.zeros((spec.buckets + 1, spec.dim), dtype=np.float32)
    table[rows] = emb.astype(np.float32)
    return RefusalCnn(emb=table, spec=spec, card=card, **arrays)
