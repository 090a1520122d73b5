"""Relaying a streamed answer (server-sent events) through the hold-back screener."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

import aiohttp
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from beian.gateway._holdback import StreamScreener
from beian.gateway._restore import Restorer
from beian.gateway._screening import Decision
from beian.gateway._store import Exchange
from beian.gateway._upstream import TRANSPORT_ERRORS, error_body

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["refusal_stream", "relay_stream"]

_DONE = b"data: [DONE]\n\n"


def _event(obj: Any) -> bytes:
    return b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


class EventStream(Response):
    """A server-sent-event response that sends ``gen``'s chunks as they come.

    Like Starlette's ``StreamingResponse``, a client that goes away cancels the relay at once
    (the generator sees the cancellation, so the exchange is still recorded), but with one
    watcher task per stream instead of a task group and its scopes: per streamed chunk this
    path is the gateway's hottest.
    """

    media_type = "text/event-stream"

    def __init__(self, gen: AsyncGenerator[bytes, None], headers: dict[str, str]) -> None:
        self.gen = gen
        self.status_code = 200
        self.init_headers({**headers, "Cache-Control": "no-cache"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        gone = False

        async def watch() -> None:
            nonlocal gone
            while (await receive())["type"] != "http.disconnect":
                pass
            gone = True
            if task is not None:
                task.cancel()

        watcher = asyncio.ensure_future(watch())
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            async for chunk in self.gen:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            watcher.cancel()
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not gone or task is None:
                raise
            task.uncancel()  # our own cancellation: the client left, nothing more to send
        finally:
            watcher.cancel()
            await self.gen.aclose()  # a generator stopped mid-way still keeps its record


def _sse(gen: AsyncGenerator[bytes, None], headers: dict[str, str]) -> EventStream:
    return EventStream(gen, headers)


def refusal_stream(
    gw: Gateway, ex: Exchange, refusal: dict[str, Any], headers: dict[str, str]
) -> EventStream:
    """The input refusal as a stream: one content chunk and a final chunk."""
    choice = refusal["choices"][0]
    base = {k: refusal[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}

    async def gen() -> AsyncGenerator[bytes, None]:
        delta = {"role": "assistant", "content": choice["message"]["content"]}
        first = {"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}
        last = {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
        gw.finish(ex)
        yield _event(base | {"choices": [first], "beian": refusal["beian"]})
        yield _event(base | {"choices": [last]}) + _DONE

    return _sse(gen(), headers)


class _Relay:
    """State of one relayed stream."""

    def __init__(self, gw: Gateway, ex: Exchange) -> None:
        self.gw = gw
        self.ex = ex
        self.screeners: dict[int, StreamScreener] = {}
        self.labelled: set[int] = set()
        self.sent: dict[int, list[str]] = {}
        self.restorers: dict[int, Restorer] = {}
        self.base: dict[str, Any] = {}
        self.first = True
        self.finished = False

    def screener(self, index: int) -> StreamScreener:
        s = self.screeners.get(index)
        if s is None:
            s = self.screeners[index] = StreamScreener(self.gw.screening)
        return s

    def restored(self, index: int, text: str, final: bool) -> str:
        """Screened text with the user's pseudonymized values put back (when configured)."""
        if not self.ex.restore:
            return text
        r = self.restorers.get(index)
        if r is None:
            r = self.restorers[index] = Restorer(self.ex.restore)
        out = r.feed(text)
        return out + r.finish() if final else out

    def out(self, index: int, text: str) -> str:
        labeller = self.gw.labeller
        if index not in self.labelled and labeller.prefix and text:
            self.labelled.add(index)
            text = labeller.prefix + text
        if text:
            self.sent.setdefault(index, []).append(text)
        return text

    def chunk(self, data: dict[str, Any]) -> tuple[bytes | None, bool]:
        """Rewrite one upstream chunk; returns (bytes to send or None, blocked)."""
        if self.first:
            self.base = {k: data.get(k) for k in ("id", "object", "created", "model")}
            self.first = False
        for choice in data.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            index = int(choice.get("index") or 0)
            delta = choice.get("delta") or {}
            s = self.screener(index)
            piece = delta.get("content")
            released = s.feed(piece) if isinstance(piece, str) else ""
            if released is None:
                return self.blocked(index, s), True
            finish = choice.get("finish_reason")
            if finish is not None:
                if finish == "content_filter":  # the provider's own filter
                    self.ex.decisions.append(Decision("upstream", "filter").to_json())
                tail = s.finish()
                if tail is None:  # the held tail completes a keyword: nothing of it leaves
                    return self.blocked(index, s), True
                released += tail
            released = self.restored(index, released, final=finish is not None)
            if finish is not None and (self.sent.get(index) or released):
                released += self.gw.labeller.suffix
            if isinstance(piece, str) or released:
                delta["content"] = self.out(index, released)
                choice["delta"] = delta
            if finish is not None:  # the implicit label, bound to the text as sent
                payload = self.gw.labeller.payload(self.ex.id, "".join(self.sent.get(index, [])))
                if payload is not None:
                    data[self.gw.labeller.config.field] = payload
        return _event(data), False

    def blocked(self, index: int, s: StreamScreener) -> bytes:
        gw, ex = self.gw, self.ex
        ex.outcome = "blocked_output"
        ex.decisions.append(Decision("output", "block", s.blocked, len(s.blocked)).to_json())
        for risk in s.blocked:
            gw.metrics.blocks.labels("output", risk).inc()
        final = {"index": index, "delta": {}, "finish_reason": "content_filter", "logprobs": None}
        return _event(self.base | {"choices": [final]}) + _DONE

    def texts(self) -> tuple[str, str]:
        produced = "\n".join(s.full_text for _, s in sorted(self.screeners.items()))
        sent = "\n".join("".join(v) for _, v in sorted(self.sent.items()))
        return produced, sent

    def finalize(self) -> None:
        """Record the exchange once, before the last bytes leave (or when cancelled)."""
        if not self.finished:
            self.finished = True
            ex = self.ex
            ex.response, ex.sent = self.texts()
            ex.finished = time.time()
            self.gw.finish(ex)

    def fail(self, kind: str, error: str, event: dict[str, Any]) -> bytes:
        self.ex.outcome, self.ex.error = "upstream_error", error
        self.gw.metrics.upstream_errors.labels(kind).inc()
        self.finalize()
        return _event(event)

    def events(self, payloads: list[bytes]) -> tuple[bytes, bool]:
        """Relay a batch of upstream events; (bytes to send, stream over)."""
        out: list[bytes] = []
        for payload in payloads:
            if payload == b"[DONE]":
                self.finalize()
                return b"".join([*out, _DONE]), True
            try:
                data = json.loads(payload)
            except ValueError:
                body = error_body(
                    "上游模型返回了无法解析的流数据", "upstream_error", "upstream_malformed"
                )
                return b"".join([*out, self.fail("malformed", "上游流数据无法解析", body)]), True
            if isinstance(data, dict) and "error" in data:
                err = self.fail("stream_error", json.dumps(data, ensure_ascii=False), data)
                return b"".join([*out, err]), True
            sent, blocked = self.chunk(data)
            if blocked:
                self.finalize()
            if sent:
                out.append(sent)
            if blocked:
                return b"".join(out), True
        return b"".join(out), False

    async def run(self, resp: aiohttp.ClientResponse) -> AsyncGenerator[bytes, None]:
        """The relayed stream: one write per network read; the exchange is always recorded."""
        ex = self.ex
        pending = b""
        try:
            # events that arrive together leave together: one write per network read
            async for raw in resp.content.iter_any():
                pending += raw
                if b"\r" in raw:  # CRLF line ends, also when split across reads
                    pending = pending.replace(b"\r\n", b"\n")
                *complete, pending = pending.split(b"\n\n")
                payloads = [
                    line[5:].strip()
                    for event in complete
                    for line in event.split(b"\n")
                    if line.startswith(b"data:")
                ]
                if not payloads:
                    continue
                out, over = self.events(payloads)
                if out:
                    yield out
                if over:
                    return
            raise aiohttp.ClientPayloadError("stream ended without [DONE]")
        except TRANSPORT_ERRORS as exc:
            body = error_body(
                "上游模型连接中断，回答不完整，请重试", "upstream_error", "upstream_disconnected"
            )
            yield self.fail("disconnected", f"上游连接中断：{type(exc).__name__}: {exc}", body)
        except BaseException:  # the client went away (cancelled): still keep the record
            if ex.outcome == "ok":
                ex.outcome, ex.error = "client_disconnected", "客户端在回答结束前断开"
            raise
        finally:
            self.finalize()
            resp.close()


def relay_stream(
    gw: Gateway, ex: Exchange, resp: aiohttp.ClientResponse, headers: dict[str, str]
) -> EventStream:
    label = gw.labeller.header(ex.id)
    if label is not None:
        headers = {**headers, label[0]: label[1]}
    return _sse(_Relay(gw, ex).run(resp), headers)
