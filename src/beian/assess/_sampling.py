"""Seeded random and stratified sampling; the seed is recorded so a sample can be redrawn."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

T = TypeVar("T")
Method = Literal["random", "stratified"]


def _rng(seed: int, label: str) -> random.Random:
    return random.Random(f"{seed}:{label}")  # str seeds hash deterministically (sha512)


def random_sample(items: Sequence[T], n: int, seed: int, label: str = "") -> list[T]:
    """``n`` items (all of them when fewer), in their original order."""
    if n >= len(items):
        return list(items)
    idx = sorted(_rng(seed, label).sample(range(len(items)), n))
    return [items[i] for i in idx]


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation by largest remainder, at least one per stratum when ``n`` allows."""
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


def stratified_sample(
    items: Sequence[T], n: int, seed: int, key: Callable[[T], str | None], label: str = ""
) -> list[T]:
    """``n`` items drawn per stratum (``key``) in proportion to its size; original order kept."""
    if n >= len(items):
        return list(items)
    strata: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        strata[key(it) or ""].append(i)
    alloc = allocate({k: len(v) for k, v in strata.items()}, n)
    chosen: list[int] = []
    for k in sorted(strata):
        chosen += _rng(seed, f"{label}:{k}").sample(strata[k], alloc[k])
    return [items[i] for i in sorted(chosen)]


def draw(
    items: Sequence[T],
    n: int,
    seed: int,
    method: Method,
    key: Callable[[T], str | None],
    label: str = "",
) -> list[T]:
    if method == "stratified":
        return stratified_sample(items, n, seed, key, label)
    return random_sample(items, n, seed, label)
