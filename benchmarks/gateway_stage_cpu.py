"""The gateway's CPU per request for each moderation stage, in one process (thread CPU time).

``gateway_bench.py`` reports each stage's CPU per request as the difference between two loaded
runs (``stage_cpu_ms_per_request_at_200``); on a shared 2-core machine one run's CPU per request
moves by ±0.5 ms, as much as a stage costs. Here the stages' own calls are timed in one
process, with the thread's CPU time, on the questions of ``gateway_bench.py`` and the demo
model's answers to them (``beian.demo.answer_text``), the best of ``--rounds`` rounds:

* ``classifier`` (the model ``gateway_bench.py`` trains on ``moderation_train.csv``): one check
  of the question (the input stage), one of each sentence of the answer (a streamed answer:
  each completed sentence is checked as it completes) and one of the whole answer's sentences
  together (a whole answer);
* ``guard`` (``beian demo-server --guard qwen3guard`` in another process, no added latency): the
  gateway's side of one call on the question and of one on an answer (the HTTP request, the
  prompt, reading the reply); the guard model's own CPU is not the gateway's. A streamed answer
  asks the guard once per completed sentence (about the answer so far), a whole answer once.

Per request: the input check plus the answer's checks (streamed: one per sentence; whole: one).

    flock /tmp/beian-bench.lock .venv/bin/python benchmarks/gateway_stage_cpu.py

Writes ``benchmarks/results/gateway-stage-cpu.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gateway-stage-cpu.json"


def best_us(fn: Callable[[], None], calls: int, rounds: int) -> float:
    """Microseconds of thread CPU time per call of ``fn``, the best of ``rounds`` rounds."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.thread_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.thread_time() - t0) / calls * 1e6)
    return best


def classifier_costs(
    gw: Any, questions: list[str], answers: list[str], rounds: int
) -> dict[str, float]:
    from beian.gateway import sentences

    m = gw.moderation
    per_sentence = [s for a in answers for s in sentences(a)]
    split = [sentences(a) for a in answers]
    n = len(questions)

    def ask() -> None:
        for q in questions:
            m.classify([q], "input")

    def each() -> None:
        for s in per_sentence:
            m.classify([s], "output")

    def whole() -> None:
        for parts in split:
            m.classify(parts, "output")

    return {
        "input_us": best_us(ask, 50, rounds) / n,
        "sentence_us": best_us(each, 20, rounds) / len(per_sentence),
        "whole_answer_us": best_us(whole, 20, rounds) / n,
        "sentences_per_answer": len(per_sentence) / n,
    }


def guard_costs(gw: Any, questions: list[str], answers: list[str], calls: int) -> dict[str, float]:
    """Thread CPU per guard call (the best of three batches of ``calls`` calls of each kind)."""
    m = gw.moderation

    async def main() -> dict[str, float]:
        async def timed(answer: bool) -> float:
            best = float("inf")
            for _ in range(3):
                t0 = time.thread_time()
                for i in range(calls):
                    q = questions[i % len(questions)]
                    await m.ask_guard(q, answers[i % len(answers)] if answer else None,
                                      "output" if answer else "input")  # fmt: skip
                best = min(best, (time.thread_time() - t0) / calls * 1e6)
            return best

        await timed(True)  # warm: the connection pool, the first requests
        out = {"input_call_us": await timed(False), "output_call_us": await timed(True)}
        await m.guard.aclose()
        return out

    try:
        import uvloop
    except ImportError:
        return asyncio.run(main())
    return uvloop.run(main())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--guard-calls", type=int, default=300)
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args()
    os.environ.setdefault("BEIAN_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

    import gateway_bench as gb

    from beian.demo import answer_text
    from beian.gateway import Gateway, load_gateway_config
    from beian.io import atomic_write_text

    questions = list(gb.PROMPTS)
    answers = [answer_text(q) for q in questions]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        port = gb.free_port()
        cls_cfg, _ = gb.gateway_config(
            tmp, 9, gb.moderation_config(tmp, {"moderation": "classifier"}, 0)
        )
        gw = Gateway(load_gateway_config(cls_cfg))
        try:
            classifier = classifier_costs(gw, questions, answers, args.rounds)
        finally:
            gw.close()
        guard_cmd = [sys.executable, "-m", "beian", "demo-server", "--port", str(port),
                     "--guard", "qwen3guard"]  # fmt: skip
        with gb.process(guard_cmd, dict(os.environ), tmp):
            gb.wait_http(port, "/v1/models")
            (tmp / "g").mkdir()
            g_cfg, _ = gb.gateway_config(
                tmp / "g", 9, gb.moderation_config(tmp, {"moderation": "guard"}, port)
            )
            gw = Gateway(load_gateway_config(g_cfg))
            try:
                guard = guard_costs(gw, questions, answers, args.guard_calls)
            finally:
                gw.close()
    k = classifier["sentences_per_answer"]
    per_request = {
        "classifier": {
            "plain_ms": (classifier["input_us"] + classifier["whole_answer_us"]) / 1000,
            "stream_ms": (classifier["input_us"] + k * classifier["sentence_us"]) / 1000,
        },
        "guard": {
            "plain_ms": (guard["input_call_us"] + guard["output_call_us"]) / 1000,
            "stream_ms": (guard["input_call_us"] + k * guard["output_call_us"]) / 1000,
        },
        "guard-input": {
            "plain_ms": guard["input_call_us"] / 1000,
            "stream_ms": guard["input_call_us"] / 1000,
        },
    }
    result: dict[str, Any] = {
        "benchmark": "gateway moderation stages, CPU per call and per request (thread time, one process)",
        "command": " ".join(["benchmarks/gateway_stage_cpu.py", *sys.argv[1:]]),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "classifier_us": {k2: round(v, 2) for k2, v in classifier.items()},
        "guard_gateway_side_us": {k2: round(v, 1) for k2, v in guard.items()},
        "ms_per_request": {
            s: {m: round(v, 3) for m, v in d.items()} for s, d in per_request.items()
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.output, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
