"""Throughput of beian.pii with and without the learned tagger (``pii.tagger``).

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/pii_tagger_bench.py
    .venv/bin/python benchmarks/pii_tagger_bench.py --size-mb 0.5 --prompts 300

Two loads: ``pii_bench``'s corpus-like text (``tests/support/pii_synth``, same seed, 10 % of
sentences with a value, 4 KB documents;
MB/s of UTF-8 per second of process CPU) and gateway-sized prompts (the same text cut into
200-character pieces; milliseconds of process CPU per prompt, median and p95). Each
configuration (default rules, ``context_names``) is measured with the tagger off and on, in
the same process, after a warm-up. Writes the figures into ``results/pii_tagger_dev.json``
(key ``throughput``) beside the leave-one-set-out figures of ``scripts/train_pii_tagger.py``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.pii_synth import generate_text

from beian.io import atomic_write_text
from beian.pii import PiiConfig, PiiEngine

RESULTS = Path(__file__).resolve().parent / "results" / "pii_tagger_dev.json"


def _docs(texts: list[str], doc_chars: int) -> list[str]:
    docs, cur, size = [], [], 0
    for t in texts:
        cur.append(t)
        size += len(t) + 1
        if size >= doc_chars:
            docs.append("\n".join(cur))
            cur, size = [], 0
    if cur:
        docs.append("\n".join(cur))
    return docs


def _cpu(fn: Any, docs: list[str]) -> float:
    gc.collect()
    c0 = time.process_time()
    for d in docs:
        fn(d)
    return time.process_time() - c0


def _per_call_ms(fn: Any, docs: list[str]) -> list[float]:
    """CPU milliseconds of each call (process CPU time: the machine is shared)."""
    out = []
    for d in docs:
        c0 = time.process_time()
        fn(d)
        out.append((time.process_time() - c0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=float, default=1.0, help="generated text (MB)")
    ap.add_argument("--prompts", type=int, default=500, help="200-character prompts timed")
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--density", type=float, default=0.1, help="share of sentences with a value")
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    samples = generate_text(args.seed, int(args.size_mb * 1_000_000), args.density)
    texts = [s.text for s in samples]
    docs = _docs(texts, 1400)  # about 4 KB of UTF-8 (mostly CJK)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    joined = "\n".join(texts)
    prompts = [joined[i : i + 200] for i in range(0, len(joined), 200)][: args.prompts]
    rows: dict[str, Any] = {}
    for context in (False, True):
        for tagger in (False, True):
            engine = PiiEngine(PiiConfig(context_names=context, tagger=tagger))
            for d in docs[:20] + prompts[:20]:  # warm-up (the model is read on first use)
                engine.analyze(d)
            cpu = _cpu(engine.analyze, docs)
            ms = _per_call_ms(engine.analyze, prompts)
            key = f"{'context_names' if context else 'default'}{' + tagger' if tagger else ''}"
            rows[key] = {
                "mb_per_cpu_s": round(mb / cpu, 3),
                "prompt_ms_median": round(statistics.median(ms), 3),
                "prompt_ms_p95": round(statistics.quantiles(ms, n=20)[-1], 3),
            }
            print(
                f"{key:<24} {rows[key]['mb_per_cpu_s']:>8.3f} MB/s   200-char prompt "
                f"median {rows[key]['prompt_ms_median']:.3f} ms  p95 {rows[key]['prompt_ms_p95']:.3f} ms"
            )
    out = json.loads(args.output.read_text("utf-8")) if args.output.exists() else {}
    out["throughput"] = {
        "text_mb": round(mb, 3),
        "density": args.density,
        "documents": len(docs),
        "prompts": len(prompts),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}",
        "python": platform.python_version(),
        "rows": rows,
    }
    atomic_write_text(args.output, json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
