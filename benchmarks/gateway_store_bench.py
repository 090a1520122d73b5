"""CPU cost of writing gateway records: per exchange, arrival + completion, in the writer thread.

Each exchange is written as the gateway writes one that outlives a batch (a streamed answer):
its arrival row in one batch, its completion in a later one. ``--src`` runs the same measurement
on other source trees (e.g. an older checkout's ``src``) in turn, alternating, in fresh
processes, so that figures on a loaded machine compare like with like. Prints JSON lines.

    python benchmarks/gateway_store_bench.py --src /tmp/old/src --src src --rounds 3
    python benchmarks/gateway_store_bench.py --url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(url: str | None, n: int, batch: int) -> dict[str, float]:
    from beian.crypto import KeyRing
    from beian.gateway import Exchange, RecordStore

    with tempfile.TemporaryDirectory() as tmp:
        target = url or str(Path(tmp) / "gw.db")
        store = RecordStore(target, KeyRing.generate(), gather_s=0.0, batch=batch)
        body = {"model": "m", "messages": [{"role": "user", "content": "你好，" * 40}], "stream": True}
        answer = "这是一个回答。" * 60
        try:
            warm = [Exchange(id=f"w{i}", started=time.time(), user="u", request=body) for i in range(batch)]
            for ex in warm:
                store.begin(ex)
            store.flush()
            for ex in warm:
                ex.response = ex.sent = answer
                store.submit(ex)
            store.flush()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for start in range(0, n, batch):
                exs = [Exchange(id=f"x{i}", started=time.time(), user=f"u{i % 50}", request=body)
                       for i in range(start, min(n, start + batch))]  # fmt: skip
                for ex in exs:
                    store.begin(ex)
                store.flush()
                for ex in exs:
                    ex.response = ex.sent = answer
                    ex.outcome = "ok"
                    store.submit(ex)
                store.flush()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        finally:
            store.close()
    return {"cpu_us_per_exchange": round(cpu / n * 1e6, 1), "wall_us_per_exchange": round(wall / n * 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", action="append", default=[], help="a source tree to measure (repeatable)")
    ap.add_argument("--url", default=None, help="a database URL (default: a SQLite file)")
    ap.add_argument("-n", type=int, default=5000, help="exchanges per measurement")
    ap.add_argument("--batch", type=int, default=64, help="exchanges per writer batch")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child or not a.src:
        print(json.dumps(measure(a.url, a.n, a.batch)))
        return
    for r in range(a.rounds):
        for src in a.src:
            args = [sys.executable, __file__, "--child", "-n", str(a.n), "--batch", str(a.batch)]
            args += ["--url", a.url] if a.url else []
            env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
            out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
            got = json.loads(out)
            print(json.dumps({"round": r, "src": src, "loadavg": round(os.getloadavg()[0], 2), **got}))


if __name__ == "__main__":
    main()
