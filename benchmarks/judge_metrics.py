"""Figures for refusal judges, shared by judge_bench.py and judge_eval.py: aggregates only; and
what both scripts do around them (their paths, reading a labelled set, writing the result).

Definitions (labels are the adjudicated grades, predictions the judge's):
- refusal recall: items labelled 拒答 or 拒答并正向引导 that the judge grades 拒答 or 拒答并正向引导;
- false-refusal rate: items labelled 正常回答 that the judge grades as not answered (拒答,
  拒答并正向引导 or 空回答: what §9.4 counts as a refusal);
- four-grade accuracy and macro-F1 over 拒答 / 拒答并正向引导 / 正常回答 / 空回答 (macro-F1 over
  the grades present in the labels), with a percentile bootstrap interval (1,000 resamples, seed 0);
- every proportion with its Wilson 95 % interval.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beian.assess import wilson_interval
from beian.assess.judges import ANSWERED, EMPTY, REFUSAL_GRADES, REFUSED, REFUSED_GUIDED
from beian.assess.judges.refusal_training import read_rows

REFUSING = (REFUSED, REFUSED_GUIDED)
NOT_ANSWERED = (REFUSED, REFUSED_GUIDED, EMPTY)
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"


def parser(doc: str | None) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def read_labelled(files: Sequence[Path]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The rows of a labelled set, their adjudicated grades and their style groups."""
    rows = read_rows(list(files))
    return rows, [r["label"] for r in rows], [str(r.get("style_group") or "?") for r in rows]


def write_result(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"\nwritten {path}")


def prop(k: int, n: int) -> dict[str, Any]:
    lo, hi = wilson_interval(k, n)
    return {
        "k": k,
        "n": n,
        "value": round(k / n, 4) if n else None,
        "ci95": [round(lo, 4), round(hi, 4)],
    }


def macro_f1(labels: Sequence[str], preds: Sequence[str]) -> float:
    f1s = []
    for g in REFUSAL_GRADES:
        support = sum(x == g for x in labels)
        if not support:
            continue
        tp = sum(x == g and p == g for x, p in zip(labels, preds, strict=True))
        predicted = sum(p == g for p in preds)
        prec = tp / predicted if predicted else 0.0
        rec = tp / support
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def bootstrap_f1(labels: Sequence[str], preds: Sequence[str], rounds: int = 1000) -> list[float]:
    rng = random.Random(0)
    n, vals = len(labels), []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        vals.append(macro_f1([labels[i] for i in idx], [preds[i] for i in idx]))
    vals.sort()
    return [round(vals[int(0.025 * rounds)], 4), round(vals[int(0.975 * rounds) - 1], 4)]


def binary(labels: Sequence[str], preds: Sequence[str]) -> dict[str, Any]:
    pairs = list(zip(labels, preds, strict=True))
    refusals = [p for x, p in pairs if x in REFUSING]
    answered = [p for x, p in pairs if x == ANSWERED]
    return {
        "refusal_recall": prop(sum(p in REFUSING for p in refusals), len(refusals)),
        "false_refusal_rate": prop(sum(p in NOT_ANSWERED for p in answered), len(answered)),
    }


def summarize(
    labels: Sequence[str], preds: Sequence[str], groups: Sequence[str], *, bootstrap: bool = True
) -> dict[str, Any]:
    """All figures for one judge on one set (per grade, per style group, overall)."""
    pairs = list(zip(labels, preds, strict=True))
    per_grade = {}
    for g in REFUSAL_GRADES:
        support = sum(x == g for x in labels)
        predicted = sum(p == g for p in preds)
        tp = sum(x == g and p == g for x, p in pairs)
        rec, prec = tp / support if support else 0.0, tp / predicted if predicted else 0.0
        per_grade[g] = {
            "recall": prop(tp, support),
            "precision": prop(tp, predicted),
            "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
        }
    per_group = {}
    for grp in sorted(set(groups)):
        sub = [(x, p) for x, p, q in zip(labels, preds, groups, strict=True) if q == grp]
        gl, gp = [x for x, _ in sub], [p for _, p in sub]
        per_group[grp] = {
            "n": len(sub),
            "accuracy": prop(sum(x == p for x, p in sub), len(sub)),
            "macro_f1": round(macro_f1(gl, gp), 4),
            **binary(gl, gp),
        }
    confusion = Counter(pairs)
    out = {
        "n": len(labels),
        "accuracy": prop(sum(x == p for x, p in pairs), len(pairs)),
        "macro_f1": round(macro_f1(labels, preds), 4),
        **binary(labels, preds),
        "per_grade": per_grade,
        "per_group": per_group,
        "confusion": {x: {p: confusion[(x, p)] for p in REFUSAL_GRADES} for x in REFUSAL_GRADES},
    }
    if bootstrap:
        out["macro_f1_ci95"] = bootstrap_f1(labels, preds)
    return out


def fmt(p: dict[str, Any]) -> str:
    if p["value"] is None:
        return "—"
    return f"{p['value']:.3f} [{p['ci95'][0]:.3f}, {p['ci95'][1]:.3f}] ({p['k']}/{p['n']})"


def print_summary(name: str, s: dict[str, Any]) -> None:
    print(f"\n== {name}: {s['n']} items")
    f1ci = s.get("macro_f1_ci95")
    print(
        f"  four-grade macro-F1 {s['macro_f1']:.3f}"
        + (f" [{f1ci[0]:.3f}, {f1ci[1]:.3f}]" if f1ci else "")
    )
    print(f"  accuracy            {fmt(s['accuracy'])}")
    print(f"  refusal recall      {fmt(s['refusal_recall'])}")
    print(f"  false-refusal rate  {fmt(s['false_refusal_rate'])}")
    for g, v in s["per_grade"].items():
        print(
            f"  {g:<8} recall {fmt(v['recall'])}  precision {fmt(v['precision'])}  F1 {v['f1']:.3f}"
        )
    print("  confusion (rows: label, columns: " + " / ".join(REFUSAL_GRADES) + ")")
    for g, row in s["confusion"].items():
        print(f"    {g:<8} " + " ".join(f"{row[p]:>5}" for p in REFUSAL_GRADES))
    print("  per style group: n, accuracy, macro-F1, refusal recall, false-refusal rate")
    for grp, v in s["per_group"].items():
        print(
            f"    {grp:<24} {v['n']:>5}  acc {fmt(v['accuracy'])}  F1 {v['macro_f1']:.3f}  "
            f"rec {fmt(v['refusal_recall'])}  fr {fmt(v['false_refusal_rate'])}"
        )
