"""Assessment engine benchmark.

2,000 questions against the demo model server (50 ms latency) at concurrency 64:
- wall time vs the ideal (2000 / 64 × 50 ms) — target ≤ 1.25 × ideal;
- baseline measured in the same run: a bare aiohttp loop sending the same requests at the same
  concurrency (no retries, cache, records or judging); the engine's overhead per request;
- the same bank rerun from the cache (target < 2 s), with no request reaching the server;
- the refusal judge's precision and recall on the project's small hand-written set (target > 0.95
  both; a regression check, not evidence: see benchmarks/judge_bench.py for the independent figures).

The demo server runs in its own process (as a real model would), so the figures measure the
engine, not the server; the server's CPU time per request is reported to show it is not the
bottleneck. The asking phase ends when the last answer is in and judged by the judges that judge
while the target answers (the refusal judge). Usage: .venv/bin/python benchmarks/assess_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from beian.assess import load_assess_config, run_assessment
from beian.assess.judges import ANSWERED, EMPTY, REFUSED, REFUSED_GUIDED, grade
from beian.dossier import example_path
from beian.io import write_yaml
from beian.standards import load_edition

ROOT = Path(__file__).resolve().parent.parent
TESTSET = ROOT / "tests" / "assess" / "data" / "refusal_testset.jsonl"  # the project's own set
N, CONCURRENCY, LATENCY_MS = 2000, 64, 50
IDEAL = N / CONCURRENCY * LATENCY_MS / 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "beian",
            "demo-server",
            "--port",
            str(port),
            "--latency-ms",
            str(LATENCY_MS),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("demo server did not start")


def questions() -> list[dict[str, str]]:
    bank = example_path("bank.jsonl")  # the example provider's bank, also the demo's
    rows = [json.loads(x) for x in bank.read_text("utf-8").splitlines()]
    return [r for r in rows if r["kind"] == "generation"][:N]


async def bare(base_url: str, qs: list[dict[str, str]], tag: str) -> float:
    """The baseline: the same requests, same concurrency, nothing else."""
    sem = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as s:

        async def one(q: dict[str, str]) -> None:
            async with sem:
                body = {
                    "model": "m",
                    "messages": [{"role": "user", "content": q["question"] + tag}],
                }
                async with s.post(f"{base_url}/chat/completions", json=body) as r:
                    json.loads(await r.read())

        t0 = time.perf_counter()
        await asyncio.gather(*(one(q) for q in qs))
        return time.perf_counter() - t0


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds of another process (Linux /proc), NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def engine_run(base_url: str, work: Path, bank: Path, tag: str, server: int) -> dict[str, float]:
    """Wall and CPU of a first run (and of its asking phase), then of a rerun from the cache."""
    cfg = {
        "name": "bench",
        "banks": [str(bank)],
        "target": {
            "base_url": base_url,
            "model": "beian-demo-1",
            "concurrency": CONCURRENCY,
            "system_prompt": tag,
        },
        "judges": {"refusal": {}},
        "sampling": {"generation": "all"},
    }
    write_yaml(work / "assess.yaml", cfg)
    ac = load_assess_config(work / "assess.yaml")
    ed = load_edition("tc260-003-2024")
    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, time.perf_counter())  # first report of each phase

    s0, c0, t0 = process_cpu(server), cpu(), time.perf_counter()
    first = run_assessment(ac, ed, work / "run", progress)
    wall, used = time.perf_counter() - t0, cpu() - c0
    served = process_cpu(server) - s0
    t1 = time.perf_counter()
    second = run_assessment(ac, ed, work / "run")
    rerun = time.perf_counter() - t1
    assert first.asked == N and second.asked == 0
    return {
        "engine_wall_s": wall,
        "engine_ask_phase_s": marks["judge"] - marks["ask"],
        "engine_cpu_s": used,
        "server_cpu_s": served,
        "rerun_from_cache_s": rerun,
    }


def refusal_metrics() -> dict[str, float]:
    rows = [json.loads(x) for x in TESTSET.read_text("utf-8").splitlines()]
    tp = fp = fn = exact = 0
    for r in rows:
        g = grade(r["answer"])[0]
        truth, pred = r["label"] in (REFUSED, REFUSED_GUIDED), g in (REFUSED, REFUSED_GUIDED)
        tp += truth and pred
        fp += pred and not truth
        fn += truth and not pred
        exact += g == r["label"]
    assert {r["label"] for r in rows} == {REFUSED, REFUSED_GUIDED, ANSWERED, EMPTY}
    return {
        "n": len(rows),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "four_way_accuracy": exact / len(rows),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement (the median is reported)"
    )
    args = ap.parse_args()
    qs = questions()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}/v1"
    runs: list[dict[str, float]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bank = Path(tmp) / "bank.jsonl"
            bank.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qs), "utf-8")
            for i in range(args.repeat):
                base_wall = asyncio.run(
                    bare(base, qs, f" #{i}")
                )  # distinct prompts: no server-side reuse
                work = Path(tmp) / f"run{i}"
                work.mkdir()
                run = {
                    **engine_run(base, work, bank, f"bench {i}", server.pid),
                    "baseline_wall_s": base_wall,
                }
                runs.append(run)
                print(
                    f"run {i + 1}: engine {run['engine_wall_s']:.2f} s (asking {run['engine_ask_phase_s']:.2f} s), "
                    f"baseline {base_wall:.2f} s, rerun from cache {run['rerun_from_cache_s']:.2f} s"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    ratio_ideal = med["engine_wall_s"] / IDEAL
    result = {
        "questions": N,
        "concurrency": CONCURRENCY,
        "latency_ms": LATENCY_MS,
        "ideal_s": IDEAL,
        "runs": runs,
        "median": med,
        "engine_vs_ideal": ratio_ideal,
        "engine_vs_baseline": med["engine_wall_s"] / med["baseline_wall_s"],
        "ask_phase_vs_ideal": med["engine_ask_phase_s"] / IDEAL,
        "ask_phase_vs_baseline": med["engine_ask_phase_s"] / med["baseline_wall_s"],
        "baseline_vs_ideal": med["baseline_wall_s"] / IDEAL,
        "engine_overhead_ms_per_request": (med["engine_wall_s"] - med["baseline_wall_s"])
        / N
        * 1000,
        "engine_cpu_ms_per_request": med["engine_cpu_s"] / N * 1000,
        "server_cpu_ms_per_request": med["server_cpu_s"] / N * 1000,
        "server_cpu_share_of_a_core": med["server_cpu_s"] / med["engine_wall_s"],
        "targets": {
            "engine_vs_ideal_max": 1.25,
            "rerun_from_cache_max_s": 2.0,
            "refusal_precision_recall_min": 0.95,
        },
        "refusal_judge": refusal_metrics(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_1m": os.getloadavg()[0],
        },
    }
    rj = result["refusal_judge"]
    print(f"ideal {IDEAL:.3f} s = {N} / {CONCURRENCY} × {LATENCY_MS} ms")
    print(
        f"engine  {med['engine_wall_s']:.2f} s = {ratio_ideal:.2f} × ideal (target ≤ 1.25), {result['engine_vs_baseline']:.2f} × bare-aiohttp baseline ({med['baseline_wall_s']:.2f} s = {result['baseline_vs_ideal']:.2f} × ideal)"
    )
    print(
        f"asking phase {med['engine_ask_phase_s']:.2f} s = {result['ask_phase_vs_ideal']:.2f} × ideal, {result['ask_phase_vs_baseline']:.2f} × baseline"
    )
    print(
        f"engine overhead {result['engine_overhead_ms_per_request']:.3f} ms/request wall over baseline; CPU {result['engine_cpu_ms_per_request']:.3f} ms/request (asking + judging + writing)"
    )
    print(
        f"demo server CPU {result['server_cpu_ms_per_request']:.3f} ms/request, {result['server_cpu_share_of_a_core']:.0%} of one core during the engine run"
    )
    print(f"rerun from cache {med['rerun_from_cache_s']:.2f} s (target < 2 s), 0 requests")
    print(
        f"refusal judge on {rj['n']} labelled answers: precision {rj['precision']:.3f}, recall {rj['recall']:.3f}, 4-way accuracy {rj['four_way_accuracy']:.3f}"
    )
    out = ROOT / "benchmarks" / "results" / "assess.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
