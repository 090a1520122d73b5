"""A project-owned OpenAI-compatible model server for the demo, the tests and the benchmarks.

It speaks the real protocol (``POST /v1/chat/completions`` streaming and not, ``GET /v1/models``)
and behaves deterministically (see :mod:`beian.demo._behavior`): it refuses some prompts,
answers others, and on request or by hash bucket is slow, rate-limited (429), failing (5xx),
content-filtered (400/451 or ``finish_reason: content_filter``), malformed, or dies mid-stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from beian._shared.serve import serve_in_thread as shared_serve
from beian.demo._behavior import DemoBehavior, Plan, guard_reply, judge_reply, plan


@dataclass
class DemoStats:
    """What the server has seen; tests use it to prove a question was asked once."""

    requests: int = 0
    by_prompt: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0  # chat completions being answered now
    peak_in_flight: int = 0  # the most ever answered at once
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, prompt: str) -> int:
        with self.lock:
            self.requests += 1
            self.by_prompt[prompt] += 1
            return self.by_prompt[prompt]

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


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
    return Starlette(
        routes=[
            Route("/v1/models", functools.partial(_models, beh)),
            Route("/v1/chat/completions", functools.partial(_completions, beh, st),
                  methods=["POST"]),
        ]
    )  # fmt: skip


def _unauthorized(beh: DemoBehavior, request: Request) -> Response | None:
    if beh.api_key is None or request.headers.get("authorization") == f"Bearer {beh.api_key}":
        return None
    return _error(401, "Incorrect API key provided", "invalid_api_key", "invalid_request_error")


async def _models(beh: DemoBehavior, request: Request) -> Response:
    denied = _unauthorized(beh, request)
    if denied is not None:
        return denied
    return JSONResponse(
        {
            "object": "list",
            "data": [{"id": beh.model, "object": "model", "created": 0, "owned_by": "beian"}],
        }
    )


async def _completions(beh: DemoBehavior, st: DemoStats, request: Request) -> Response:
    denied = _unauthorized(beh, request)
    if denied is not None:
        return denied
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
    st.enter()
    streaming = False
    try:
        resp = await _answer(beh, body, messages, prompt, attempt)
        if isinstance(resp, StreamingResponse):
            streaming = True
            resp.body_iterator = _counted(resp.body_iterator, st)
        return resp
    finally:
        if not streaming:
            st.leave()


def _plan(beh: DemoBehavior, messages: list[dict[str, Any]], prompt: str, attempt: int) -> Plan:
    """What to do with this prompt; a judge or guard model answers with its verdict."""
    p = plan(prompt, attempt, beh)
    if (beh.judge or beh.guard) and p.kind in ("answer", "refuse"):
        text = guard_reply(messages, beh, attempt) if beh.guard else judge_reply(messages, beh)
        p = Plan("answer", text=text, delay_ms=p.delay_ms, directives=p.directives)
    return p


def _failure(p: Plan) -> Response | None:
    """The planned error, malformed body or content-filter refusal; None for an answer."""
    if p.kind == "error":
        if p.status == 429:
            resp = _error(429, "Rate limit reached, please retry", "rate_limit_exceeded", "requests")
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
    return None


async def _answer(
    beh: DemoBehavior, body: dict[str, Any], messages: list[dict[str, Any]], prompt: str,
    attempt: int,
) -> Response:  # fmt: skip
    p = _plan(beh, messages, prompt, attempt)
    if p.delay_ms:
        await asyncio.sleep(p.delay_ms / 1000)
    failure = _failure(p)
    if failure is not None:
        return failure
    model = str(body.get("model") or beh.model)
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


async def _counted(body: AsyncIterable[Any], st: DemoStats) -> AsyncIterator[Any]:
    """A streamed answer stays in flight until its last chunk is sent (or the client leaves)."""
    try:
        async for chunk in body:
            yield chunk
    finally:
        st.leave()


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
    with shared_serve(
        create_app(beh, stats), host=host, port=port, name="beian-demo-server",
        lifespan="off", stop_timeout=10,
    ) as served:
        yield DemoServer(base_url=served.url + "/v1", port=served.port, stats=stats, behavior=beh)


def run_server(
    behavior: DemoBehavior | None = None, host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Run the demo server in the foreground (``beian demo-server``)."""
    uvicorn.run(create_app(behavior), host=host, port=port, log_level="warning", access_log=False)
