"""Gateway A/B: the same load against the gateway of several source trees, rounds alternated.

On a machine shared with other work, one tree measured after another compares two machine
states as much as two trees. This script runs ``gateway_bench.py`` (this tree's load generator,
``model`` profile) once per tree per round, in an order that rotates each round, with the
upstream demo server and the gateway taken from each tree's ``src`` (``PYTHONPATH``); every run
holds ``flock /tmp/beian-bench.lock`` so no other benchmark overlaps it. The figure compared is
the gateway's CPU time per request (all its processes) within the measured window
(``cpu_window_ms_per_request_gateway``; the CPU over the whole run, warm-up included, is kept
too); added p99 latency, throughput ratio and the load average are recorded with it.

    git worktree add --detach ../base 38dfd57
    .venv/bin/python benchmarks/gateway_ab.py --tree base=../base --tree head=. --rounds 5

The demo model's answers change between commits (4aa2d55 made them ~40 % longer), and the
gateway's work grows with the answer: ``--upstream-tree NAME`` runs every round's upstream from
that tree, so both gateways screen the same answers.

Writes ``benchmarks/results/gateway-ab.json`` (per run, and per tree the median over rounds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "gateway_bench.py"
RESULTS = ROOT / "benchmarks" / "results" / "gateway-ab.json"
LOCK = "/tmp/beian-bench.lock"
KEPT = ("cpu_ms_per_request_gateway", "cpu_window_ms_per_request_gateway", "requests", "errors",
        "rps", "p99_ms", "p99_ms_per_chunk")  # fmt: skip


def _tree(spec: str) -> tuple[str, Path]:
    name, sep, path = spec.partition("=")
    if not sep or not name or not (Path(path) / "src" / "beian").is_dir():
        raise argparse.ArgumentTypeError(
            f"--tree 应为 名称=源码树路径（含 src/beian），得到 {spec!r}"
        )
    return name, Path(path).resolve()


def one_run(tree: Path, bench_args: list[str]) -> dict[str, Any]:
    """gateway_bench.py on ``tree``'s servers; its ``model`` profile, slimmed."""
    with tempfile.TemporaryDirectory() as td:
        out = Path(td) / "run.json"
        env = {**os.environ, "PYTHONPATH": str(tree / "src")}
        cmd = ["flock", LOCK, sys.executable, str(BENCH), "--profiles", "model", *bench_args,
               "--output", str(out)]  # fmt: skip
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        prof = json.loads(out.read_text(encoding="utf-8"))["profiles"]["model"]
    runs = []
    for r in prof["runs"]:
        row = {"clients": r["clients"], "stream": r["stream"],
               "throughput_ratio": round(r["throughput_ratio"], 3),
               **{k: round(v, 3) for k, v in r["gateway"].items() if k in KEPT and v is not None},
               "direct_cpu_ms_per_request_upstream":
                   round(r["direct"].get("cpu_ms_per_request_upstream", float("nan")), 3)}  # fmt: skip
        row["added_p99_ms" + ("_per_chunk" if r["stream"] else "")] = round(
            r["added_p99_ms_per_chunk"] if r["stream"] else r["added_p99_ms"], 3
        )
        runs.append(row)
    return {"loadavg_before": prof["loadavg_before"], "loadavg_after": prof["loadavg_after"],
            "runs": runs}  # fmt: skip


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per tree and (clients, mode): medians (and ranges) over the rounds."""
    out: dict[str, Any] = {}
    keys = {(r["tree"], x["clients"], x["stream"]) for r in rounds for x in r["runs"]}
    for tree, clients, stream in sorted(keys):
        rows = [x for r in rounds if r["tree"] == tree for x in r["runs"]
                if x["clients"] == clients and x["stream"] == stream]  # fmt: skip
        added = "added_p99_ms_per_chunk" if stream else "added_p99_ms"
        cell: dict[str, Any] = {"rounds": len(rows)}
        for k in ("cpu_window_ms_per_request_gateway", "cpu_ms_per_request_gateway", added,
                  "throughput_ratio"):  # fmt: skip
            vals = sorted(x[k] for x in rows if k in x)
            if vals:
                cell[k] = {"median": round(statistics.median(vals), 3), "min": vals[0],
                           "max": vals[-1]}  # fmt: skip
        mode = "stream" if stream else "plain"
        out.setdefault(tree, {})[f"c{clients}_{mode}"] = cell
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", action="append", type=_tree, required=True,
                    help="名称=源码树路径（可多次给出；顺序即第一轮的顺序）")  # fmt: skip
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--clients", default="200")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--modes", default="plain,stream")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--output", type=Path, default=RESULTS)
    ap.add_argument("--upstream-tree", default=None,
                    help="所有轮次都用这棵树（名称）的演示上游：两棵树的网关得到同样的回答")  # fmt: skip
    args = ap.parse_args()
    trees: list[tuple[str, Path]] = args.tree
    bench_args = ["--clients", args.clients, "--seconds", str(args.seconds), "--modes", args.modes,
                  "--workers", str(args.workers)]  # fmt: skip
    if args.upstream_tree is not None:
        named = dict(trees)
        if args.upstream_tree not in named:
            ap.error(f"--upstream-tree {args.upstream_tree!r} 不是 --tree 给出的名称之一")
        bench_args += ["--upstream-src", str(named[args.upstream_tree] / "src")]
    rounds: list[dict[str, Any]] = []
    for k in range(args.rounds):
        order = trees[k % len(trees) :] + trees[: k % len(trees)]
        for name, path in order:
            run = one_run(path, bench_args)
            rounds.append({"tree": name, "round": k + 1,
                           "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           **run})  # fmt: skip
            cells = ", ".join(
                f"{'stream' if x['stream'] else 'plain'} c={x['clients']} "
                f"CPU {x.get('cpu_window_ms_per_request_gateway', float('nan')):.2f} ms/req "
                f"(whole call {x.get('cpu_ms_per_request_gateway', float('nan')):.2f})"
                for x in run["runs"]
            )
            print(
                f"round {k + 1} {name}: {cells} | load {run['loadavg_before'][0]:.2f}", flush=True
            )
    result = {
        "benchmark": "gateway A/B (model profile), rounds alternated",
        "command": " ".join(["benchmarks/gateway_ab.py", *sys.argv[1:]]),
        "bench_args": bench_args,
        "trees": {name: _describe(path) for name, path in trees},
        # whose demo model answered (None: each tree's own; its answers differ between commits)
        "upstream_tree": args.upstream_tree,
        "machine": {"cpus": os.cpu_count()},
        "summary": summary(rounds),
        "rounds": rounds,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(json.dumps(result["summary"], ensure_ascii=False, indent=1))
    print(f"written {args.output}")


def _describe(path: Path) -> str:
    """The tree's commit (and whether its work tree has changes), for the record."""
    try:
        head = subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(path), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return str(path)
    return head + (" (modified)" if dirty else "")


if __name__ == "__main__":
    main()
