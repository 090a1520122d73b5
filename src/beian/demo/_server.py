"""A project-owned OpenAI-compatible model server for the demo, the tests and the benchmarks.

It speaks the real protocol (``POST /v1/chat/completions`` streaming and not, ``GET /v1/models``)
and behaves deterministically (see :mod:`beian.demo._behavior`): it refuses some prompts,
answers others, and on request or by hash bucket is slow, rate-limited (429), failing (5xx),
content-filtered (400/451 or ``finish_reason: content_filter``), malformed, or dies mid-stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from beian.demo._behavior import DemoBehavior, Plan, guard_reply, judge_reply, plan


@dataclass
class DemoStats:
    """What the server has seen; tests use it to prove a question was asked once."""

    requests: int = 0
    by_prompt: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, prompt: str) -> int:
        with self.lock:
            self.requests += 1
            self.by_prompt[prompt] += 1
            return self.by_prompt[prompt]


def _error(status: int, message: str, code: str, etype: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": etype, "code": code, "param": None}},
        status_code=status,
    )


def _prompt_of(messages: list[dict[str, Any]]) -> str:
    for m in reversed(messages):
        if m.get("role") == "user":
            content = m.get("content")
            if isinstance(content, list):  # content parts
                return "".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def create_app(behavior: DemoBehavior | None = None, stats: DemoStats | None = None) -> Starlette:
    """The ASGI app of the demo model server."""
    beh = behavior or DemoBehavior()
    st = stats if stats is not None else DemoStats()

    def _authorized(request: Request) -> bool:
        return (
            beh.api_key is None or request.headers.get("authorization") == f"Bearer {beh.api_key}"
        )

    async def models(request: Request) -> Response:
        if not _authorized(request):
            return _error(
                401, "Incorrect API key provided", "invalid_api_key", "invalid_request_error"
            )
        return JSONResponse(
            {
                "object": "list",
                "data": [{"id": beh.model, "object": "model", "created": 0, "owned_by": "beian"}],
            }
        )

    async def completions(request: Request) -> Response:
        if not _authorized(request):
            return _error(
                401, "Incorrect API key provided", "invalid_api_key", "invalid_request_error"
            )
        try:
            body = await request.json()
            messages = body["messages"]
            if not isinstance(messages, list) or not messages:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return _error(
                400,
                "'messages' is required and must be a non-empty array",
                "invalid_request",
                "invalid_request_error",
            )
        prompt = _prompt_of(messages)
        attempt = st.record(prompt)
        p = plan(prompt, attempt, beh)
        if (beh.judge or beh.guard) and p.kind in ("answer", "refuse"):
            p = Plan(
                "answer",
                text=guard_reply(messages, beh, attempt)
                if beh.guard
                else judge_reply(messages, beh),
                delay_ms=p.delay_ms,
                directives=p.directives,
            )
        if p.delay_ms:
            await asyncio.sleep(p.delay_ms / 1000)
        model = str(body.get("model") or beh.model)
        if p.kind == "error":
            if p.status == 429:
                resp = _error(
                    429, "Rate limit reached, please retry", "rate_limit_exceeded", "requests"
                )
                resp.headers["retry-after"] = "0"
                return resp
            return _error(
                p.status,
                "The server had an error while processing your request",
                "server_error",
                "server_error",
            )
        if p.kind == "malformed":
            return Response(
                '{"id": "chatcmpl-broken", "choices": [{"message": ', media_type="application/json"
            )
        if p.kind == "filter":
            return _error(
                p.status,
                "The response was filtered due to the prompt triggering content management policy.",
                "content_filter",
                "invalid_request_error",
            )
        finish = "content_filter" if p.kind == "filter-finish" else "stop"
        text = "" if p.kind == "filter-finish" else p.text
        cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if body.get("stream"):
            return StreamingResponse(
                _stream(cid, created, model, text, finish, p, beh), media_type="text/event-stream"
            )
        if p.kind == "die":
            raise ConnectionAbortedError("demo: connection dropped on request")
        if beh.chunk_delay_ms and text:  # a model takes as long to generate a whole answer
            await asyncio.sleep(len(_pieces(text, p, beh)) * beh.chunk_delay_ms / 1000)
        usage = {
            "prompt_tokens": len(prompt),
            "completion_tokens": len(text),
            "total_tokens": len(prompt) + len(text),
        }
        return JSONResponse(
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": finish,
                        "logprobs": None,
                    }
                ],
                "usage": usage,
            }
        )

    return Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/chat/completions", completions, methods=["POST"]),
        ]
    )


def _pieces(text: str, p: Plan, beh: DemoBehavior) -> list[str]:
    """The streamed chunks of an answer (``[demo:chunk=N]`` or ``chunk_chars`` characters)."""
    size = max(1, int(p.directives.get("chunk") or beh.chunk_chars))
    return [text[i : i + size] for i in range(0, len(text), size)]


async def _stream(
    cid: str, created: int, model: str, text: str, finish: str, p: Plan, beh: DemoBehavior
) -> AsyncIterator[bytes]:
    def chunk(delta: dict[str, Any], reason: str | None) -> bytes:
        obj = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": reason, "logprobs": None}],
        }
        return b"data: " + json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n\n"

    yield chunk({"role": "assistant", "content": ""}, None)
    pieces = _pieces(text, p, beh)
    for i, piece in enumerate(pieces):
        if p.kind == "die" and i == max(1, len(pieces) // 2):
            raise ConnectionAbortedError("demo: upstream died mid-stream")
        if beh.chunk_delay_ms:
            await asyncio.sleep(beh.chunk_delay_ms / 1000)
        yield chunk({"content": piece}, None)
    yield chunk({}, finish)
    yield b"data: [DONE]\n\n"


@dataclass
class DemoServer:
    """A running demo server: ``base_url`` ends in ``/v1`` as OpenAI clients expect."""

    base_url: str
    port: int
    stats: DemoStats
    behavior: DemoBehavior


@contextlib.contextmanager
def serve_in_thread(
    behavior: DemoBehavior | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[DemoServer]:
    """Run the demo server in a background thread for the duration of the ``with`` block."""
    beh = behavior or DemoBehavior()
    stats = DemoStats()
    config = uvicorn.Config(
        create_app(beh, stats),
        host=host,
        port=port,
        log_level="critical",
        lifespan="off",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="beian-demo-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("demo model server failed to start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield DemoServer(
            base_url=f"http://{host}:{bound}/v1", port=bound, stats=stats, behavior=beh
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run_server(
    behavior: DemoBehavior | None = None, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Run the demo server in the foreground (``beian demo-server``)."""
    uvicorn.run(create_app(behavior), host=host, port=port, log_level="warning", access_log=False)
