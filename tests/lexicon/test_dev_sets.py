"""Regression floors for the keyword library on the independent evasion sets.

``benchmarks/data/lexicon_eval*/`` (LX1–LX5, all development data now: each held-back set was
measured once, and its figure is reported in docs/lexicon.md) were written apart from the
lexicon code. Per evasion kind, over the five sets together, the default configuration must
not fall below the floors here: each figure of branch k23k less 0.03, cut to two decimals.
``clean`` and ``clean_hard`` are specificities (texts with no keyword and nothing hit). Raise a floor when a change lifts its figure for good. About 5 s in all.
"""

from __future__ import annotations

from collections import Counter

import pytest
from benchmarks.lexicon_eval import DATA, evaluate

SETS = ("lexicon_eval", "lexicon_eval2", "lexicon_eval3", "lexicon_eval4", "lexicon_eval5")

# kind: floor; raised on branch k23k over the five sets LX1–LX5 (its figures less 0.03, cut to two
# decimals; LX5 is development data since its one measurement), default configuration
# (caught/n over the five sets):
#   chaizi             0.941  288/306
#   clean              1.000  1014/1014
#   clean_hard         0.554  557/1006
#   combo              0.722  221/306
#   fullwidth_symbols  0.967  296/306
#   initials           0.764  233/305
#   lookalike          0.716  219/306
#   mixed              0.944  289/306
#   noise              0.987  302/306
#   pinyin             0.993  304/306
#   traditional        0.948  290/306
#   homophone          0.033    10/306  (homophones are off by default: no floor)
DEFAULT = {
    "chaizi": 0.91,
    "clean": 0.97,
    "clean_hard": 0.52,
    "combo": 0.69,
    "fullwidth_symbols": 0.93,
    "initials": 0.73,
    "lookalike": 0.68,
    "mixed": 0.91,
    "noise": 0.95,
    "pinyin": 0.96,
    "traditional": 0.91,
}
# with homophones_all (the per-library option), k23k over the five sets:
#   homophone          0.961  294/306
#   clean              0.999  1013/1014
HOMOPHONES_ALL = {"homophone": 0.93, "clean": 0.97}


def rates(**options: bool) -> dict[str, float]:
    """Caught (or, for the clean kinds, untouched) share per kind over the five sets."""
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
