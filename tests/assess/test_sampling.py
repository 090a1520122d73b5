"""Seeded random and stratified sampling."""

from __future__ import annotations

from collections import Counter

import pytest

from beian.assess import allocate, random_sample, stratified_sample


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ({"a": 50, "b": 30, "c": 20}, 10, {"a": 5, "b": 3, "c": 2}),
        ({"a": 98, "b": 1, "c": 1}, 10, {"a": 8, "b": 1, "c": 1}),  # at least one per stratum
        ({"a": 5, "b": 5}, 20, {"a": 5, "b": 5}),  # all of them
        ({"a": 1, "b": 1, "c": 1}, 2, {"a": 1, "b": 1, "c": 0}),
        ({"a": 3, "b": 3, "c": 3}, 4, {"a": 2, "b": 1, "c": 1}),
    ],
)
def test_allocate(sizes: dict[str, int], n: int, expected: dict[str, int]) -> None:
    got = allocate(sizes, n)
    assert got == expected and sum(got.values()) == min(n, sum(sizes.values()))


def test_random_sample_is_seeded_and_ordered() -> None:
    items = list(range(1000))
    a = random_sample(items, 100, seed=42, label="x")
    assert a == random_sample(items, 100, seed=42, label="x") and a == sorted(a) and len(set(a)) == 100
    assert a != random_sample(items, 100, seed=43, label="x")
    assert a != random_sample(items, 100, seed=42, label="y")


def test_stratified_sample_keeps_proportions() -> None:
    items = [("A1a", i) for i in range(600)] + [("A2b", i) for i in range(300)] + [("A5b", i) for i in range(100)]
    got = stratified_sample(items, 100, seed=7, key=lambda t: t[0])
    assert Counter(k for k, _ in got) == {"A1a": 60, "A2b": 30, "A5b": 10}
    assert got == stratified_sample(items, 100, seed=7, key=lambda t: t[0])
