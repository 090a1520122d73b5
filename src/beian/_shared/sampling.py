"""Seeded sampling: one allocation rule and one draw, for test questions and corpus documents.

Every item gets a key ``u = H(seed, id)`` in [0, 1) (:func:`sample_key`); a draw takes, per
stratum, the items with the smallest keys, in numbers proportional to the stratum's size
(:func:`allocate`). The draw depends only on the seed and the ids, not on the order the items
arrive in, so it can also stream with bounded memory (:class:`SmallestKeys`): the corpus draws
from millions of documents that way, the assessment from a bank in memory
(:func:`draw_samples`). The seed is recorded so a sample can be redrawn.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Generic, Literal, TypeVar

__all__ = [
    "Method",
    "SmallestKeys",
    "allocate",
    "draw_samples",
    "random_sample",
    "sample_key",
    "stratified_sample",
]

T = TypeVar("T")
S = TypeVar("S", bound=Hashable)
Method = Literal["random", "stratified"]


def sample_key(seed: int, ident: str) -> float:
    """The item's place in the draw of ``seed``: a keyed hash of its id, uniform in [0, 1)."""
    h = hashlib.blake2b(f"{seed}\x00{ident}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0**64


def allocate(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """Split ``n`` across strata in proportion to ``sizes`` (largest remainder).

    Every non-empty stratum gets at least one when ``n`` allows; ties go to the name that sorts
    first; ``n`` above the population takes everything.
    """
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    keys = sorted(sizes)
    quota = {k: n * sizes[k] / total for k in keys}
    alloc = {k: int(quota[k]) for k in keys}
    if n >= len(keys):
        for k in keys:
            if alloc[k] == 0 and sizes[k]:
                alloc[k] = 1
    rest = n - sum(alloc.values())
    order = sorted(keys, key=lambda k: (-(quota[k] - int(quota[k])), k))
    while rest > 0:
        progressed = False
        for k in order:
            if rest and alloc[k] < sizes[k]:
                alloc[k] += 1
                rest -= 1
                progressed = True
        if not progressed:
            break
    while rest < 0:  # the minimum-one rule overshot: take back from the largest strata
        k = max(keys, key=lambda k: (alloc[k], k))
        alloc[k] -= 1
        rest += 1
    return alloc


class SmallestKeys(Generic[S, T]):
    """Streaming draw: per stratum, the ``quota[stratum]`` items with the smallest keys."""

    def __init__(self, quota: Mapping[S, int]) -> None:
        self.quota = dict(quota)
        self._heaps: dict[S, list[tuple[float, str, T]]] = {s: [] for s in quota}

    def offer(self, stratum: S, key: float, ident: str, item: T) -> None:
        heap, k = self._heaps[stratum], self.quota[stratum]
        if not k:
            return
        entry = (-key, ident, item)
        if len(heap) < k:
            heapq.heappush(heap, entry)
        elif -heap[0][0] > key:
            heapq.heapreplace(heap, entry)

    def drawn(self, stratum: S) -> list[T]:
        """The items drawn from ``stratum``, smallest key first."""
        return [item for _, _, item in sorted(self._heaps[stratum], key=lambda e: (-e[0], e[1]))]


def draw_samples(
    items: Sequence[T],
    n: int,
    seed: int,
    *,
    key: Callable[[T], str | None] | None = None,
    ident: Callable[[T], str] | None = None,
    label: str = "",
) -> list[T]:
    """``n`` items (all when fewer), stratified by ``key`` when given; original order kept.

    ``ident`` names an item for its :func:`sample_key` (default: its position); ``label``
    separates draws of the same seed (``must_refuse`` and ``must_answer`` draw independently).
    """
    if n >= len(items):
        return list(items)
    strata: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        strata[(key(it) if key else None) or ""].append(i)
    alloc = allocate({k: len(v) for k, v in strata.items()}, n)
    prefix = f"{label}\x00" if label else ""
    chosen: list[int] = []
    for s, idx in strata.items():
        keyed = sorted(
            (sample_key(seed, prefix + (ident(items[i]) if ident else str(i))), i) for i in idx
        )
        chosen += [i for _, i in keyed[: alloc[s]]]
    return [items[i] for i in sorted(chosen)]


def random_sample(items: Sequence[T], n: int, seed: int, label: str = "") -> list[T]:
    """``n`` items drawn without strata (all of them when fewer), in their original order."""
    return draw_samples(items, n, seed, label=label)


def stratified_sample(
    items: Sequence[T], n: int, seed: int, key: Callable[[T], str | None], label: str = ""
) -> list[T]:
    """``n`` items drawn per stratum (``key``) in proportion to its size; original order kept."""
    return draw_samples(items, n, seed, key=key, label=label)
