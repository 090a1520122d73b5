"""Development figures for the refusal judge: leave writers out, or leave one style group out.

The independently written labelled data are split by writer (``T1``…``T13``, ``T14a``/``T14b``,
``T15a``…``T15d``, ``R1``/``R2``/``H1``/``H2``/``X``, ``Y1``…``Y4``, ``Z1``/``Z2``, ``W1``/``W2``,
``V1``/``V2``, ``T16a``…``T16d``, ``S1``/``S2`` (since j22i), ``T17a``/``T17b`` (since j22i),
``T17c``/``T17d`` and R's ``R1``/``R2`` (since j22j; keyed ``R1@judge_holdout7``,
``R2@judge_holdout7``, other writers than judge_eval's ``R1``/``R2``), ``Q1``/``Q2`` and
``T18a``/``T18b`` (since j22k): 48 writers) and the writers dealt
into ``--folds`` folds (6 by default, in sorted order; ``--folds 0``: one fold per writer). Each
fold's items are graded by a model trained on the project's development set (weight 0.3) and the
other folds, and the predictions are pooled: every item is graded once, by a model that saw nothing
its writer wrote. ``--split groups``: one fold per style group instead (``R-terse``, ``H-partial``
…): every item is graded by a model that saw no item of its style group from any independent
writer (the development set, whose groups are named differently, stays in training) — a harder test
of whether a recipe generalises to a kind of answer it was not shown.
Figures: refusal recall, false-refusal rate, four-grade macro-F1 (Wilson / bootstrap 95 %
intervals), by style group and by writer. Recipes are compared on the same folds: ``before`` (the
features, C and argmax decision shipped until 2026-12-06) and ``after`` (the shipped recipe of
``scripts/train_refusal_judge.py``), both at the solver tolerance of the shipped recipe. The
decision offset (``nested_offset``) is chosen inside the protocol: for each fold, on the pooled
out-of-fold scores of the other folds only; ``offset_on_all_writers`` is the one shipped.

``--net`` also trains the network of ``scripts/train_refusal_judge.py`` (``NET_RECIPE``, PyTorch)
on each fold and reports it alone (``net``) and added to the shipped linear recipe's scores
(``combined``: ``after`` + ``COMBINE["net_weight"]`` × ``net``, the judge's rule), on the same folds.

These are development figures: the writers' styles and the data were studied while the judge was
built. The final figure comes from a held-back set that is never read here.
Prints and writes aggregates only (``benchmarks/results/judge_dev.json``), never item texts.
Usage: .venv/bin/python benchmarks/judge_dev.py [--recipe NAME ...] [--folds 6] [--split groups] [--net] [--jobs 2]
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import judge_metrics as jm
import numpy as np

sys.path.insert(0, str(jm.ROOT / "scripts"))
import train_refusal_judge as trainer

from beian.assess.judges import EMPTY, REFUSAL_GRADES
from beian.assess.judges import refusal_training as rt

OUT = jm.RESULTS / "judge_dev.json"
# the network alone; the shipped recipe's scores plus the network's
NET, COMBINED = "net", "combined"
RECIPES: dict[str, rt.Recipe] = {
    "before": rt.Recipe(tol=trainer.TOL),  # the features, C and argmax shipped until 2026-12-06
    **trainer.CANDIDATES,
    "after": trainer.RECIPE,
}
_STATE: dict[str, Any] = {}


def _fold(args: tuple[str, str]) -> tuple[str, str, np.ndarray]:
    name, writer = args
    s = _STATE
    held = s["writers"] == writer
    keep = ~held
    recipe = RECIPES[name]
    x = s["x"][name]
    model = rt.fit_model(
        x[keep], s["y"][keep], replace_offsets(recipe), sample_weight=s["sw"][keep], seed=0
    )
    idx = np.flatnonzero(held)
    return name, writer, model.logits([s["analyses"][i] for i in idx])


def _net_fold(writer: str) -> tuple[str, str, np.ndarray]:
    """The network trained without this fold, its scores on the fold."""
    s = _STATE
    held = s["writers"] == writer
    data: rt.NetTrainingData = s["net_data"]
    net = rt.fit_net(data, s["y"], s["sw"], trainer.NET_RECIPE, rows=np.flatnonzero(~held))
    idx = np.flatnonzero(held)
    a = [s["analyses"][i] for i in idx]
    return NET, writer, net.logits([x.text for x in a], [x.question for x in a], data.dense[idx])


def replace_offsets(recipe: rt.Recipe) -> rt.Recipe:
    return dataclasses.replace(recipe, offsets=(0.0, 0.0, 0.0, 0.0))


def decide(logits: np.ndarray, offsets: np.ndarray, empty: np.ndarray) -> list[str]:
    k = (logits + offsets).argmax(axis=1)
    return [EMPTY if e else REFUSAL_GRADES[int(i)] for i, e in zip(k, empty, strict=True)]


def best_offset(logits: np.ndarray, labels: list[str], empty: np.ndarray) -> float:
    """The 正常回答 offset that best meets the targets on these scores (for the shipped recipe)."""
    grid = np.round(np.arange(-2.0, 2.01, 0.1), 2)
    return float(
        min(
            grid,
            key=lambda d: (
                rt.offset_cost(labels, decide(logits, rt.offset_vector(d), empty)),
                abs(d),
            ),
        )
    )


def nested_offsets(
    logits: np.ndarray, labels: list[str], writers: np.ndarray, empty: np.ndarray
) -> tuple[list[str], dict[str, float]]:
    """For each writer: the 正常回答 offset chosen on the other writers' out-of-fold scores."""
    preds: list[str] = [""] * len(labels)
    chosen: dict[str, float] = {}
    for w in sorted(set(writers)):
        others = np.flatnonzero(writers != w)
        best = best_offset(logits[others], [labels[i] for i in others], empty[others])
        chosen[str(w)] = float(best)
        mine = np.flatnonzero(writers == w)
        for i, p in zip(
            mine, decide(logits[mine], rt.offset_vector(best), empty[mine]), strict=True
        ):
            preds[int(i)] = p
    return preds, chosen


def _deal(keys: np.ndarray, folds: int, prefix: str, members: dict[str, list[str]]) -> np.ndarray:
    """Deal the independent keys (writers or style groups; the development set stays apart) into
    ``folds`` folds in sorted order; record each fold's members; return the fold of every row."""
    ks = sorted(set(keys.tolist()) - {trainer.DEV_WRITER})
    deal = {k: f"{prefix}{i % folds}" for i, k in enumerate(ks)}
    for k, f in deal.items():
        members.setdefault(f, []).append(k)
    return np.asarray([deal.get(k, k) for k in keys.tolist()])


def main() -> int:
    ap = jm.parser(__doc__)
    ap.add_argument(
        "--recipe", action="append", default=[], help="recipes (default: before, after)"
    )
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--folds", type=int, default=6, help="deal the writers into N folds (0: one per writer)"
    )
    ap.add_argument(
        "--split",
        choices=("writers", "groups"),
        default="writers",
        help="folds: writers (dealt into --folds) or one per style group (leave one group out)",
    )
    ap.add_argument(
        "--group-folds",
        type=int,
        default=0,
        help="with --split groups: deal the style groups into N folds (0: one fold per group)",
    )
    ap.add_argument("--tol", type=float, default=0.0, help="quick runs: solver tolerance")
    ap.add_argument(
        "--dev-weight",
        type=float,
        help="weight of the development set's rows (default: the trainer's)",
    )
    ap.add_argument(
        "--net",
        action="store_true",
        help="also the network (scripts/train_refusal_judge.py NET_RECIPE) and its combination "
        "with the shipped recipe (needs PyTorch)",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--save-logits", type=Path, help="also keep the out-of-fold scores (npz)")
    args = ap.parse_args()
    names = args.recipe or ["before", "after"]
    if args.net and "after" not in names:
        names.append("after")
    t0 = time.perf_counter()
    data = trainer.load_data()
    rows, sw, writers = data.rows, np.asarray(data.weights), np.asarray(data.writers)
    if args.dev_weight is not None:
        sw = np.where(writers == trainer.DEV_WRITER, args.dev_weight, sw)
    deal_inv: dict[str, list[str]] = {}
    if args.split == "groups":  # every style group of the independent sets is one fold
        writers = np.asarray(
            [
                w if w == trainer.DEV_WRITER else str(r.get("style_group") or "?")
                for w, r in zip(writers, rows, strict=True)
            ]
        )
        if args.group_folds:  # several style groups left out together
            writers = _deal(writers, args.group_folds, "groups", deal_inv)
    elif args.folds:
        writers = _deal(writers, args.folds, "fold", deal_inv)
    if args.tol:
        for n in names:
            r = RECIPES[n]
            RECIPES[n] = dataclasses.replace(r, tol=args.tol)
    analyses = [rt.analyse(r["answer"], r.get("question") or "") for r in rows]
    y = rt.labels_of(rows)
    _STATE.update(
        analyses=analyses,
        y=y,
        sw=sw,
        writers=writers,
        x={n: rt.design_matrix(analyses, RECIPES[n].spec) for n in names},
    )
    if args.net:
        _STATE["net_data"] = trainer.net_data(rows)
    folds = sorted({w for w in writers if w != trainer.DEV_WRITER})
    test = np.flatnonzero(writers != trainer.DEV_WRITER)
    labels = [rows[i]["label"] for i in test]
    groups = [str(rows[i].get("style_group") or "?") for i in test]
    twriters = writers[test]  # fold of each graded item
    by_writer = np.asarray(data.writers)[test]
    empty = np.asarray([bool(analyses[i].empty) for i in test])
    split = "leave-one-style-group-out" if args.split == "groups" else "leave-writers-out"
    print(f"{len(rows)} rows; {len(test)} graded in {len(folds)} {split} folds")
    logits: dict[str, np.ndarray] = {n: np.zeros((len(rows), len(REFUSAL_GRADES))) for n in names}
    jobs = [(n, w) for n in names for w in folds]
    if args.net:
        logits[NET] = np.zeros((len(rows), len(REFUSAL_GRADES)))
    with ProcessPoolExecutor(args.jobs) as pool:
        done = [pool.map(_fold, jobs)]
        if args.net:
            done.append(pool.map(_net_fold, folds))
        for results in done:
            for n, w, lg in results:
                logits[n][writers == w] = lg
                print(f"  {n} without {w}: done ({time.perf_counter() - t0:.0f} s)", flush=True)
    if args.net:  # the judge's rule: the shipped recipe's scores plus the weighed network's
        logits[COMBINED] = logits["after"] + trainer.COMBINE["net_weight"] * logits[NET]
        names += [NET, COMBINED]
    n_writers = len(set(data.writers) - {trainer.DEV_WRITER})
    result: dict[str, Any] = {
        "protocol": (
            f"leave style groups out: the {sum(map(len, deal_inv.values())) or len(folds)} style "
            f"groups of the {n_writers} independent writers' sets in {len(folds)} folds"
            if args.split == "groups"
            else f"leave writers out: the {n_writers} writers of the independently written sets "
            f"dealt into {len(folds)} folds"
        )
        + "; development set (weight 0.3) always in training; figures "
        "pooled over folds (Wilson 95 % intervals); decision offset chosen on the other folds",
        "development_figures": True,
        "rows": len(rows),
        "graded": len(test),
        "folds": {f: deal_inv.get(f, [f]) for f in folds},
        "recipes": {},
    }
    for n in names:
        lg = logits[n][test]
        argmax = decide(lg, np.zeros(len(REFUSAL_GRADES)), empty)
        entry: dict[str, Any] = {
            "recipe": rt.recipe_card(replace_offsets(RECIPES[n]))
            if n in RECIPES
            else {"network": trainer.NET_RECIPE.card(), "combine": trainer.COMBINE}
        }
        entry["argmax"] = _figures(labels, argmax, groups, by_writer)
        nested, chosen = nested_offsets(lg, labels, twriters, empty)
        entry["nested_offset"] = _figures(labels, nested, groups, by_writer)
        entry["nested_offset"]["offsets_chosen"] = chosen
        entry["offset_on_all_writers"] = best_offset(lg, labels, empty)
        result["recipes"][n] = entry
        for rule, s in (("argmax", entry["argmax"]), ("nested offset", entry.get("nested_offset"))):
            if s:
                jm.print_summary(f"{n} ({rule}), {split}", s)
    if args.save_logits:
        np.savez(
            args.save_logits,
            **{n: logits[n][test] for n in names},
            writers=twriters,  # the fold of each graded row
            by_writer=by_writer,  # its writer
            labels=np.asarray(labels),
            groups=np.asarray(groups),
            empty=empty,
        )
    result["seconds"] = round(time.perf_counter() - t0, 1)
    result["loadavg_1m"] = os.getloadavg()[0]
    jm.write_result(args.out, result)
    return 0


def _figures(
    labels: list[str], preds: list[str], groups: list[str], writers: np.ndarray
) -> dict[str, Any]:
    s = jm.summarize(labels, preds, groups)
    s["per_set"] = {
        str(w): {
            "n": int((writers == w).sum()),
            "macro_f1": round(jm.macro_f1(*_sub(labels, preds, writers == w)), 4),
            **jm.binary(*_sub(labels, preds, writers == w)),
        }
        for w in sorted(set(writers))
    }
    return s


def _sub(labels: list[str], preds: list[str], mask: np.ndarray) -> tuple[list[str], list[str]]:
    idx = np.flatnonzero(mask)
    return [labels[i] for i in idx], [preds[i] for i in idx]


if __name__ == "__main__":
    raise SystemExit(main())
