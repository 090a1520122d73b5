"""Instructions the PII engine of several commits executes on one and the same text (callgrind).

    .venv/bin/python benchmarks/pii_instructions.py 373c1fc main HEAD --docs 200
    .venv/bin/python benchmarks/pii_instructions.py main HEAD --mode tagger
    .venv/bin/python benchmarks/pii_instructions.py 373c1fc main HEAD HEAD:fast_names

A count of instructions does not move with the machine's load, which on a shared machine moves
CPU-time ratios by ±0.1 from round to round: each commit's ``src`` (``git archive``, as
``pii_commits.py``) is imported in a child process run under ``valgrind --tool=callgrind`` with
instrumentation off until the engine is built and warmed up (the child switches it on with
``callgrind_control -i on``), and only the analysis loop (inside ``functools.reduce``) is
counted. ``PYTHONHASHSEED=0``; two runs of one commit differ by less than 0.2 %. The ratio of
counts tracks the CPU-time ratio where the work is of one kind (main against 373c1fc: 0.556
counted, 0.55–0.56 timed) and overstates a saving made in the regex engine's tight loops, which
cost less time per instruction than Python code does (docs/pii.md, 默认引擎的取舍). Needs
valgrind; takes about a minute per commit (the tagger mode several).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pii_bench import documents
from benchmarks.pii_commits import SPEC_HELP, extract, split_spec
from tests.support.pii_synth import generate_text

from beian.io import atomic_write_text

_CHILD = """
import functools, json, os, subprocess, sys, time
from beian.pii import PiiConfig, PiiEngine
texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
mode = sys.argv[2]
on = {k: True for k in ("context_names", "tagger", "fast_names") if k in mode}
engine = PiiEngine(PiiConfig(**on))
for t in texts[:5]:
    engine.analyze(t)
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
time.sleep(0.2)
functools.reduce(lambda _, t: engine.analyze(t), texts, None)
"""


def count(src: Path, texts_file: Path, mode: str, out: Path) -> int:
    """Instructions of the analysis loop of the engine imported from ``src``."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-c",
            _CHILD,
            str(texts_file),
            mode,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or found is None or found.group(1) == "0":
        raise SystemExit(
            f"错误：{src} 的计数失败（valgrind 退出码 {run.returncode}）：{run.stderr[-400:]}"
        )
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "refs", nargs="+", help="commits to count (the first is the reference)" + SPEC_HELP
    )
    ap.add_argument("--docs", type=int, default=200, help="documents of 4 KB counted")
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument(
        "--mode",
        default="default",
        choices=("default", "context_names", "tagger", "context_names+tagger"),
    )
    ap.add_argument("--output", type=Path)
    args = ap.parse_args(argv)
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"错误：找不到 {tool}；请先安装 valgrind（如 apt-get install valgrind）"
            )
    docs = documents(generate_text(args.seed, int(2e6), 0.1), 4000)[: args.docs]
    texts = [d.text for d in docs]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        texts_file = tmp / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
        for i, ref in enumerate(args.refs):
            commit, options = split_spec(ref)
            src = extract(commit, tmp)
            mode = "+".join(options) or args.mode
            counts[ref] = count(src, texts_file, mode, tmp / f"ref{i}.out")
            print(f"{ref}: {counts[ref]:,} instructions", flush=True)
    first = args.refs[0]
    ratios = {ref: round(counts[first] / n, 3) for ref, n in counts.items()}
    for ref in args.refs[1:]:
        print(f"{ref}: {ratios[ref]:.3f} of {first}'s speed")
    if args.output:
        result = {
            "command": "benchmarks/pii_instructions.py "
            + " ".join(argv if argv is not None else sys.argv[1:]),
            "mode": args.mode,
            "docs": len(texts),
            "size_mb": round(mb, 3),
            "instructions": counts,
            "speed_ratio_to_first": ratios,
        }
        atomic_write_text(args.output, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
