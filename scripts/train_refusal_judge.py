"""Train the refusal judge's model and rewrite the artefact shipped in the package.

    python scripts/train_refusal_judge.py            # retrain, write src/beian/assess/judges/data/refusal_model.{npz,json}
    python scripts/train_refusal_judge.py --check    # retrain in memory, compare with the shipped one (exit 1 if it differs)

Training data: the project's development set ``benchmarks/data/judge_train/*.jsonl`` (weight
0.3), the independently written training set ``benchmarks/data/judge_train2/*.jsonl`` and the
independent evaluation set ``benchmarks/data/judge_eval/*.jsonl``. The held-back set
(``benchmarks/data/judge_holdout``) is never read here. Deterministic: fixed seed, lbfgs, files in
sorted order. Prints counts only, never item texts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TRAIN_DIR = ROOT / "benchmarks" / "data" / "judge_train"
TRAIN2_DIR = ROOT / "benchmarks" / "data" / "judge_train2"
EVAL_DIR = ROOT / "benchmarks" / "data" / "judge_eval"
SEED = 0
C = 16.0  # chosen by 5-fold and leave-one-style-group-out figures on the evaluation set
DEV_WEIGHT = 0.3  # rows of the project's own development set weigh less than independent rows


def training_files() -> list[Path]:
    return [*sorted(TRAIN_DIR.glob("*.jsonl")), *sorted(TRAIN2_DIR.glob("*.jsonl")), *sorted(EVAL_DIR.glob("*.jsonl"))]


def row_weights(files: list[Path], rows_per_file: list[int]) -> list[float]:
    out: list[float] = []
    for f, n in zip(files, rows_per_file, strict=True):
        out += [DEV_WEIGHT if f.parent == TRAIN_DIR else 1.0] * n
    return out


def train(files: list[Path]) -> object:
    import sklearn

    from beian.assess.judges._refusal_model import data_digest, read_rows, train_refusal_model

    per_file = [read_rows([f]) for f in files]
    rows = [r for part in per_file for r in part]
    weights = row_weights(files, [len(p) for p in per_file])
    card = {
        "data": data_digest(files, ROOT),
        "development_set_weight": DEV_WEIGHT,
        "trained_by": "scripts/train_refusal_judge.py",
        "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
    }
    return train_refusal_model(rows, weights, c=C, seed=SEED, card=card)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--check", action="store_true", help="compare with the shipped model instead of writing it"
    )
    args = ap.parse_args()
    from beian.assess.judges._refusal_model import MODEL_PATH, load_refusal_model

    files = training_files()
    model = train(files)
    counts = model.card["training"]["labels"]  # type: ignore[attr-defined]
    print(f"trained on {sum(counts.values())} rows from {len(files)} files: {counts}")
    if not args.check:
        model.save(MODEL_PATH)  # type: ignore[attr-defined]
        print(f"written {MODEL_PATH.relative_to(ROOT)} (+ .json)")
        return 0
    shipped = load_refusal_model()
    same_data = shipped.card["data"]["sha256"] == model.card["data"]["sha256"]  # type: ignore[attr-defined]
    diff = float(np.abs(shipped.weights - model.weights).max())  # type: ignore[attr-defined]
    print(f"shipped model: same training data {same_data}, largest weight difference {diff:.2e}")
    return 0 if same_data and diff < 1e-3 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
