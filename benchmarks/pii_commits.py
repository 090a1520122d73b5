"""Default-engine throughput of several commits on one and the same text, in alternating rounds.

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/pii_commits.py \\
        --baseline 373c1fc 4c8ca4e 8709532 864e621 --rounds 4

Locates a throughput change between commits: every commit's ``src`` (``git archive``) is timed
in a fresh child process on the same generated text (this tree's generator, as
``pii_bench.py --baseline`` uses), each round visits every commit once in turn, and the ratio to
``--baseline`` is taken within each round (the machine's load moves all of a round alike).
Each child reports the best of ``--passes`` passes. Writes the rounds to ``--output``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pii_bench import ROOT, child_throughput, documents
from tests.support.pii_synth import generate_text

from beian.io import atomic_write_text


def load() -> float:
    return round(os.getloadavg()[0], 2)


def extract(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    tar_path = into / f"{ref}.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into / ref, filter="data")
    return into / ref / "src"


SPEC_HELP = "; REF:fast_names for that commit's engine with pii.fast_names on"


def split_spec(spec: str) -> tuple[str, list[str]]:
    """``REF`` or ``REF:OPTION`` (``HEAD:fast_names``: that commit's engine with the option on;
    git refs hold no colon) as the ref and its options."""
    ref, _, option = spec.partition(":")
    return ref, [option] if option else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("refs", nargs="+", help="commits to time (the baseline first)" + SPEC_HELP)
    ap.add_argument("--baseline", default="373c1fc")
    ap.add_argument("--size-mb", type=float, default=3.0)
    ap.add_argument("--doc-kb", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--passes", type=int, default=2, help="passes per child (best is kept)")
    ap.add_argument("--output", type=Path)
    args = ap.parse_args(argv)
    refs = [args.baseline, *[r for r in args.refs if r != args.baseline]]
    docs = documents(
        generate_text(args.seed, int(args.size_mb * 1e6), 0.1), int(args.doc_kb * 1000)
    )
    texts = [d.text for d in docs]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
        srcs = {ref: extract(split_spec(ref)[0], Path(tmp)) for ref in refs}
        for i in range(args.rounds):
            order = refs if i % 2 == 0 else refs[::-1]
            row: dict[str, Any] = {"load_before": load(), "t": time.strftime("%H:%M:%S")}
            for ref in order:
                options = split_spec(ref)[1]
                row[ref] = round(child_throughput(srcs[ref], docs_file, args.passes, *options), 2)
            row["load_after"] = load()
            rounds.append(row)
            print(json.dumps(row), flush=True)
    base = args.baseline
    summary = {
        ref: {
            "median_mb_per_s_cpu": round(statistics.median(r[ref] for r in rounds), 2),
            "median_ratio": round(statistics.median(r[ref] / r[base] for r in rounds), 3),
            "ratios": [round(r[ref] / r[base], 3) for r in rounds],
        }
        for ref in refs
    }
    for ref, s in summary.items():
        print(
            f"{ref}: {s['median_mb_per_s_cpu']:6.2f} MB/s  ratio {s['median_ratio']:.3f}  {s['ratios']}"
        )
    result = {
        "command": "benchmarks/pii_commits.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "size_mb": round(mb, 2),
        "baseline": base,
        "passes": args.passes,
        "rounds": rounds,
        "summary": summary,
    }
    if args.output:
        atomic_write_text(args.output, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
