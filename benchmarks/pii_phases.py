"""Where the PII engine's time goes, per phase, for several commits on one and the same text.

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/pii_phases.py 373c1fc main HEAD

Each commit's ``src`` (``git archive``, as ``pii_commits.py``) is imported in a fresh child
process that analyses the ``pii_bench`` corpus-like text and reports the CPU milliseconds per MB
of the combined anchor scan, of each recognizer (with the scan's findings shared, as the engine
runs them; where the engine skips a recognizer, its skip test only) and of ``analyze`` as a
whole, each the best of ``--passes`` passes; the microseconds per call on a short sentence
without anything to find (the engine's fixed cost per text, which a gateway prompt pays) and on
a gateway prompt of about 200 characters with a name, a mobile number and an address.
``--rounds`` rounds visit the commits in turn
(the machine is shared: its load moves a round alike) and each figure is the best over them.
With ``--context-names`` the engines run with ``pii.context_names: true`` (commits whose
configuration lacks it fail).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pii_bench import documents
from benchmarks.pii_commits import extract, load
from tests.support.pii_synth import generate_text

from beian.io import atomic_write_text

_CHILD = """
import gc, json, sys, time
from beian.pii import PiiConfig, PiiEngine
from beian.pii._scan import Scan
texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
engine = PiiEngine(PiiConfig(context_names=True)) if sys.argv[3] == "1" else PiiEngine()
for t in texts[:20]:
    engine.analyze(t)
best = {}
def keep(key, seconds):
    best[key] = min(best.get(key, seconds), seconds)
for _ in range(int(sys.argv[2])):
    gc.collect(); gc.freeze()
    spent = {}
    clock = time.process_time
    for t in texts:
        c0 = clock()
        scan = Scan(t, engine._plan)
        if engine._plan is not None:
            scan._anchored = engine._plan.find(t)
        c1 = clock()
        spent["anchor scan"] = spent.get("anchor scan", 0.0) + c1 - c0
        lacking = {}
        for rec, bar, *needs in engine._bars:
            c0 = clock()
            if needs and needs[0]:
                if needs[0] not in lacking:
                    lacking[needs[0]] = scan.lacks(needs[0])
                skip = lacking[needs[0]]
            else:
                skip = False
            if not skip:
                [e for e in rec.find(t, scan) if e.score >= bar]
            spent[rec.name] = spent.get(rec.name, 0.0) + clock() - c0
    for key, seconds in spent.items():
        keep(key, seconds)
    c0 = clock()
    for t in texts:
        engine.analyze(t)
    keep("analyze", clock() - c0)
    gc.unfreeze()
out = {k: round(v * 1000 / mb, 2) for k, v in best.items()}
short = "今天天气晴朗，适合出门散步。"
for _ in range(int(sys.argv[2])):
    c0 = time.process_time()
    for _ in range(5000):
        engine.analyze(short)
    keep("short", (time.process_time() - c0) / 5000)
out["short text (us per call)"] = round(best["short"] * 1e6, 2)
# A gateway prompt of about 200 characters with a name, a mobile number and an address.
prompt = ("您好，我是客户服务部的张伟，上周在贵公司官网下单购买了一台空气净化器，订单已经显示签收，"
          "但实际上我并没有收到货。请帮忙核实一下物流信息，收货地址是北京市朝阳区建国路88号院3号楼"
          "1单元502室，联系电话13812345678。另外发票抬头请开成个人，谢谢。如有问题请尽快回复我，"
          "我这周都在家，工作日晚上七点以后方便接听电话。麻烦把处理进度通过短信发给我，"
          "也可以直接回复这封邮件告知具体的处理时间。")
for _ in range(int(sys.argv[2])):
    c0 = time.process_time()
    for _ in range(1000):
        engine.analyze(prompt)
    keep("prompt", (time.process_time() - c0) / 1000)
out[f"prompt {len(prompt)} chars (us per call)"] = round(best["prompt"] * 1e6, 2)
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("refs", nargs="+", help="commits to measure, in this order")
    ap.add_argument("--size-mb", type=float, default=2.0)
    ap.add_argument("--doc-kb", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--passes", type=int, default=3, help="passes per child (best is kept)")
    ap.add_argument("--context-names", action="store_true")
    ap.add_argument("--output", type=Path)
    args = ap.parse_args(argv)
    docs = documents(
        generate_text(args.seed, int(args.size_mb * 1e6), 0.1), int(args.doc_kb * 1000)
    )
    texts = [d.text for d in docs]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    best: dict[str, dict[str, float]] = {ref: {} for ref in args.refs}
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.json"
        docs_file.write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
        srcs = {ref: extract(ref, Path(tmp)) for ref in args.refs}
        for i in range(args.rounds):
            for ref in args.refs if i % 2 == 0 else args.refs[::-1]:
                loads.append(load())
                out = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        _CHILD,
                        str(docs_file),
                        str(args.passes),
                        "1" if args.context_names else "0",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONPATH": str(srcs[ref])},
                ).stdout
                for key, ms in json.loads(out.split("\n")[-2]).items():
                    best[ref][key] = min(best[ref].get(key, ms), ms)
    keys = sorted({k for b in best.values() for k in b}, key=lambda k: (k == "analyze", k))
    print(f"{'ms/MB (CPU, best)':24s}" + "".join(f"{ref:>10s}" for ref in args.refs))
    for key in keys:
        cells = "".join(
            f"{best[ref][key]:10.2f}" if key in best[ref] else f"{'-':>10s}" for ref in args.refs
        )
        print(f"{key:24s}{cells}")
    print(f"{mb:.2f} MB, load {min(loads)}-{max(loads)}")
    if args.output:
        result: dict[str, Any] = {
            "command": "benchmarks/pii_phases.py "
            + " ".join(argv if argv is not None else sys.argv[1:]),
            "size_mb": round(mb, 2),
            "context_names": args.context_names,
            "load": [min(loads), max(loads)],
            "ms_per_mb": best,
        }
        atomic_write_text(args.output, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
