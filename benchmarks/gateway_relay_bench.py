"""The stream relay's CPU per chunk, in one process: where a streamed answer's gateway time goes.

A gateway configured as in ``gateway_bench.py`` (500 keywords, PII protection, labels, records)
relays the demo-like stream of a 112-character answer (14 content chunks of 8 characters) through
its :class:`ChunkWriter` many times. Timed alternately in the same process, so the machine's load
falls on both alike (CPU time, the best of ``--repeats`` rounds):

* ``decode``: ``json.loads`` of each upstream event;
* ``screen``: the keyword hold-back screener alone (``StreamScreener.feed``: one lexicon
  ``scan_stream`` per chunk);
* ``generic``: each chunk rebuilt as a dict and encoded (``event_bytes(writer.chunk(data))``);
* ``template``: ``writer.event(data)``, which writes a one-piece content chunk from the stream's
  template (the same bytes; what the gateway does).

    .venv/bin/python benchmarks/gateway_relay_bench.py --repeats 7

Writes ``benchmarks/results/gateway-relay.json``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gateway-relay.json"
ANSWER = (
    "光合作用是植物利用光能把二氧化碳和水转化为有机物并释放氧气的过程，它为地球上几乎所有生命提供能量。"
    * 2
)
PIECE = 8


def _events(answer: str) -> list[bytes]:
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1,
            "model": "beian-demo-1"}  # fmt: skip
    pieces = [answer[i : i + PIECE] for i in range(0, len(answer), PIECE)][:14]
    return [json.dumps({**base, "choices": [{"index": 0, "delta": {"content": p},
                                             "finish_reason": None}]},
                       ensure_ascii=False).encode() for p in pieces]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="alternating rounds (best is kept)")
    ap.add_argument("--streams", type=int, default=300, help="streams per round and variant")
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args()
    os.environ.setdefault("BEIAN_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

    import gateway_bench

    from beian.gateway import Gateway, load_gateway_config
    from beian.gateway._holdback import StreamScreener
    from beian.gateway._relay import ChunkWriter, event_bytes
    from beian.gateway._store import Exchange

    with tempfile.TemporaryDirectory() as td:
        cfg, features = gateway_bench.gateway_config(Path(td), 9)
        gw = Gateway(load_gateway_config(cfg))
        try:
            raw = _events(ANSWER)
            decoded = [json.loads(r) for r in raw]
            pieces = [d["choices"][0]["delta"]["content"] for d in decoded]

            def writer() -> ChunkWriter:
                return ChunkWriter(gw, Exchange(id="r" * 32, started=0.0, stream=True))

            def decode() -> None:
                for r in raw:
                    json.loads(r)

            def screen() -> None:
                s = StreamScreener(gw.screening)
                for p in pieces:
                    s.feed(p)

            def generic() -> None:
                w = writer()
                for d in decoded:
                    event_bytes(w.chunk(d))

            def template() -> None:
                w = writer()
                for d in decoded:
                    w.event(d)

            variants: dict[str, Callable[[], None]] = {
                "decode": decode, "screen": screen, "generic": generic, "template": template}  # fmt: skip
            best = dict.fromkeys(variants, float("inf"))
            for _ in range(args.repeats):
                for name, fn in variants.items():
                    fn()
                    t0 = time.process_time()
                    for _ in range(args.streams):
                        fn()
                    per_chunk = (time.process_time() - t0) / args.streams / len(raw) * 1e6
                    best[name] = min(best[name], per_chunk)
        finally:
            gw.close()
    result: dict[str, Any] = {
        "benchmark": "gateway relay, CPU µs per streamed chunk (best of alternating rounds)",
        "command": "benchmarks/gateway_relay_bench.py " + f"--repeats {args.repeats}",
        "chunks_per_stream": len(raw),
        "features": features,
        "loadavg": os.getloadavg(),
        "us_per_chunk": {k: round(v, 2) for k, v in best.items()},
        "template_saves_us_per_chunk": round(best["generic"] - best["template"], 2),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
