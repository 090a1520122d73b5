"""Keyword scan throughput of several source trees, measured in one run (issue 23, item 5).

The default configuration's scan of ``lexicon_bench.py``'s synthetic workload (20,000 keywords,
10 MB of text, seed 20240229, 1,000 plants), each tree in its own subprocesses (the worker of
``lexicon_quality.py``), the trees taking turns round after round on the shared machine. Each
worker builds the library (the hyperscan databases come from a cache per tree after the first
round) and keeps its fastest of ``--scans`` scans. Reports per tree the best and the median
over the rounds, by wall clock and by CPU time, and each tree's ratio to the first one with a
bootstrap 95 % interval of the ratio of medians. Run under ``flock /tmp/beian-bench.lock``::

    git archive 373c1fc src | tar -x -C /tmp/start      # the issue's starting point
    python benchmarks/lexicon_speed.py start=/tmp/start/src main=/tmp/main/src new=src \\
        --rounds 12 --out benchmarks/results/lexicon_speed_k23p.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent


def _workload(folder: Path, args: argparse.Namespace) -> float:
    """Write the keywords and the text where the workers read them; returns the text's MB."""
    import lexicon_bench as bench

    rng = random.Random(args.seed)
    chars = bench._chars(rng)
    kws = bench.make_keywords(rng, args.keywords, chars)
    text, _ = bench.make_text(rng, args.mb, chars, kws, args.plants)
    spec = {"keywords": [(k.keyword, k.risk, sorted(k.modes)) for k in kws], "rounds": args.scans}
    (folder / "keywords.json").write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    (folder / "text.txt").write_text(text, "utf-8")
    return len(text.encode()) / 1e6


def _ratio_interval(ref: list[float], other: list[float]) -> list[float]:
    """Bootstrap 95 % interval (seeded) of median(ref) / median(other)."""
    rng = random.Random(1)
    draws = sorted(
        statistics.median(rng.choices(ref, k=len(ref)))
        / statistics.median(rng.choices(other, k=len(other)))
        for _ in range(2000)
    )
    return [round(draws[50], 3), round(draws[1949], 3)]


def measure(sides: dict[str, Path], args: argparse.Namespace) -> dict[str, Any]:
    from lexicon_quality import run_worker

    times: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in sides}
    with tempfile.TemporaryDirectory(prefix="lexspeed-") as tmp:
        folder = Path(tmp)
        mb = _workload(folder, args)
        load_before = os.getloadavg()
        for _ in range(args.rounds):
            for name, src in sides.items():
                tag = hashlib.sha256(str(src).encode()).hexdigest()[:8]
                r = run_worker(src, folder, folder / f"cache-{name}-{tag}")
                times[name]["wall"].append(r["scan_s"])
                times[name]["cpu"].append(r["scan_cpu_s"])
        load_after = os.getloadavg()
    result: dict[str, Any] = {
        "command": " ".join(["benchmarks/lexicon_speed.py", *sys.argv[1:]]),
        "workload": {
            "keywords": args.keywords,
            "text_mb": round(mb, 2),
            "plants": args.plants,
            "seed": args.seed,
            "rounds": args.rounds,
            "scans_per_round": args.scans,
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpu_count": os.cpu_count(),
    }
    ref = next(iter(sides))
    for name, src in sides.items():
        t = times[name]
        row: dict[str, Any] = {
            "src": str(src),
            "mb_per_s_best": round(mb / min(t["wall"]), 1),
            "mb_per_cpu_s_best": round(mb / min(t["cpu"]), 1),
            "mb_per_s_median": round(mb / statistics.median(t["wall"]), 1),
            "mb_per_cpu_s_median": round(mb / statistics.median(t["cpu"]), 1),
            "scan_s": [round(x, 4) for x in t["wall"]],
            "scan_cpu_s": [round(x, 4) for x in t["cpu"]],
        }
        if name != ref:
            r, o = times[ref], t
            row[f"over_{ref}"] = {
                "wall_best": round(min(r["wall"]) / min(o["wall"]), 3),
                "cpu_best": round(min(r["cpu"]) / min(o["cpu"]), 3),
                "wall_median": round(
                    statistics.median(r["wall"]) / statistics.median(o["wall"]), 3
                ),
                "cpu_median": round(statistics.median(r["cpu"]) / statistics.median(o["cpu"]), 3),
                "wall_median_boot95": _ratio_interval(r["wall"], o["wall"]),
                "cpu_median_boot95": _ratio_interval(r["cpu"], o["cpu"]),
            }
        result[name] = row
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "sides", nargs="+", help="NAME=SRC: a tree's src/ folder; the first is the reference"
    )
    ap.add_argument("--keywords", type=int, default=20_000)
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--plants", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240229)
    ap.add_argument("--rounds", type=int, default=12, help="turns of every tree")
    ap.add_argument("--scans", type=int, default=3, help="scans per worker (its fastest counts)")
    ap.add_argument("--out", type=Path, help="write the result JSON here")
    args = ap.parse_args()
    sides: dict[str, Path] = {}
    for item in args.sides:
        name, sep, src = item.partition("=")
        if not sep or not name or not Path(src).is_dir():
            raise SystemExit(
                f"错误：{item!r} 应写成 名称=源码目录（如 start=/tmp/start/src），且目录须存在。"
            )
        sides[name] = Path(src).resolve()
    result = measure(sides, args)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
