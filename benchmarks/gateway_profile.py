"""Where a streamed request's CPU goes: one gateway process under ``gateway_bench.py``'s load, profiled.

The gateway of this tree serves in this process (one worker, uvicorn on uvloop, the same
configuration as ``gateway_bench.py``: 500 keywords, PII masking with the default engine, labels,
records); the demo model (``model`` profile: first byte after 250 ms, an 8-character chunk every
20 ms) and the load generator (``gateway_bench.load``, closed-loop clients) run in processes of
their own. Two windows of the same load follow each other:

1. unprofiled: the CPU time of the event-loop thread and of the record writer thread per
   request answered (thread CPU clocks), the process's user and system time;
2. with :mod:`cProfile` on the event-loop thread alone: the functions by own time, and that
   own time summed by area (uvicorn, aiohttp, the gateway's relay, the lexicon, the PII engine,
   records, labels, asyncio/uvloop, json, …), each as a share and as µs per request.

cProfile's overhead inflates the many small Python calls, so the shares say where to look and
the unprofiled window says how much there is.

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/gateway_profile.py --clients 200

Writes ``benchmarks/results/gateway-profile.json``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import json
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import gateway_bench as bench  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "gateway-profile.json"

# (area, substrings of a profiled function's file, or of its name for built-ins), first match
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gateway: stream relay (_streaming, _relay, _chunk_template, _holdback)",
     ("gateway/_streaming.py", "gateway/_relay.py", "gateway/_chunk_template.py",
      "gateway/_holdback.py")),
    ("gateway: request parse and checks (_request, _identity, _access)",
     ("gateway/_request.py", "gateway/_identity.py", "gateway/_access.py")),
    ("gateway: screening and moderation glue (_screening, _moderat*, _gate)",
     ("gateway/_screening.py", "gateway/_moderat", "gateway/_gate.py")),
    ("gateway: records (_store, _db, crypto, sqlite)",
     ("gateway/_store.py", "gateway/_db.py", "beian/crypto", "sqlite3", "cryptography")),
    ("gateway: labels (_labels, beian.label)", ("gateway/_labels.py", "beian/label/")),
    ("gateway: exchange, upstream, metrics, the rest",
     ("beian/gateway/", "beian/_shared/", "prometheus_client")),
    ("pii engine (beian.pii)", ("beian/pii/",)),
    ("lexicon (beian.lexicon)", ("beian/lexicon/", "hyperscan", "ahocorasick")),
    ("uvicorn (HTTP server protocol)", ("uvicorn/", "httptools")),
    ("starlette", ("starlette/",)),
    ("aiohttp (upstream client)", ("aiohttp/", "multidict", "yarl/")),
    ("json", ("json/", "_json", "'dumps'", "'loads'")),
    ("asyncio / uvloop / sockets", ("asyncio/", "uvloop", "socket", "selectors", "'send'",
                                    "'recv'", "transport")),
    ("numpy", ("numpy",)),
)  # fmt: skip


def area_of(file: str, name: str) -> str:
    key = f"{file}:{name}"
    for area, needles in AREAS:
        if any(n in key for n in needles):
            return area
    return "other (interpreter built-ins, stdlib)"


def thread_cpu(tid: int) -> float:
    """User + system seconds of thread ``tid`` of this process (Linux)."""
    fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_child(
    port: int, clients: int, seconds: float, stream: bool, tids: dict[str, list[int]]
) -> dict[str, Any]:
    """``gateway_bench.load`` in another process (its CPU is not the gateway's); ``tids``: the
    threads (or processes) whose CPU in the measured window it reports per request answered."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import gateway_bench as g; "
        "print(json.dumps(g._run(g.load(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), "
        "sys.argv[5] == '1', json.loads(sys.argv[6])))))"
    )
    args = [sys.executable, "-c", code, str(ROOT / "benchmarks"), str(port), str(clients),
            str(seconds), "1" if stream else "0", json.dumps(tids)]  # fmt: skip
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _short(file: str) -> str:
    """A profiled file's path from this tree's root or from ``site-packages``."""
    return file.replace(str(ROOT) + "/", "").split("site-packages/")[-1]


def summarize(prof: cProfile.Profile, loop_ms: float, top: int) -> dict[str, Any]:
    """Own time by area and the top functions; per request: the share of the profile times
    the unprofiled window's event-loop CPU per request (``loop_ms``)."""
    st = pstats.Stats(prof)
    rows = []
    areas: dict[str, float] = {}
    total = 0.0
    for (file, line, name), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        total += tt
        a = area_of(file, name)
        areas[a] = areas.get(a, 0.0) + tt
        rows.append((tt, ct, nc, f"{_short(file)}:{line}({name})", a))
    rows.sort(reverse=True)
    per = loop_ms * 1000 / total
    return {
        "profiled_seconds": round(total, 3),
        "event_loop_us_per_request_unprofiled": round(loop_ms * 1000, 1),
        "areas": {
            a: {"share": round(t / total, 3), "us_per_request": round(t * per, 1)}
            for a, t in sorted(areas.items(), key=lambda kv: -kv[1])
        },
        "top_own_time": [
            {
                "function": f,
                "area": a,
                "calls": nc,
                "own_us_per_request": round(tt * per, 1),
                "cumulative_us_per_request": round(ct * per, 1),
            }
            for tt, ct, nc, f, a in rows[:top]
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--mode", choices=("stream", "plain"), default="stream")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--output", type=Path, default=RESULTS)
    ap.add_argument("--stats", type=Path, default=None, help="also dump the raw pstats here")
    args = ap.parse_args()
    stream = args.mode == "stream"

    from beian.gateway import Gateway, load_gateway_config
    from beian.gateway._gateway import GatewayOptions
    from beian.gateway._serve import make_server

    # a key for this run's records, as gateway_bench.py gives its gateway
    os.environ.setdefault("BEIAN_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    prof_cfg = bench.PROFILES["model"]
    with tempfile.TemporaryDirectory() as td, contextlib.ExitStack() as stack:
        tmp = Path(td)
        up, port = bench.free_port(), bench.free_port()
        cfg_path, features = bench.gateway_config(tmp, up)
        upstream = [sys.executable, "-m", "beian", "demo-server", "--port", str(up),
                    "--latency-ms", str(prof_cfg["latency_ms"]),
                    "--chunk-delay-ms", str(prof_cfg["chunk_delay_ms"])]  # fmt: skip
        stack.enter_context(bench.process(upstream, env, tmp))
        bench.wait_http(up, "/v1/models")
        gw = Gateway(load_gateway_config(cfg_path), options=GatewayOptions(settle_heap=True))
        server = make_server(gw, "127.0.0.1", port)
        serving = threading.Thread(target=server.run, name="gateway-loop", daemon=True)
        serving.start()
        bench.wait_http(port, "/healthz")
        loop_tid = serving.native_id
        writer = next(t for t in threading.enumerate() if t.name == "beian-gateway-records")
        assert loop_tid is not None and writer.native_id is not None
        # the measured window's CPU per request answered in it (this process); the threads'
        # shares of it from their clocks over the whole call
        tids = {"gateway": [os.getpid()]}
        load_child(port, args.clients, 2.0, stream, tids)  # warm-up: connections, pools, caches
        threads = {"event_loop": loop_tid, "record_writer": writer.native_id}
        t0 = {k: thread_cpu(t) for k, t in threads.items()}
        c0 = os.times()
        plain_run = load_child(port, args.clients, args.seconds, stream, tids)
        c1 = os.times()
        spent = {k: thread_cpu(t) - t0[k] for k, t in threads.items()}
        whole = (c1.user - c0.user) + (c1.system - c0.system)
        window_ms = plain_run["cpu_window_ms_per_request_gateway"]
        split = {f"{k}_ms_per_request": round(window_ms * v / whole, 3) for k, v in spent.items()}
        split["kernel_ms_per_request"] = round(window_ms * (c1.system - c0.system) / whole, 3)
        # on the event loop's own clock (thread CPU time): not the time spent descheduled
        prof = cProfile.Profile(time.thread_time)
        assert server.loop is not None
        server.loop.call_soon_threadsafe(prof.enable)
        time.sleep(0.2)
        profiled = load_child(port, args.clients, args.seconds, stream, tids)
        done = threading.Event()

        def off() -> None:
            prof.disable()
            done.set()

        server.loop.call_soon_threadsafe(off)
        done.wait(10)
        server.should_exit = True
        serving.join(60)
        gw.close()
    if args.stats is not None:
        prof.dump_stats(args.stats)
    summary = summarize(prof, split["event_loop_ms_per_request"], args.top)
    result = {
        "benchmark": "gateway CPU profile (one process, model profile upstream)",
        "command": " ".join(["benchmarks/gateway_profile.py", *sys.argv[1:]]),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "loadavg_after": list(os.getloadavg()),
        "features": features,
        "clients": args.clients,
        "mode": args.mode,
        "unprofiled": plain_run,
        "gateway_ms_per_request": plain_run["cpu_window_ms_per_request_gateway"],
        "split": split,
        "profiled_load": profiled,
        "profile_note": "own time of the event-loop thread under cProfile during a second run "
        "of the same load; µs per request = share of the profile × the unprofiled run's "
        "event-loop CPU per request (cProfile inflates small calls, so shares are indicative)",
        "profile": summary,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(json.dumps({k: result[k] for k in ("gateway_ms_per_request", "split")}, indent=1))
    for a, v in summary["areas"].items():
        print(f"{v['share']:6.1%} {v['us_per_request']:8.1f} us/req  {a}")
    for r in summary["top_own_time"][:25]:
        print(f"{r['own_us_per_request']:8.1f} {r['calls']:8d}  {r['function']}")
    print(f"written {args.output}")


if __name__ == "__main__":
    main()
