"""Corpus screening throughput: local processes vs Ray workers on a generated JSONL corpus.

    .venv/bin/python benchmarks/corpus_bench.py               # 150 MB (the default run)
    .venv/bin/python benchmarks/corpus_bench.py --size 1024   # the issue's 1 GB corpus

Five sources of seeded Chinese-like documents (1 % to 7 % with planted keywords) are screened
with the project's keyword lexicon (20,000 generated keywords) by the local engine with 1 and 2
processes and by the Ray engine with 1 and 2 workers. Printed: documents/s, MB/s, the ratio to
local 1 process (the baseline, same run), scaling efficiency 1 → 2 and the peak resident memory
of the whole process tree, measured at two corpus sizes to show it does not grow with the corpus.
Each Ray row starts its own local Ray (as many CPUs as workers) before the clock starts and waits
until Ray's processes and Ray Data's per-cluster service actors have started, as a scan finds
a running cluster (``ray_start_s`` says how long that took); the timed scan starts the actor
pool, ships the screeners and screens, with 1 worker as with 2. CPU seconds are those the
process tree used during the timed scan.
Needs the ``bench`` extra (psutil) and, for the Ray rows, the ``ray`` extra.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from beian.corpus import Screeners, SourceConfig, build_report, scan_corpus
from beian.io import write_yaml
from beian.standards import load_edition

RESULTS = Path(__file__).resolve().parent / "results" / "corpus.json"
SOURCES = {"web": 0.07, "books": 0.03, "forum": 0.02, "news": 0.01, "wiki": 0.04}
# documents and keywords draw on disjoint characters: only planted keywords hit
TEXT_CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
KEYWORD_CHARS = [chr(c) for c in range(0x4E00 + 2500, 0x4E00 + 5000)]


def keywords(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    risks = ["A1a", "A1b", "A1c", "A2a", "A3a", "A4a"]
    words = {"".join(rng.choices(KEYWORD_CHARS, k=rng.randint(2, 8))) for _ in range(n * 2)}
    return [(w, rng.choice(risks)) for w in sorted(words)[:n]]


def generate(root: Path, size_mb: int, kws: list[tuple[str, str]], seed: int) -> Path:
    """Write ``size_mb`` of JSONL across the five sources; returns sources.yaml."""
    rng = random.Random(seed)
    pool = ["".join(rng.choices(TEXT_CHARS, k=rng.randint(30, 120))) + "。" for _ in range(4000)]
    per_source = size_mb * (1 << 20) // len(SOURCES)
    specs = []
    for name, bad_rate in SOURCES.items():
        path = root / f"{name}.jsonl"
        written = 0
        with open(path, "w", encoding="utf-8") as fh:
            i = 0
            while written < per_source:
                text = "".join(rng.choices(pool, k=rng.randint(2, 8)))
                if rng.random() < bad_rate:
                    cut = rng.randint(0, len(text))
                    text = text[:cut] + rng.choice(kws)[0] + text[cut:]
                line = json.dumps({"id": f"{name}-{i}", "text": text}, ensure_ascii=False) + "\n"
                fh.write(line)
                written += len(line.encode())
                i += 1
        specs.append(
            {
                "name": name,
                "type": "open-source",
                "licence": "CC-BY-4.0",
                "paths": [path.name],
                "id_field": "id",
            }
        )
    y = root / "sources.yaml"
    write_yaml(y, {"sources": specs})
    return y


class NoHits:
    """A keyword screener that finds nothing: the engine's own cost."""

    fingerprint = "none"

    def scan(self, text: str) -> list[Any]:
        return []


class TreeMeter:
    """Samples this process and its descendants: peak resident memory and CPU seconds used.

    CPU time is what each process used while metered (as last seen, sampled every ``interval``),
    so it shows how much work a run did independently of how many cores other jobs left free.
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        me = psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
                t = p.cpu_times()
                self.cpu[p.pid] = t.user + t.system
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.interval)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def __enter__(self) -> TreeMeter:
        self.sample()
        self.base = dict(self.cpu)  # what processes started before (a Ray cluster) had used
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        for pid, used in self.base.items():
            self.cpu[pid] -= used


class Echo:
    """A Ray Data map that returns its row (starts the service actors of an actor-pool map)."""

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        return row


def wait_until_idle(limit_s: float = 20.0, cores: float = 0.05) -> None:
    """Wait until this process tree uses under ``cores`` CPUs (processes still starting up)."""
    deadline = time.monotonic() + limit_s
    meter = TreeMeter()
    meter.sample()
    while time.monotonic() < deadline:
        before = meter.cpu_seconds
        time.sleep(0.5)
        meter.sample()
        if meter.cpu_seconds - before < cores * 0.5:
            return


def start_ray_cluster(workers: int) -> float:
    """Start a local Ray of ``workers`` CPUs as the scan finds a running cluster; returns seconds.

    The engine's own start (``start_ray``), then Ray Data's service actors (statistics,
    autoscaling coordinator, actor locations: one each per cluster, kept for later jobs) and a
    wait until Ray's processes have finished starting. Not timed; the scan then starts its
    actor pool, ships the screeners and screens, all timed, with 1 worker as with 2.
    """
    from beian.corpus import start_ray

    t0 = time.perf_counter()
    ray = start_ray(workers)
    ray.data.range(2, override_num_blocks=2).map(
        Echo, compute=ray.data.ActorPoolStrategy(size=1), num_cpus=1
    ).materialize()
    while ray.available_resources().get("CPU", 0) < workers:  # the warm-up actor is leaving
        time.sleep(0.1)
    wait_until_idle()
    return round(time.perf_counter() - t0, 1)


def run_one(
    cfg: SourceConfig, scr: Screeners, work: Path, engine: str, workers: int, shard_mb: int
) -> dict[str, Any]:
    out = work / f"out-{engine}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    ray_start_s = start_ray_cluster(workers) if engine == "ray" else None
    try:
        with TreeMeter() as mem:
            t0 = time.perf_counter()
            scan_corpus(cfg, scr, out, engine=engine, workers=workers, shard_bytes=shard_mb << 20)  # type: ignore[arg-type]
            secs = time.perf_counter() - t0
    finally:
        if engine == "ray":
            import ray

            ray.shutdown()
    report = build_report(out, load_edition(None))
    nbytes = sum(f.stat().st_size for f in work.glob("*.jsonl"))
    return {
        "engine": engine,
        "workers": workers,
        "seconds": round(secs, 2),
        "docs": report.docs,
        "docs_per_s": round(report.docs / secs),
        "mb_per_s": round(nbytes / secs / 1e6, 2),
        "peak_rss_mb": round(mem.peak / 1e6),
        "cpu_seconds": round(mem.cpu_seconds, 1),
        "docs_per_cpu_s": round(report.docs / max(mem.cpu_seconds, 1e-9)),
        "verdicts": {s.name: s.verdict for s in report.sources},
        **({"ray_start_s": ray_start_s} if ray_start_s is not None else {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--size", type=int, default=150, help="corpus size in MB (1024 for the issue's 1 GB)"
    )
    ap.add_argument("--shard-mb", type=int, default=8)
    ap.add_argument("--keywords", type=int, default=20_000)
    ap.add_argument("--no-ray", action="store_true", help="skip the Ray rows")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--screener",
        choices=["lexicon", "none"],
        default="lexicon",
        help="none: a screener that finds nothing (measures reading, sharding and writing only)",
    )
    args = ap.parse_args()
    kws = keywords(args.keywords, args.seed)
    if args.screener == "lexicon":
        from beian.lexicon import Lexicon

        lexicon: Any = Lexicon.from_entries(kws)
    else:
        lexicon = NoHits()
    scr = Screeners(lexicon=lexicon, fingerprint_extra=f"bench-{args.seed}-{args.screener}")
    engines = [("local", 1), ("local", 2)] + ([] if args.no_ray else [("ray", 1), ("ray", 2)])
    rows = []
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        cfg = SourceConfig.load(generate(work, args.size, kws, args.seed))
        gen_s = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in work.glob("*.jsonl"))
        load0 = os.getloadavg()[0]
        print(
            f"corpus: {size / 1e6:.0f} MB in 5 sources, generated in {gen_s:.1f} s; "
            f"cpus={os.cpu_count()}, load average {load0:.1f} (other jobs share these cores)"
        )
        for engine, workers in engines:
            row = run_one(cfg, scr, work, engine, workers, args.shard_mb)
            rows.append(row)
            print(
                f"{engine:5} x{workers}: {row['seconds']:7.1f} s  {row['docs_per_s']:8d} docs/s  "
                f"{row['mb_per_s']:6.1f} MB/s  peak {row['peak_rss_mb']} MB  "
                f"cpu {row['cpu_seconds']} s ({row['docs_per_cpu_s']} docs/cpu-s)"
            )
        # peak memory at a quarter of the corpus: bounded memory means about the same figure
        small = work / "small"
        small.mkdir()
        cfg_small = SourceConfig.load(generate(small, max(1, args.size // 4), kws, args.seed))
        small_row = run_one(cfg_small, scr, small, "local", 2, args.shard_mb)
    base = rows[0]
    for r in rows:
        r["ratio_vs_local1"] = round(r["docs_per_s"] / base["docs_per_s"], 2)

    def pair(eng: str, key: str) -> float:
        one, two = (
            next(r for r in rows if (r["engine"], r["workers"]) == (eng, w)) for w in (1, 2)
        )
        return float(two[key]) / float(one[key])

    engines_run = sorted({r["engine"] for r in rows})
    scaling = {eng: round(pair(eng, "docs_per_s") / 2, 2) for eng in engines_run}
    # work per document with 2 workers vs 1 (1.0: no extra work; wall-clock scaling then only
    # depends on free cores, which other jobs on a shared machine take)
    cpu_efficiency = {eng: round(pair(eng, "docs_per_cpu_s"), 2) for eng in engines_run}
    print(
        "ratio vs local x1:", {f"{r['engine']} x{r['workers']}": r["ratio_vs_local1"] for r in rows}
    )
    print("scaling efficiency 1 -> 2 workers (wall clock):", scaling, "(target >= 0.8)")
    print("docs per CPU-second, 2 workers / 1 worker:", cpu_efficiency)
    print(
        f"peak memory, local x2: {small_row['peak_rss_mb']} MB at {args.size // 4} MB corpus, "
        f"{rows[1]['peak_rss_mb']} MB at {args.size} MB corpus"
    )
    result = {
        "corpus_mb": round(size / 1e6),
        "sources": len(SOURCES),
        "screener": args.screener,
        "keywords": args.keywords if args.screener == "lexicon" else 0,
        "shard_mb": args.shard_mb,
        "cpus": os.cpu_count(),
        "load_average_at_start": round(load0, 2),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "python": sys.version.split()[0],
        "runs": rows,
        "scaling_efficiency": scaling,
        "cpu_efficiency_2_vs_1": cpu_efficiency,
        "peak_rss_mb_quarter_corpus_local2": small_row["peak_rss_mb"],
        "command": " ".join(["benchmarks/corpus_bench.py", *sys.argv[1:]]),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
