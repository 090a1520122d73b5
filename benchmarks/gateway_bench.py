"""Gateway overhead: load on loopback through the gateway and directly to the demo model server.

Three programs: this script (the load generator: closed-loop clients on raw asyncio HTTP/1.1
keep-alive connections on uvloop, so the client costs little), ``beian demo-server`` (the upstream)
and ``beian gateway serve --workers N`` (with records, labels and, where the modules are installed,
the keyword library and PII protection), deployed as on a real machine: by default one worker
process per CPU (``--workers 1`` measures a single process). For each concurrency level and mode it runs the same load directly
against the demo server and through the gateway, in the same run, and reports:

* non-streaming: latency p50/p99 per request, added latency = gateway − direct;
* streaming: time per streamed chunk (request duration / content chunks) p50/p99, added per chunk;
* throughput (requests/s) and its ratio gateway / direct;
* the CPU time each server process spent per request.

Upstream profiles, and moderation profiles on the same upstream as ``model``:

* ``model`` (the targets are judged here): the upstream behaves like a fast model — first byte after
  250 ms, then one 8-character chunk every 20 ms (400 characters/s, several times faster than
  typical models); a non-streamed answer arrives when all its chunks would have been generated;
* ``cpu-bound`` (information): the upstream answers instantly, so both sides are CPU-bound and
  the ratio shows the gateway's own CPU cost against a server that does almost nothing, on
  cores it shares with the load generator and the upstream;
* ``classifier``: ``model`` with the classifier stage on every input and every output sentence
  (a model trained by ``beian classifier train`` on tests/gateway/data/moderation_train.csv);
  the ``model`` targets are judged here too;
* ``guard``: ``model`` with a guard model (``beian demo-server --guard qwen3guard``, 30 ms per
  call) on the input, in parallel with the upstream call, and on every output sentence;
  ``guard-input``: on the input only. Targets: added p99 ≤ guard latency + 10 ms non-streaming,
  added time to first text ≤ guard latency + 10 ms.

``pii-rules`` and ``pii-tagger`` (run them together): the ``model`` upstream with prompts of about
200 characters that hold names and addresses, PII masked by the rules alone and with the learned
tagger (``screening.pii_engine.tagger``); ``pii_tagger_added`` is what the tagger adds per request.

Each run also reports the time per call of every moderation check (from the gateway's
``/metrics``) and the gateway's CPU time per request, to set against the ``model`` profile's.
Results are merged into the output file: profiles not run keep their earlier figures.

    .venv/bin/python benchmarks/gateway_bench.py            # 50/200/500 clients, 4 s each (~3 min)
    .venv/bin/python benchmarks/gateway_bench.py --full     # 20 s each
    .venv/bin/python benchmarks/gateway_bench.py --profiles model --workers 1 \
        --output benchmarks/results/gateway-1worker.json    # one gateway process, for comparison

Writes ``benchmarks/results/gateway.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import importlib.util
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gateway.json"
# Ordinary questions of different lengths: the demo model's answers (and so their generation
# times) differ with the question, as real answers do. With one question for every client and
# a fixed upstream latency, clients that a momentary delay bunches together would stay bunched
# for the rest of the run (a closed loop with constant service time never spreads them again).
PROMPTS = (
    "介绍一下长城的历史",
    "今天天气怎么样",
    "怎样煮一锅好喝的小米粥",
    "请用简单的话解释什么是光合作用，以及它对地球上的生命为什么重要",
    "推荐几本适合初学者的编程入门书",
    "春节有哪些传统习俗",
    "如何制定一个可以坚持下去的每周跑步计划，包括热身、配速和休息日的安排",
    "解释一下复利",
    "写一首关于秋天的短诗",
    "为什么天空是蓝色的",
    "比较一下高铁和飞机出行各自的优缺点，从时间、价格、舒适度和准点率几个方面说明",
    "给小学生讲讲太阳系的八大行星",
    "茶叶应该怎么保存",
    "学习一门外语最有效的方法是什么",
    "简述唐诗和宋词在题材和风格上的主要区别，并各举两个代表作者",
    "家里的绿萝叶子发黄怎么办",
)
# The PII profiles' prompts: about 200 characters each, with names and addresses in running
# text (written for this benchmark, not taken from any evaluation set), so the learned tagger
# (``screening.pii_engine.tagger``) finds something to mask and costs what it costs on a prompt.
NAME_PROMPTS = (
    "昨天下午和周建国、王秀兰一起去城南的菜市场买菜，回来的路上遇到了老同学刘志强，他说下个月要搬到"
    "杭州市西湖区文三路去住，让我们有空去玩。请帮我写一段话，邀请他们这个周末来家里吃饭，语气要亲切一点，"
    "顺便提醒大家带上上次借的书，再问问何雨桐能不能开车来接一下住在郊区的陈玉梅。",
    "我们部门下周一要开季度总结会，会议由赵德胜主持，钱红霞负责准备材料，孙丽娟记录。会议地点改到"
    "深圳市南山区科技园南区的三号楼五层，请帮我起草一份会议通知，说明时间是上午九点半，需要每个人提前"
    "准备十分钟的工作汇报，内容包括本季度完成的项目、遇到的问题和下季度的计划。",
    "邻居张桂芳阿姨说她儿子李国庆最近在找工作，学的是机械设计，做过三年的数控编程，想去成都或者重庆"
    "发展。她托我问问有没有合适的单位推荐。请帮我整理一下求职时需要注意的事项，比如简历怎么写、面试"
    "常见的问题有哪些、怎么判断一家公司靠不靠谱，写得通俗一些，方便转给她看。",
    "帮我给物业写一封投诉信：住在我们楼上的吴志军家每天晚上十一点以后还在装修，电钻声很大，孩子睡不着。"
    "我们已经和他当面沟通过两次，他爱人黄晓燕答应会注意，但情况没有改善。我家地址是南京市鼓楼区"
    "中山北路二百号九栋二单元，希望物业尽快出面协调，信的语气要客气但坚定。",
)
STEADY_S = 1.5  # load before the measured window of every run (both sides alike)
TARGETS = {"p99_added_ms_non_stream": 5.0, "p99_added_ms_per_chunk": 1.0, "throughput_ratio": 0.8}
GUARD_SLACK_MS = 10.0  # the guard profiles' targets: guard latency + this
TRAINING = ROOT / "tests" / "gateway" / "data" / "moderation_train.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1) as s,
        ):
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            if s.recv(64).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    p = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield p
    finally:
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def children(pid: int) -> list[int]:
    """The gateway's worker processes (Linux ``/proc``)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and "spawn_main" in (stat.parent / "cmdline").read_text():
                out.append(int(stat.parent.name))
    return sorted(out)


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU time of processes (Linux ``/proc``), or None elsewhere."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _run(coro: Any) -> Any:
    """Run the load generator on uvloop where it is installed (it is a gateway dependency)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def measured(
    port: int,
    n: int,
    seconds: float,
    stream: bool,
    pids: dict[str, list[int]],
    prompts: tuple[str, ...] = PROMPTS,
) -> dict[str, Any]:
    """One load run, with the CPU time each server (all its processes) spent per request."""
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    out = _run(load(port, n, seconds, stream, pids, prompts))
    for k, p in pids.items():
        b, a = before[k], cpu_seconds(p)
        if a is not None and b is not None and out["requests"]:
            out[f"cpu_ms_per_request_{k}"] = (a - b) * 1000 / out["requests"]
    return out


def moderation_config(tmp: Path, prof: dict[str, Any], guard_port: int) -> dict[str, Any]:
    """The ``moderation:`` section of a profile (empty for the plain ones)."""
    kind = prof.get("moderation")
    if kind == "classifier":
        from beian.assess.judges import train_classifier
        from beian.standards import load_edition

        model = tmp / "classifier.pkl"
        train_classifier(TRAINING, model, load_edition())
        return {"classifier": {"model": str(model)}}
    if kind in ("guard", "guard-input"):
        guard = {"base_url": f"http://127.0.0.1:{guard_port}/v1", "model": "Qwen3Guard-Gen-4B",
                 "timeout_s": 2.0, "output": kind == "guard"}  # fmt: skip
        return {"guard": guard, "parallel_input": True}
    return {}


def gateway_config(
    tmp: Path,
    upstream_port: int,
    moderation: dict[str, Any] | None = None,
    pii_engine: dict[str, Any] | None = None,
) -> tuple[Path, dict[str, Any]]:
    have_lexicon = importlib.util.find_spec("beian.lexicon") is not None
    have_pii = importlib.util.find_spec("beian.pii") is not None
    screening: dict[str, Any] = {"pii": "mask" if have_pii else "off"}
    if have_lexicon:
        # a few hundred keywords that never occur in the demo answers: the full scan cost, no blocks
        screening["keywords"] = [
            {"keyword": f"测试违禁词{i:04d}", "risk": "A1a"} for i in range(500)
        ]
    cfg = {
        "gateway": {
            "upstream": {"base_url": f"http://127.0.0.1:{upstream_port}/v1"},
            "records": {"path": str(tmp / "bench.db")},
            "screening": screening,
            "labels": {"content_producer": "0011" + "91110108551385082Q" + "00000"},
        }
    }
    if moderation:  # only then: the plain profiles' config is also read by older trees (A/B)
        cfg["gateway"]["moderation"] = moderation
        cfg["gateway"]["access"] = {"public_metrics": True}  # the per-check timings
    if pii_engine is not None:  # the PII profiles (``screening.pii_engine``), timed per check
        screening["pii_engine"] = pii_engine
        cfg["gateway"]["access"] = {"public_metrics": True}
    path = tmp / "gateway.yaml"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    features = {"lexicon": have_lexicon, "pii": have_pii, "records": True, "labels": True}
    features.update({f"pii_{k}": bool(v) for k, v in (pii_engine or {}).items()})
    return path, {**features, **{k: True for k in moderation or {} if k != "parallel_input"}}


_STAGE = re.compile(r'beian_gateway_stage_seconds_(sum|count)\{check="([a-z_]+)"\} ([0-9.e+-]+)')
_REQUESTS = re.compile(r"beian_gateway_requests_total\{[^}]*\} ([0-9.e+-]+)")


def stage_totals(port: int) -> dict[str, list[float]]:
    """check → [seconds, calls] so far, from the gateway's ``/metrics`` (all its workers)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    out: dict[str, list[float]] = {}
    text = data.decode("utf-8", "replace")
    for kind, check, value in _STAGE.findall(text):
        out.setdefault(check, [0.0, 0.0])[0 if kind == "sum" else 1] += float(value)
    out["_requests"] = [0.0, sum(float(v) for v in _REQUESTS.findall(text))]
    return out


def stage_costs(
    before: dict[str, list[float]], after: dict[str, list[float]]
) -> dict[str, dict[str, float]]:
    """Per check: milliseconds per call, calls per request (between two scrapes, warm-up
    included: every request the gateway finished in between)."""
    out = {}
    requests = after["_requests"][1] - before.get("_requests", [0.0, 0.0])[1]
    for check, (secs, calls) in after.items():
        s0, c0 = before.get(check, [0.0, 0.0])
        if calls > c0 and check != "_requests":
            out[check] = {"ms_per_call": (secs - s0) * 1000 / (calls - c0),
                          "calls_per_request": (calls - c0) / max(1, requests)}  # fmt: skip
    return out


# -- the load generator -----------------------------------------------------------------------
_CONTENT = re.compile(rb'"content": ?"[^"]')  # a delta with text in it (either JSON spacing)


async def read_response(reader: asyncio.StreamReader, stream: bool) -> tuple[int, int, float]:
    """Read one HTTP/1.1 response; returns (status, number of SSE chunks, time of the first
    chunk with text in it, from ``perf_counter``; 0 when not streaming)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    events = 0
    first_text = 0.0
    if b"transfer-encoding: chunked" in headers:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            if stream:
                events += data.count(b"data: {")
                if not first_text and _CONTENT.search(data):
                    first_text = time.perf_counter()
    else:
        i = headers.index(b"content-length:")
        length = int(headers[i + 15 : headers.index(b"\r\n", i)])
        await reader.readexactly(length)
    return status, events, first_text


async def client(port: int, bodies: list[bytes], k: int, stream: bool, first: float,
                 measure: float, stop: float, out: list[tuple[float, int, float]],
                 errors: list[int], ends: list[float] | None = None) -> None:  # fmt: skip
    """Closed-loop client ``k``: starts at ``first``, asks the questions in turn (from the
    ``k``-th on) and keeps the requests started in [measure, stop); ``ends``: when each
    answered request ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    reqs = [
        (
            f"POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(b)}\r\n\r\n"
        ).encode()
        + b
        for b in bodies
    ]
    n = k
    await asyncio.sleep(max(0.0, first - time.perf_counter()))
    try:
        while (t0 := time.perf_counter()) < stop:
            writer.write(reqs[n % len(reqs)])
            n += 1
            status, events, first_text = await read_response(reader, stream)
            if status != 200:
                errors.append(status)
                continue
            if ends is not None:
                ends.append(time.perf_counter())
            if t0 >= measure:
                out.append((time.perf_counter() - t0, events, first_text - t0 if stream else 0.0))
    finally:
        writer.close()


async def cpu_at(when: float, pids: dict[str, list[int]], into: dict[str, float | None]) -> None:
    """The servers' CPU seconds at ``when`` (``perf_counter``)."""
    await asyncio.sleep(max(0.0, when - time.perf_counter()))
    into.update({k: cpu_seconds(p) for k, p in pids.items()})


async def load(
    port: int,
    clients: int,
    seconds: float,
    stream: bool,
    pids: dict[str, list[int]] | None = None,
    prompts: tuple[str, ...] = PROMPTS,
) -> dict[str, Any]:
    """``clients`` closed-loop clients for ``seconds`` after a warm-up.

    The warm-up opens the connections (and the gateway's upstream pool) and measures one
    request cycle; the clients then start spread evenly over one cycle, as independent users
    would arrive, instead of in lockstep waves that an upstream with a fixed latency would
    otherwise keep synchronized for the whole run. Requests are measured from ``STEADY_S``
    after that: the first seconds of a new load level in a process (buffers and pools growing
    to it, the heap settling) are not the steady state a long-running gateway serves in.

    With ``pids``, also each server's CPU time within the measured window alone per request
    answered within it (``cpu_window_ms_per_request_*``): unlike the CPU over the whole call,
    it leaves out the warm-up and the connections' set-up, which weigh more when the machine is
    loaded and fewer requests fit in the window.
    """
    bodies = [
        json.dumps(
            {"model": "beian-demo-1", "stream": stream,
             "messages": [{"role": "user", "content": prompt}]},
            ensure_ascii=False,
        ).encode()
        for prompt in prompts
    ]  # fmt: skip
    out: list[tuple[float, int, float]] = []
    errors: list[int] = []
    warm: list[tuple[float, int, float]] = []
    now = time.perf_counter()
    await asyncio.gather(*(client(port, bodies, i, stream, now, now, now + 0.5, warm, errors)
                           for i in range(clients)))  # fmt: skip
    errors.clear()
    cycle = statistics.median(d for d, _, _ in warm) if warm else 0.0
    start = time.perf_counter()
    measure = start + cycle + STEADY_S
    stop = measure + seconds
    ends: list[float] = []
    at_measure: dict[str, float | None] = {}
    at_stop: dict[str, float | None] = {}
    probes = [cpu_at(measure, pids, at_measure), cpu_at(stop, pids, at_stop)] if pids else []
    await asyncio.gather(*(client(port, bodies, i, stream, start + cycle * i / clients, measure, stop,
                                  out, errors, ends) for i in range(clients)), *probes)  # fmt: skip
    answered = sum(measure <= e < stop for e in ends)
    window = {}
    for k, a in at_stop.items():
        b = at_measure.get(k)
        if a is not None and b is not None and answered:
            window[f"cpu_window_ms_per_request_{k}"] = (a - b) * 1000 / answered
    lat = sorted(d * 1000 for d, _, _ in out)
    per_chunk = sorted(d * 1000 / max(1, n) for d, n, _ in out) if stream else []
    ttft = sorted(f * 1000 for _, _, f in out if f > 0) if stream else []
    q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")  # noqa: E731
    return {
        "requests": len(out),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "rps": len(out) / seconds,  # requests started in the window
        "p50_ms": q(lat, 0.50),
        "p99_ms": q(lat, 0.99),
        "chunks": statistics.mean(n for _, n, _ in out) if stream and out else None,
        "p50_ms_first_text": q(ttft, 0.50) if stream else None,
        "p99_ms_first_text": q(ttft, 0.99) if stream else None,
        "p50_ms_per_chunk": q(per_chunk, 0.50) if stream else None,
        "p99_ms_per_chunk": q(per_chunk, 0.99) if stream else None,
        **window,
    }


PROFILES = {
    # what the targets are judged on: an upstream that behaves like a (fast) model — the first byte
    # after ``latency_ms``, then one 8-character chunk every ``chunk_delay_ms``
    "model": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": True},
    # informational: an upstream that answers instantly, so both sides are CPU-bound and the run
    # shows what the gateway's own work costs per request on this machine
    "cpu-bound": {"latency_ms": 0.0, "chunk_delay_ms": 0.0, "targets": False},
    # the model profile without targets, run together with the moderation profiles as their
    # baseline for the CPU per request of each stage (leaves the model profile's runs alone)
    "model-baseline": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": False},
    # moderation stages on the model profile's upstream
    "classifier": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": True,
                   "moderation": "classifier"},
    "guard": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": False,
              "moderation": "guard", "guard_latency_ms": 30.0},
    "guard-input": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": False,
                    "moderation": "guard-input", "guard_latency_ms": 30.0},
    # the PII engine on ~200-character prompts with names (NAME_PROMPTS): the rules alone, and
    # with the learned tagger (screening.pii_engine.tagger, the gateway's default since p23h);
    # run together, same load
    "pii-rules": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": False,
                  "pii_engine": {"tagger": False}, "prompts": "names"},
    "pii-tagger": {"latency_ms": 250.0, "chunk_delay_ms": 20.0, "targets": False,
                   "pii_engine": {"tagger": True}, "prompts": "names"},
}  # fmt: skip
PROMPT_SETS = {"default": PROMPTS, "names": NAME_PROMPTS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="20 s per run instead of 4 s")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--clients", default="50,200,500")
    ap.add_argument("--profiles", default=",".join(PROFILES), help="model,cpu-bound")
    ap.add_argument("--latency-ms", type=float, default=None, help="override the model profile")
    ap.add_argument("--chunk-delay-ms", type=float, default=None, help="override the model profile")
    ap.add_argument("--modes", default="plain,stream")
    ap.add_argument("--output", type=Path, default=RESULTS)
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1,
        help="gateway worker processes (default: one per CPU, as deployed)",
    )  # fmt: skip
    ap.add_argument("--upstream-src", type=Path, default=None,
                    help="run the demo upstream (and guard) from this src folder (A/B: the same answers)")  # fmt: skip
    args = ap.parse_args()
    seconds = args.seconds or (20.0 if args.full else 4.0)
    levels = [int(x) for x in args.clients.split(",")]
    modes = [m == "stream" for m in args.modes.split(",")]
    profiles = {k: dict(PROFILES[k]) for k in args.profiles.split(",")}
    if "model" in profiles:
        if args.latency_ms is not None:
            profiles["model"]["latency_ms"] = args.latency_ms
        if args.chunk_delay_ms is not None:
            profiles["model"]["chunk_delay_ms"] = args.chunk_delay_ms
    env = {**os.environ, "BEIAN_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    env.pop("BEIAN_CONFIG", None)
    load_before = os.getloadavg()
    out_profiles: dict[str, Any] = {}
    features: dict[str, bool] = {}
    command = " ".join(["benchmarks/gateway_bench.py", *sys.argv[1:]])
    for name, prof in profiles.items():
        print(f"== {name}: upstream latency {prof['latency_ms']:g} ms, "
              f"chunk delay {prof['chunk_delay_ms']:g} ms", flush=True)  # fmt: skip
        loadavg = os.getloadavg()
        runs, features = run_profile(env, prof, levels, modes, seconds, args.workers,
                                     args.upstream_src)  # fmt: skip
        out_profiles[name] = {**prof, "runs": runs, "features": features, "command": command,
                              "seconds_per_run": seconds, "workers": args.workers,
                              "loadavg_before": loadavg, "loadavg_after": os.getloadavg()}  # fmt: skip
    result = {
        "benchmark": "gateway",
        "command": command,
        "seconds_per_run": seconds,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "gateway_features": features,
        "gateway_workers": args.workers,
        "targets_at_200": TARGETS,
        "profiles": out_profiles,
    }
    result = merged(args.output, result)
    result["targets_met"] = targets_met(result["profiles"])
    result["guard_targets_met"] = guard_targets_met(result["profiles"])
    stage_cpu = stage_cpu_ms(result["profiles"])
    if stage_cpu:
        result["stage_cpu_ms_per_request_at_200"] = stage_cpu
    tagger_cost = pii_tagger_cost(result["profiles"])
    if tagger_cost:
        result["pii_tagger_added"] = tagger_cost
        print(f"learned PII tagger, added over the rules: {tagger_cost}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(f"load average before/after: {load_before} / {os.getloadavg()}; features: {features}")
    print(f"targets at 200 clients (model, classifier): {result['targets_met']}")
    print(f"guard targets at 200 clients: {result['guard_targets_met']}")
    print(f"stage CPU ms per request at 200 clients: {stage_cpu}")
    print(f"written {args.output}")


def merged(path: Path, new: dict[str, Any]) -> dict[str, Any]:
    """``new`` over the results already in ``path``: the profiles, and the runs of a profile
    (clients × mode), not run this time are kept, as are keys this script does not write; each
    run carries the command and time that produced it; the top-level run details are those of
    the latest run that ran the ``model`` profile."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return new
    profiles = dict(old.get("profiles", {}))
    for name, prof in new["profiles"].items():
        fresh = {(r["clients"], r["stream"]) for r in prof["runs"]}
        kept = [r for r in profiles.get(name, {}).get("runs", [])
                if (r["clients"], r["stream"]) not in fresh]  # fmt: skip
        runs = sorted([*kept, *prof["runs"]], key=lambda r: (r["stream"], r["clients"]))
        profiles[name] = {**profiles.get(name, {}), **prof, "runs": runs}
    top = new if "model" in new["profiles"] else {k: v for k, v in new.items() if k not in old}
    return {**old, **top, "profiles": profiles}


def _window_cpu(row: dict[str, Any], server: str) -> float:
    """CPU ms per request of ``server`` within the measured window (the whole call's where an
    older result has no window figure)."""
    got = row["gateway"]
    ms = got.get(f"cpu_window_ms_per_request_{server}", got.get(f"cpu_ms_per_request_{server}"))
    return float("nan") if ms is None else float(ms)


def stage_cpu_ms(profiles: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The gateway's CPU time per request (measured window) of each moderation profile less
    the baseline's (``model-baseline``, else ``model``), at 200 clients, per mode: what the
    stage costs the gateway (guard: its side of the HTTP calls); the guard server's own CPU
    per request is reported apart (``guard_server_plain`` / ``guard_server_stream``).
    Differences of two loaded runs: ``gateway_stage_cpu.py`` times the stages in one process."""
    base = profiles.get("model-baseline") or profiles.get("model")
    if base is None:
        return {}
    ref = {r["stream"]: _window_cpu(r, "gateway") for r in base["runs"] if r["clients"] == 200}
    out: dict[str, dict[str, float]] = {}
    for name, prof in profiles.items():
        if not prof.get("moderation") or not ref:
            continue
        for row in prof["runs"]:
            stream = row["stream"]
            if row["clients"] != 200 or stream not in ref:
                continue
            mode = "stream" if stream else "plain"
            out.setdefault(name, {})[mode] = round(_window_cpu(row, "gateway") - ref[stream], 3)
            if prof.get("guard_latency_ms") is not None:
                out[name][f"guard_server_{mode}"] = round(_window_cpu(row, "guard"), 3)
    return out


def pii_tagger_cost(profiles: dict[str, Any]) -> dict[str, dict[str, float]]:
    """What the learned tagger adds per request over the rules alone (``pii-tagger`` less
    ``pii-rules``), per clients × mode: gateway CPU ms, p50/p99 latency ms (non-streaming) or
    time to first text (streaming), and the ``pii_input`` check's ms per call on each side."""
    rules, tagger = profiles.get("pii-rules"), profiles.get("pii-tagger")
    if not rules or not tagger:
        return {}
    base = {(r["clients"], r["stream"]): r["gateway"] for r in rules["runs"]}
    out: dict[str, dict[str, float]] = {}
    for row in tagger["runs"]:
        ref = base.get((row["clients"], row["stream"]))
        if ref is None:
            continue
        got = row["gateway"]
        lat = "_first_text" if row["stream"] else ""
        key = f"{'stream' if row['stream'] else 'plain'}@{row['clients']}"
        out[key] = {
            "cpu_ms_per_request": round(
                got.get("cpu_window_ms_per_request_gateway", float("nan"))
                - ref.get("cpu_window_ms_per_request_gateway", float("nan")), 3),
            "p50_ms": round(got[f"p50_ms{lat}"] - ref[f"p50_ms{lat}"], 2),
            "p99_ms": round(got[f"p99_ms{lat}"] - ref[f"p99_ms{lat}"], 2),
            "pii_input_ms_per_call_rules": round(
                ref.get("stages", {}).get("pii_input", {}).get("ms_per_call", float("nan")), 3),
            "pii_input_ms_per_call_tagger": round(
                got.get("stages", {}).get("pii_input", {}).get("ms_per_call", float("nan")), 3),
        }  # fmt: skip
    return out


def guard_targets_met(profiles: dict[str, Any]) -> dict[str, bool | None]:
    """Guard profiles at 200 clients: added p99 (non-streaming) and added time to first text
    (p99, streaming) each within the guard's latency + GUARD_SLACK_MS."""
    met: dict[str, bool | None] = {}
    for name, prof in profiles.items():
        limit = prof.get("guard_latency_ms")
        if limit is None:
            continue
        for row in prof["runs"]:
            if row["clients"] != 200:
                continue
            if row["stream"]:
                met[f"{name}_p99_added_ms_first_text"] = (
                    row["added_p99_ms_first_text"] <= limit + GUARD_SLACK_MS
                )
            else:
                met[f"{name}_p99_added_ms_non_stream"] = (
                    row["added_p99_ms"] <= limit + GUARD_SLACK_MS
                )
    return met


def run_profile(
    env: dict[str, str],
    prof: dict[str, Any],
    levels: list[int],
    modes: list[bool],
    seconds: float,
    workers: int,
    upstream_src: Path | None = None,
) -> tuple[list[dict[str, Any]], dict[str, bool]]:
    beian = [sys.executable, "-m", "beian"]
    # the model servers (demo upstream, guard) from another source tree: an A/B of two gateway
    # trees then loads both with the same answers (the demo model's answers change over time)
    up_env = env if upstream_src is None else {**env, "PYTHONPATH": str(upstream_src)}
    with tempfile.TemporaryDirectory() as td, contextlib.ExitStack() as stack:
        tmp = Path(td)
        up, gw, gd = free_port(), free_port(), free_port()
        cfg, features = gateway_config(tmp, up, moderation_config(tmp, prof, gd),
                                       prof.get("pii_engine"))  # fmt: skip
        prompts = PROMPT_SETS[prof.get("prompts", "default")]
        extra: dict[str, list[int]] = {}
        if prof.get("guard_latency_ms") is not None:
            guard = [*beian, "demo-server", "--port", str(gd), "--guard", "qwen3guard",
                     "--latency-ms", str(prof["guard_latency_ms"])]  # fmt: skip
            extra["guard"] = [stack.enter_context(process(guard, up_env, tmp)).pid]
            wait_http(gd, "/v1/models")
        upstream = [*beian, "demo-server", "--port", str(up), "--latency-ms",
                    str(prof["latency_ms"]), "--chunk-delay-ms", str(prof["chunk_delay_ms"])]  # fmt: skip
        gateway = [*beian, "gateway", "serve", "-f", str(cfg), "--port", str(gw), "--quiet",
                   "--workers", str(workers)]  # fmt: skip
        with process(upstream, up_env, tmp) as dp, process(gateway, env, tmp) as gp:
            wait_http(up, "/v1/models")
            # each worker compiles the keyword library and loads the PII tagger: on a loaded
            # 2-core machine that can take more than a minute
            wait_http(gw, "/healthz", timeout=300)
            # the gateway's CPU time is its supervisor's and its worker processes' together
            pids = {"upstream": [dp.pid], "gateway": [gp.pid, *children(gp.pid)], **extra}
            runs = []
            for stream in modes:
                for n in levels:
                    direct = measured(up, n, seconds, stream, pids, prompts)
                    before = stage_totals(gw)
                    via = measured(gw, n, seconds, stream, pids, prompts)
                    stages = stage_costs(before, stage_totals(gw))
                    if stages:
                        via["stages"] = stages
                    row = report(n, stream, direct, via)
                    row["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                    row["command"] = " ".join(["benchmarks/gateway_bench.py", *sys.argv[1:]])
                    runs.append(row)
    return runs, features


def targets_met(profiles: dict[str, Any]) -> dict[str, bool | None]:
    """The issue's targets, judged at 200 clients on the profiles that carry targets."""
    met: dict[str, bool | None] = dict.fromkeys(TARGETS)
    for prof in profiles.values():
        if not prof["targets"]:
            continue
        for row in prof["runs"]:
            if row["clients"] != 200:
                continue
            checks = {"throughput_ratio": row["throughput_ratio"] >= TARGETS["throughput_ratio"]}
            if row["stream"]:
                checks["p99_added_ms_per_chunk"] = (
                    row["added_p99_ms_per_chunk"] <= TARGETS["p99_added_ms_per_chunk"]
                )
            else:
                checks["p99_added_ms_non_stream"] = (
                    row["added_p99_ms"] <= TARGETS["p99_added_ms_non_stream"]
                )
            for k, ok in checks.items():
                met[k] = ok if met[k] is None else bool(met[k]) and ok
    return met


def report(n: int, stream: bool, direct: dict[str, Any], via: dict[str, Any]) -> dict[str, Any]:
    ratio = via["rps"] / direct["rps"] if direct["rps"] else float("nan")
    row: dict[str, Any] = {"clients": n, "stream": stream, "direct": direct, "gateway": via,
                           "throughput_ratio": ratio}  # fmt: skip
    if stream:
        row["added_p50_ms_per_chunk"] = via["p50_ms_per_chunk"] - direct["p50_ms_per_chunk"]
        row["added_p99_ms_per_chunk"] = via["p99_ms_per_chunk"] - direct["p99_ms_per_chunk"]
        # not a target: the hold-back window delays the first text on purpose (see docs)
        row["added_p50_ms_first_text"] = via["p50_ms_first_text"] - direct["p50_ms_first_text"]
        row["added_p99_ms_first_text"] = via["p99_ms_first_text"] - direct["p99_ms_first_text"]
        added = (
            f"per chunk +{row['added_p50_ms_per_chunk']:.2f}/+{row['added_p99_ms_per_chunk']:.2f}"
            f" ms, first text +{row['added_p50_ms_first_text']:.0f}"
            f"/+{row['added_p99_ms_first_text']:.0f} ms"
        )
    else:
        row["added_p50_ms"] = via["p50_ms"] - direct["p50_ms"]
        row["added_p99_ms"] = via["p99_ms"] - direct["p99_ms"]
        added = f"+{row['added_p50_ms']:.1f}/+{row['added_p99_ms']:.1f} ms"
    print(
        f"{'stream' if stream else 'plain ':6} c={n:<4} direct {direct['rps']:7.0f} rps "
        f"p50/p99 {direct['p50_ms']:6.1f}/{direct['p99_ms']:6.1f} ms | gateway {via['rps']:7.0f} rps "
        f"p50/p99 {via['p50_ms']:6.1f}/{via['p99_ms']:6.1f} ms | added p50/p99 {added} | "
        f"ratio {ratio:.2f} | errors {direct['errors']}/{via['errors']} | CPU ms/request "
        f"upstream {direct.get('cpu_ms_per_request_upstream', float('nan')):.2f} "
        f"gateway {via.get('cpu_ms_per_request_gateway', float('nan')):.2f}"
        + "".join(f" | {k} {v['ms_per_call']:.2f} ms/call ×{v['calls_per_request']:.1f}"
                  for k, v in via.get("stages", {}).items()),
        flush=True,
    )  # fmt: skip
    return row


if __name__ == "__main__":
    main()
