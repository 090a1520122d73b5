"""Regression floors for the default PII engine on the independent development sets.

``benchmarks/data/pii_eval/`` P1 and P2–P6 (all development data now: each held-back set was
measured once, and its figure is reported in docs/pii.md) were written apart from the
recognizers. The engine must not fall below the floors here: each figure main gave on
2026-12-07 (24d75ef; pooled over six sets: d5fa3ff; overlap rule of ``pii_eval.match``) less 0.03, cut to two decimals. A
change that loses names or addresses fails CI, not only the next held-back measurement. Raise
a floor when a change lifts its figure for good. All 3,840 texts take about 2 s.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from benchmarks.pii_eval import Item, Tally, evaluate_set, read_set

from beian.pii import PiiConfig, PiiEngine, default_engine
from tests.support.scripts import load_script

SETS = ("P1", "P2-holdout", "P3-holdout", "P4-holdout", "P5-holdout", "P6-holdout")

# type: (precision floor, recall floor) over all six sets together
# measured on d5fa3ff (precision k/n, recall k/n):
#   ADDRESS   0.927 1618/1745  0.822 1618/1969
#   BANK_CARD 1.000  301/301   0.984  301/306
#   EMAIL     1.000  309/309   1.000  309/309
#   ID_CARD   1.000  309/309   1.000  309/309
#   IP        0.988  247/250   0.992  247/249
#   MOBILE    1.000 1007/1007  0.999 1007/1008
#   NAME      0.969 3339/3445  0.701 3339/4762
#             0.972 3488/3590  0.732 3488/4762 (p23r: rare 百家姓 surnames)
#   PASSPORT  0.995  180/181   0.968  180/186
#   PHONE     0.996  240/241   0.968  240/248
#   PLATE     1.000  253/253   0.984  253/257
#   USCC      1.000  166/166   1.000  166/166
# p23v (extensions, +86 landlines, passport labels): PHONE 0.996 247/248 0.996 247/248,
#   PASSPORT 0.995 185/186 0.995 185/186
POOLED = {
    "ADDRESS": (0.89, 0.79),
    "BANK_CARD": (0.97, 0.95),
    "EMAIL": (0.97, 0.97),
    "ID_CARD": (0.97, 0.97),
    "IP": (0.95, 0.96),
    "MOBILE": (0.97, 0.96),
    "NAME": (0.94, 0.70),
    "PASSPORT": (0.96, 0.96),
    "PHONE": (0.96, 0.96),
    "PLATE": (0.97, 0.95),
    "USCC": (0.97, 0.97),
}

# set: {type: (precision floor, recall floor)} for names and addresses, set by set
# measured on 24d75ef (precision, recall):
#   P1  NAME 0.974 0.806  ADDRESS 0.948 0.867
#   P2  NAME 0.973 0.773  ADDRESS 0.930 0.878
#   P3  NAME 0.975 0.725  ADDRESS 0.939 0.932
#   P4  NAME 0.963 0.800  ADDRESS 0.919 0.791
#   P5  NAME 0.943 0.517  ADDRESS 0.902 0.709
#   P6  NAME 0.976 0.512  ADDRESS 0.897 0.705 (d5fa3ff)
# NAME after the rare 百家姓 surnames (p23r): P1 0.976 0.811, P2 0.973 0.786, P3 0.975 0.726,
# P5 0.960 0.629, P6 0.979 0.594; P7 (development since its one measurement, not in the pooled
# floors above): NAME 0.973 0.620, ADDRESS 0.943 0.652
PER_SET = {
    "P1": {"NAME": (0.94, 0.78), "ADDRESS": (0.91, 0.83)},
    "P2-holdout": {"NAME": (0.94, 0.75), "ADDRESS": (0.89, 0.84)},
    "P3-holdout": {"NAME": (0.94, 0.69), "ADDRESS": (0.90, 0.90)},
    "P4-holdout": {"NAME": (0.93, 0.76), "ADDRESS": (0.88, 0.76)},
    "P5-holdout": {"NAME": (0.92, 0.59), "ADDRESS": (0.87, 0.67)},
    "P6-holdout": {"NAME": (0.94, 0.56), "ADDRESS": (0.86, 0.67)},
    "P7-holdout": {"NAME": (0.94, 0.58), "ADDRESS": (0.91, 0.62)},
}

# no text marks a 港澳台通行证 (HK_MACAO_TW_PERMIT): its recall is unmeasured here; 24d75ef
# raised one false alarm on it in all five sets
PERMIT_FALSE_ALARMS = 1


@pytest.fixture(scope="module")
def tallies() -> Iterator[dict[str, Tally]]:
    engine = default_engine()
    items: dict[str, list[Item]] = {s: read_set(s) for s in PER_SET}
    out = {s: evaluate_set(its, engine.analyze)[0] for s, its in items.items()}
    pooled = [i for s in SETS for i in items[s]]
    out["all"] = evaluate_set(pooled, engine.analyze)[0]
    yield out


def _p_r(tally: Tally, kind: str) -> tuple[float, float]:
    f = tally.figures()[kind]
    return f["precision"]["value"] or 0.0, f["recall"]["value"] or 0.0


@pytest.mark.parametrize("kind", sorted(POOLED))
def test_pooled_floors(tallies: dict[str, Tally], kind: str) -> None:
    p, r = _p_r(tallies["all"], kind)
    p_floor, r_floor = POOLED[kind]
    assert p >= p_floor and r >= r_floor, (kind, p, r)


@pytest.mark.parametrize(("name", "kind"), [(s, k) for s in PER_SET for k in ("NAME", "ADDRESS")])
def test_per_set_name_and_address_floors(tallies: dict[str, Tally], name: str, kind: str) -> None:
    p, r = _p_r(tallies[name], kind)
    p_floor, r_floor = PER_SET[name][kind]
    assert p >= p_floor and r >= r_floor, (name, kind, p, r)


def test_every_type_marked_has_a_floor(tallies: dict[str, Tally]) -> None:
    marked = {t for t, n in tallies["all"].gold.items() if n}
    assert marked == set(POOLED)
    assert tallies["all"].pred["HK_MACAO_TW_PERMIT"] <= PERMIT_FALSE_ALARMS


# The shipped tagger (pii.tagger) on the sets it was trained on: in-sample figures, not
# evidence of quality (docs/pii.md gives the leave-one-set-out ones); a guard that the
# artefact, the features and the decoding still fit together. Measured on p23h (every set:
# NAME P 0.997-1.000, R 0.993-1.000; ADDRESS P 0.986-1.000, R 0.988-1.000). P7 and P8 are
# training sets too since p23t / p23u (p23u model: every set NAME P 0.996-1.000, R 0.994-1.000;
# ADDRESS P 0.991-1.000, R 0.983-1.000).
TAGGER_FLOOR = 0.97
TAGGER_SETS: tuple[str, ...] = load_script("train_pii_tagger").SETS  # P1–P11, its training sets


@pytest.fixture(scope="module")
def tagger_tallies() -> dict[str, Tally]:
    engine = PiiEngine(PiiConfig(tagger=True))
    return {s: evaluate_set(read_set(s), engine.analyze)[0] for s in TAGGER_SETS}


@pytest.mark.parametrize(
    ("name", "kind"), [(s, k) for s in TAGGER_SETS for k in ("NAME", "ADDRESS")]
)
def test_tagger_in_sample_floors(tagger_tallies: dict[str, Tally], name: str, kind: str) -> None:
    p, r = _p_r(tagger_tallies[name], kind)
    assert p >= TAGGER_FLOOR and r >= TAGGER_FLOOR, (name, kind, p, r)


# ``pii.fast_names: true`` (the rules without bare, list, minority, compound-surname and dotted
# names; docs/pii.md 默认引擎的取舍): measured on p23z (precision, recall), the default engine's
# NAME figures above for comparison:
#   P1–P6 pooled NAME 0.957 2130/2225 0.447 2130/4762
#   P1 0.968 0.582, P2 0.961 0.609, P3 0.957 0.405, P4 0.930 0.444, P5 0.960 0.319,
#   P6 0.959 0.264, P7 0.967 0.307; ADDRESS as the default engine's but P4 0.919 0.794
FAST_NAME_FLOORS = {
    "all": (0.92, 0.41),
    "P1": (0.93, 0.55),
    "P2-holdout": (0.93, 0.57),
    "P3-holdout": (0.92, 0.37),
    "P4-holdout": (0.90, 0.41),
    "P5-holdout": (0.92, 0.28),
    "P6-holdout": (0.92, 0.23),
    "P7-holdout": (0.93, 0.27),
}


@pytest.fixture(scope="module")
def fast_tallies() -> dict[str, Tally]:
    engine = PiiEngine(PiiConfig(fast_names=True))
    items: dict[str, list[Item]] = {s: read_set(s) for s in PER_SET}
    out = {s: evaluate_set(its, engine.analyze)[0] for s, its in items.items()}
    out["all"] = evaluate_set([i for s in SETS for i in items[s]], engine.analyze)[0]
    return out


@pytest.mark.parametrize("name", sorted(FAST_NAME_FLOORS))
def test_fast_names_floors(
    fast_tallies: dict[str, Tally], tallies: dict[str, Tally], name: str
) -> None:
    p, r = _p_r(fast_tallies[name], "NAME")
    p_floor, r_floor = FAST_NAME_FLOORS[name]
    assert p >= p_floor and r >= r_floor, (name, p, r)
    # the trade-off is real: the option reads far fewer names than the default engine
    assert r < _p_r(tallies[name], "NAME")[1] - 0.15, name
    for kind in set(POOLED) - {"NAME", "ADDRESS"}:  # other types are not read differently
        assert _p_r(fast_tallies[name], kind) == _p_r(tallies[name], kind), (name, kind)
