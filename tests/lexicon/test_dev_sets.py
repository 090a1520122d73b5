"""Regression floors for the keyword library on the independent evasion sets.

``benchmarks/data/lexicon_eval*/`` (LX1–LX4, all development data now: each held-back set was
measured once, and its figure is reported in docs/lexicon.md) were written apart from the
lexicon code. Per evasion kind, over the four sets together, the default configuration must
not fall below the floors here: each figure main gave on 2026-12-07 (24d75ef) less 0.03, cut to
two decimals. ``clean`` and ``clean_hard`` are specificities (texts with no keyword and nothing
hit). Raise a floor when a change lifts its figure for good. About 5 s in all.
"""

from __future__ import annotations

from collections import Counter

import pytest
from benchmarks.lexicon_eval import DATA, evaluate

SETS = ("lexicon_eval", "lexicon_eval2", "lexicon_eval3", "lexicon_eval4")

# kind: floor; raised on branch k23j (its figures less 0.03; clean_hard kept at 24d75ef's floor),
# default configuration (caught/n over the four sets):
#   chaizi             0.943  232/246
#   clean              1.000  814/814
#   clean_hard         0.567  457/806
#   combo              0.614  151/246
#   fullwidth_symbols  0.972  239/246
#   initials           0.706  173/245
#   lookalike          0.703  173/246
#   mixed              0.951  234/246
#   noise              0.988  243/246
#   pinyin             0.996  245/246
#   traditional        0.959  236/246
#   homophone          0.041    10/246  (homophones are off by default: no floor)
DEFAULT = {
    "chaizi": 0.91,
    "clean": 0.97,
    "clean_hard": 0.54,
    "combo": 0.58,
    "fullwidth_symbols": 0.94,
    "initials": 0.67,
    "lookalike": 0.67,
    "mixed": 0.92,
    "noise": 0.95,
    "pinyin": 0.96,
    "traditional": 0.92,
}
# with homophones_all (the per-library option), measured on 24d75ef (k23j: 0.963):
#   homophone          0.959  236/246
#   clean              1.000  814/814
HOMOPHONES_ALL = {"homophone": 0.92, "clean": 0.97}


def rates(**options: bool) -> dict[str, float]:
    """Caught (or, for the clean kinds, untouched) share per kind over the four sets."""
    good: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for name in SETS:
        res = evaluate(frozenset(), errors=True, data=DATA.parent / name, **options)
        missed = Counter(m["kind"] for m in res["misses"])
        for kind, f in res["kinds"].items():
            total[kind] += f["n"]
            good[kind] += f["n"] - missed[kind]
    return {kind: good[kind] / total[kind] for kind in total}


@pytest.fixture(scope="module")
def default_rates() -> dict[str, float]:
    return rates()


@pytest.mark.parametrize("kind", sorted(DEFAULT))
def test_default_floors(default_rates: dict[str, float], kind: str) -> None:
    assert default_rates[kind] >= DEFAULT[kind], (kind, default_rates[kind])


def test_every_kind_has_a_floor(default_rates: dict[str, float]) -> None:
    assert set(default_rates) == {*DEFAULT, "homophone"}


def test_homophones_all_floors() -> None:
    got = rates(homophones_all=True)
    for kind, floor in HOMOPHONES_ALL.items():
        assert got[kind] >= floor, (kind, got[kind])


def test_the_sets_are_there() -> None:
    for name in SETS:
        assert (DATA.parent / name / "evasion.jsonl").is_file(), name
