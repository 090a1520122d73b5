"""The one allocation rule and the one seeded draw (questions in memory, documents streamed)."""

from __future__ import annotations

from collections import Counter

import pytest

from beian._shared.sampling import SmallestKeys, allocate, draw_samples, sample_key


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ({"a": 50, "b": 30, "c": 20}, 10, {"a": 5, "b": 3, "c": 2}),
        ({"a": 98, "b": 1, "c": 1}, 10, {"a": 8, "b": 1, "c": 1}),  # at least one per stratum
        ({"a": 5, "b": 5}, 20, {"a": 5, "b": 5}),  # all of them
        ({"a": 1, "b": 1, "c": 1}, 2, {"a": 1, "b": 1, "c": 0}),  # ties broken by name
        ({"a": 3, "b": 3, "c": 3}, 4, {"a": 2, "b": 1, "c": 1}),
        ({"a": 10, "b": 10, "c": 10, "d": 0}, 3, {"a": 1, "b": 1, "c": 1, "d": 0}),
        ({"a": 0}, 5, {"a": 0}),
    ],
)
def test_allocate(sizes: dict[str, int], n: int, expected: dict[str, int]) -> None:
    got = allocate(sizes, n)
    assert got == expected and sum(got.values()) == min(n, sum(sizes.values()))


def test_in_memory_draw_equals_the_streamed_draw() -> None:
    """Both ways of drawing take, per stratum, the items with the smallest keys."""
    items = [(f"s{i % 3}", f"id{i}") for i in range(300)]
    sizes = Counter(s for s, _ in items)
    quota = allocate(dict(sizes), 30)
    stream: SmallestKeys[str, tuple[str, str]] = SmallestKeys(quota)
    for it in reversed(items):  # arrival order does not matter
        stream.offer(it[0], sample_key(7, it[1]), it[1], it)
    streamed = sorted(x for s in quota for x in stream.drawn(s))
    in_memory = draw_samples(items, 30, 7, key=lambda t: t[0], ident=lambda t: t[1])
    assert sorted(in_memory) == streamed and len(in_memory) == 30


def test_draw_is_seeded_labelled_and_ordered() -> None:
    items = list(range(1000))
    a = draw_samples(items, 100, seed=42, label="x")
    assert a == draw_samples(items, 100, seed=42, label="x") and a == sorted(a) and len(set(a)) == 100
    assert a != draw_samples(items, 100, seed=43, label="x")
    assert a != draw_samples(items, 100, seed=42, label="y")


def test_stratified_draw_keeps_proportions() -> None:
    items = [("A1a", i) for i in range(600)] + [("A2b", i) for i in range(300)] + [("A5b", i) for i in range(100)]
    got = draw_samples(items, 100, seed=7, key=lambda t: t[0])
    assert Counter(k for k, _ in got) == {"A1a": 60, "A2b": 30, "A5b": 10}


def test_draw_by_id_ignores_the_order_of_items() -> None:
    items = [f"q{i}" for i in range(200)]
    a = draw_samples(items, 20, seed=1, ident=str)
    b = draw_samples(list(reversed(items)), 20, seed=1, ident=str)
    assert sorted(a) == sorted(b)
