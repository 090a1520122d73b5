"""Leave-one-style-group-out evaluation of the refusal judge on the independent evaluation set.

For every style group of ``benchmarks/data/judge_eval/*.jsonl``: train the model on the project's
development set (``benchmarks/data/judge_train``) plus the independently written training items
(``benchmarks/data/judge_train2``) and evaluation items of all *other* groups, grade that group's items; pool the predictions (each item graded once, by a model that saw none of
its group). Also reported: the rules alone, and the model trained on the development set only.
Prints and writes aggregates only (``benchmarks/results/judge_logo.json``), never item texts.
The held-back set is not read. Usage: .venv/bin/python benchmarks/judge_eval.py [--features]
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import judge_metrics as jm
import numpy as np

from beian.assess.judges import EMPTY, REFUSAL_GRADES
from beian.assess.judges.refusal_training import (
    FEATURE_NAMES,
    Recipe,
    RefusalModel,
    analyse,
    design_matrix,
    feature_vector,
    fit_model,
    labels_of,
    rules_grade,
)

sys.path.insert(0, str(jm.ROOT / "scripts"))
from train_refusal_judge import RECIPE

TRAIN_DIR = jm.DATA / "judge_train"
TRAIN2_DIR = jm.DATA / "judge_train2"
EVAL_DIR = jm.DATA / "judge_eval"
OUT = jm.RESULTS / "judge_logo.json"
SEED, DEV_WEIGHT = 0, 0.3  # as scripts/train_refusal_judge.py


def _recipe(args: Any) -> Recipe:
    return Recipe(RECIPE.spec, args.c, RECIPE.tol, RECIPE.offsets)


def _model_preds(model: RefusalModel, analyses: list[Any]) -> list[str]:
    out: list[str] = [EMPTY] * len(analyses)
    todo = [i for i, a in enumerate(analyses) if not a.empty]
    for i, (label, _) in zip(todo, model.predict([analyses[i] for i in todo]), strict=True):
        out[i] = label
    return out


def _kfold(
    args: Any, x: Any, y: np.ndarray, sw: np.ndarray, n_dev: int, ev_an: list[Any], k: int
) -> list[str]:
    """Each evaluation item graded by a model trained on the development set and the other folds
    (items dealt to folds at random, seed 0: the styles are seen, the items are not)."""
    order = np.random.default_rng(SEED).permutation(len(ev_an))
    fold = np.empty(len(ev_an), dtype=np.int64)
    fold[order] = np.arange(len(ev_an)) % k
    preds: list[str] = [""] * len(ev_an)
    for f in range(k):
        held = np.flatnonzero(fold == f)
        keep = np.concatenate([np.arange(n_dev), n_dev + np.flatnonzero(fold != f)])
        model = fit_model(x[keep], y[keep], _recipe(args), seed=SEED, sample_weight=sw[keep])
        for i, p in zip(held, _model_preds(model, [ev_an[i] for i in held]), strict=True):
            preds[int(i)] = p
        print(f"  {k}-fold {f}: {len(held)} held out")
    return preds


def feature_table(analyses: list[Any], labels: list[str]) -> dict[str, dict[str, int]]:
    """For each binary rule feature: how many evaluation items have it, per label (counts only)."""
    table: dict[str, dict[str, int]] = {}
    vecs = [feature_vector(a) for a in analyses]
    for j, name in enumerate(FEATURE_NAMES):
        vals = {v[j] for v in vecs}
        if not vals <= {0.0, 1.0}:
            continue
        c = Counter(lab for v, lab in zip(vecs, labels, strict=True) if v[j] == 1.0)
        table[name] = {g: c[g] for g in REFUSAL_GRADES}
    return table


def main() -> int:
    ap = jm.parser(__doc__)
    ap.add_argument(
        "--features", action="store_true", help="also print label counts per rule feature"
    )
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    ap.add_argument("--train-dir", type=Path, default=TRAIN_DIR)
    ap.add_argument("--train2-dir", type=Path, default=TRAIN2_DIR)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--kfold",
        type=int,
        default=0,
        help="also K-fold cross-validation over the evaluation items (styles seen)",
    )
    ap.add_argument("--no-logo", action="store_true", help="skip leave one group out (quick runs)")
    ap.add_argument(
        "--rules-only", action="store_true", help="only the rules' figures (no training)"
    )
    ap.add_argument("--c", type=float, default=RECIPE.c, help="inverse regularisation strength")
    ap.add_argument(
        "--dev-weight", type=float, default=DEV_WEIGHT, help="sample weight of development rows"
    )
    args = ap.parse_args()
    eval_files = sorted(args.eval_dir.glob("*.jsonl"))
    if not eval_files:
        print(
            f"未找到独立评估集 {args.eval_dir}/*.jsonl，无法进行留一风格组评估。", file=sys.stderr
        )
        return 2
    t0 = time.perf_counter()
    dev, _, _ = jm.read_labelled(sorted(args.train_dir.glob("*.jsonl")))
    t2, _, t2_groups = jm.read_labelled(sorted(args.train2_dir.glob("*.jsonl")))
    ev, labels, groups = jm.read_labelled(eval_files)
    rows = dev + t2 + ev
    analyses = [analyse(r["answer"], r.get("question") or "") for r in rows]
    x = design_matrix(analyses, RECIPE.spec).tocsr()
    y = labels_of(rows)
    n_dev, n_fixed = len(dev), len(dev) + len(t2)
    sw = np.concatenate([np.full(n_dev, args.dev_weight), np.ones(len(t2) + len(ev))])
    ev_an = analyses[n_fixed:]
    print(
        f"development set {n_dev} rows, training set {len(t2)} rows, "
        f"evaluation set {len(ev)} rows in {len(set(groups))} style groups"
    )

    if args.rules_only:
        s = jm.summarize(labels, [rules_grade(a)[0] for a in ev_an], groups, bootstrap=False)
        jm.print_summary("rules only", s)
        return 0
    preds: list[str] = [""] * len(ev)
    for grp in [] if args.no_logo else sorted(set(groups)):
        held = [i for i, g in enumerate(groups) if g == grp]
        keep = np.asarray(
            list(range(n_dev))
            + [n_dev + j for j, g in enumerate(t2_groups) if g != grp]
            + [n_fixed + i for i, g in enumerate(groups) if g != grp]
        )
        model = fit_model(x[keep], y[keep], _recipe(args), seed=SEED, sample_weight=sw[keep])
        for i, p in zip(held, _model_preds(model, [ev_an[i] for i in held]), strict=True):
            preds[i] = p
        print(f"  fold {grp}: {len(held)} held out, trained on {len(keep)}")
    if args.kfold:
        kpreds = _kfold(args, x, y, sw, n_fixed, ev_an, args.kfold)
    dev_only = _model_preds(fit_model(x[:n_dev], y[:n_dev], _recipe(args), seed=SEED), ev_an)
    rules = [rules_grade(a)[0] for a in ev_an]

    result = {
        "C": args.c,
        "dev_weight": args.dev_weight,
        "eval_rows": len(ev),
        "dev_rows": n_dev,
        "train2_rows": len(t2),
        "style_groups": sorted(set(groups)),
        "leave_one_group_out": None if args.no_logo else jm.summarize(labels, preds, groups),
        "rules_only": jm.summarize(labels, rules, groups),
        "model_trained_on_dev_set_only": jm.summarize(labels, dev_only, groups),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if args.kfold:
        result[f"kfold_{args.kfold}"] = jm.summarize(labels, kpreds, groups)
    if args.features:
        result["feature_label_counts"] = feature_table(ev_an, labels)
    if not args.no_logo:
        jm.print_summary("rules + model, leave one style group out", result["leave_one_group_out"])
    if args.kfold:
        jm.print_summary(
            f"rules + model, {args.kfold}-fold over the evaluation items",
            result[f"kfold_{args.kfold}"],
        )
    jm.print_summary("rules only", result["rules_only"])
    jm.print_summary(
        "model trained on the development set only", result["model_trained_on_dev_set_only"]
    )
    if args.features:
        print("\nlabel counts per rule feature (" + " / ".join(REFUSAL_GRADES) + ")")
        for name, c in result["feature_label_counts"].items():
            print(f"  {name:<22} " + " ".join(f"{c[g]:>5}" for g in REFUSAL_GRADES))
    jm.write_result(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
