"""``upstream.read_timeout_s`` within a streamed answer (one lazy timer per stream, see
``_upstream.ReadIdle``): a stall between chunks ends the stream cleanly and is recorded; a
stream whose chunks keep coming runs past it; a pooled connection keeps its timeout after."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from .conftest import Behind, MakeGateway, gateway_config, records
from .hostile import Received, chunk, event, sse_head
from .test_faults_records import slow_stream


def _chat(stream: bool, content: str = "你好") -> dict[str, Any]:
    return {"model": "m", "stream": stream, "messages": [{"role": "user", "content": content}]}


def _events(text: str) -> list[Any]:
    return [b[6:] if b == "data: [DONE]" else json.loads(b[6:])
            for b in text.split("\n\n") if b.startswith("data: ")]  # fmt: skip


def test_a_stall_between_chunks_ends_the_stream_with_an_error_and_a_record(
    behind: Behind,
) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head() + event(chunk(content="开头"))
        yield 2.0  # longer than read_timeout_s
        yield event(chunk(content="太迟了")) + event(chunk(finish="stop")) + event("[DONE]")

    g, _ = behind(behave, upstream={"read_timeout_s": 0.3})
    r = httpx.post(g.base_url + "/chat/completions", json=_chat(True), timeout=10)
    events = _events(r.text)
    assert events[-1]["error"]["code"] == "upstream_disconnected"
    assert "太迟了" not in r.text
    (rec,) = records(g)
    assert rec.outcome == "upstream_error" and "SocketTimeoutError" in (rec.error or "")
    assert rec.response == "开头"


def test_a_stream_longer_than_the_read_timeout_runs_while_chunks_keep_coming(
    behind: Behind,
) -> None:
    g, _ = behind(slow_stream(12, 0.1), upstream={"read_timeout_s": 0.4})  # 1.2 s in all
    r = httpx.post(g.base_url + "/chat/completions", json=_chat(True), timeout=10)
    events = _events(r.text)
    assert events[-1] == "[DONE]" and r.text.count("慢慢说") == 12
    (rec,) = records(g)
    assert rec.outcome == "ok"


def test_the_pooled_connection_keeps_its_read_timeout_after_a_stream(
    make_gateway: MakeGateway, tmp_path: Path, upstream: Any
) -> None:
    """The stream's reads are timed by its own timer; the next request on the same pooled
    connection (the demo server keeps it alive) is timed by aiohttp again."""
    cfg = gateway_config(tmp_path, upstream.base_url, upstream={"read_timeout_s": 0.3})
    g = make_gateway(config=cfg)
    r = httpx.post(g.base_url + "/chat/completions", json=_chat(True), timeout=10)
    assert _events(r.text)[-1] == "[DONE]"
    slow = _chat(False, "[demo:slow=1500] 慢")
    r = httpx.post(g.base_url + "/chat/completions", json=slow, timeout=10)
    assert r.status_code == 504
    assert sorted(x.outcome for x in records(g)) == ["ok", "upstream_error"]
