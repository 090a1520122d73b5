"""Relaying a streamed answer (server-sent events): the exchange is recorded however it ends.

:class:`EventStream` sends what a :class:`Source` yields. However the stream ends, the source
records the exchange once, with the outcome that says why: ``ok``, ``blocked_output``,
``upstream_error`` (an error event, a malformed chunk, a cut connection, an answer over the
limits), ``client_disconnected``, ``timeout`` (``limits.max_duration_s``), ``shutdown`` (the
grace period after SIGTERM ran out) or ``crash`` (a bug: logged). Where the client is still
there it gets the labels of what it was sent and a clean ``error`` event, never a cut body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from beian.gateway._answer import Malformed
from beian.gateway._chunk_template import ChunkTemplate, learn
from beian.gateway._inflight import CLIENT_GONE, DEADLINE, SHUTDOWN, Inflight
from beian.gateway._moderated import LEXICON
from beian.gateway._relay import Blocked, ChunkWriter, event_bytes
from beian.gateway._request import parse_json
from beian.gateway._screening import Decision
from beian.gateway._store import Exchange
from beian.gateway._upstream import (
    TRANSPORT_ERRORS,
    Decoder,
    ReadIdle,
    UpstreamFailure,
    error_body,
    screened_error,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["EventStream", "refusal_stream", "relay_stream", "stopped_outcome"]

log = logging.getLogger("beian.gateway")

CRASH = "crash"

_DONE = b"data: [DONE]\n\n"

# why an exchange was ended from outside → (outcome, error for the record, message for the client)
_STOPS = {
    CLIENT_GONE: ("client_disconnected", "客户端在回答结束前断开", ""),
    SHUTDOWN: ("shutdown", "网关停止时对话仍在进行（超过 limits.shutdown_grace_s）",
               "网关正在停止，回答未完成，请重试"),
    DEADLINE: ("timeout", "对话超过时长上限（limits.max_duration_s）",
               "回答超过时长上限，已中止"),
    CRASH: ("crash", "发送回答时网关内部出错", "网关内部错误，回答未完成，请重试"),
}  # fmt: skip


def stopped_outcome(reason: str | None) -> tuple[str, str, str]:
    """(outcome, error, message to the client) of an exchange ended for ``reason`` (None: the
    server cancelled it itself, as it does after its own shutdown timeout)."""
    return _STOPS[reason or SHUTDOWN]


_event = event_bytes


class Source(Protocol):
    # set before the source yields its last chunk: that chunk ends the body (one write)
    ended: bool

    def run(self) -> AsyncGenerator[bytes, None]: ...

    def stop(self, reason: str | None) -> bytes:
        """Ended from outside: record it (once); the bytes still owed to the client."""


class EventStream(Response):
    """A server-sent-event response that sends ``source``'s chunks as they come.

    A client that goes away, the exchange's deadline and a shutdown past its grace period all
    cancel the relay at once (see :class:`Inflight`): one timer per stream and the connection's
    loss callback, nothing per chunk (per streamed chunk this path is the gateway's hottest).
    """

    media_type = "text/event-stream"

    def __init__(self, source: Source, headers: dict[str, str], h: Inflight) -> None:
        self.source = source
        self.h = h
        self.status_code = 200
        self.init_headers({**headers, "Cache-Control": "no-cache"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task, h = asyncio.current_task(), self.h
        h.watch(receive, scope)
        gen = self.source.run()
        try:
            start = {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
            await send(start)
            source = self.source
            async for chunk in gen:
                if source.ended:  # the last chunk: it ends the body in the same write
                    h.settle()
                    await send({"type": "http.response.body", "body": chunk, "more_body": False})
                    return
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            h.settle()
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            owed = self.source.stop(h.reason)
            if h.reason is None or task is None:
                raise
            task.uncancel()  # ended by the gateway itself: answer what is owed and end cleanly
            h.settle()
            if h.reason != CLIENT_GONE:
                await send({"type": "http.response.body", "body": owed, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except Exception:
            log.exception("发送流式回答时出错")
            self.source.stop(CRASH)
            raise
        finally:
            h.settle()
            await gen.aclose()
            self.source.stop(h.reason)  # no-op once recorded


class _Refusal:
    """The input refusal as a stream: one content chunk and a final chunk."""

    def __init__(self, gw: Gateway, ex: Exchange, refusal: dict[str, Any]) -> None:
        self.gw, self.ex, self.refusal = gw, ex, refusal
        self.recorded = False
        self.ended = False

    def stop(self, reason: str | None) -> bytes:
        if not self.recorded:
            self.recorded = True
            self.gw.finish(self.ex)
        return b""

    async def run(self) -> AsyncGenerator[bytes, None]:
        refusal = self.refusal
        choice = refusal["choices"][0]
        base = {k: refusal[k] for k in ("id", "created", "model")}
        base["object"] = "chat.completion.chunk"
        delta = {"role": "assistant", "content": choice["message"]["content"]}
        first = {"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}
        last = {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
        self.stop(None)
        yield _event(base | {"choices": [first], "beian": refusal["beian"]})
        self.ended = True
        yield _event(base | {"choices": [last]}) + _DONE


def refusal_stream(
    gw: Gateway, ex: Exchange, refusal: dict[str, Any], headers: dict[str, str], h: Inflight
) -> EventStream:
    return EventStream(_Refusal(gw, ex, refusal), headers, h)


class _Relay:
    """One relayed stream: reads the upstream's events, writes the client's, records once."""

    def __init__(self, gw: Gateway, ex: Exchange, resp: aiohttp.ClientResponse) -> None:
        self.gw, self.ex, self.resp = gw, ex, resp
        self.writer = ChunkWriter(gw, ex)
        self.finished = False
        self.owed = b""
        self.template: ChunkTemplate | None = None
        self.learnt = False
        self.ended = False

    def finalize(self) -> None:
        """Record the exchange once, before the last bytes leave (or when ended)."""
        if not self.finished:
            self.finished = True
            ex = self.ex
            ex.response, ex.sent = self.writer.texts()
            ex.finished = time.time()
            self.gw.finish(ex)

    def _end(self, outcome: str, error: str, event: dict[str, Any] | None) -> bytes:
        """End early: the labels of what was sent, the error event; recorded."""
        if self.finished:
            return self.owed
        self.ex.outcome, self.ex.error = outcome, error
        owed = [_event(c) for c in self.writer.cut_labels()]
        if event is not None:
            owed.append(_event(event))
        self.owed = b"".join(owed)
        self.finalize()
        return self.owed

    def stop(self, reason: str | None) -> bytes:
        outcome, error, message = stopped_outcome(reason)
        event = error_body(message, "server_error", outcome) if message else None
        return self._end(outcome, error, event)

    def fail(self, kind: str, error: str, event: dict[str, Any]) -> bytes:
        self.gw.metrics.upstream_errors.labels(kind).inc()
        return self._end("upstream_error", error, event)

    def _blocked(self, b: Blocked) -> bytes:
        gw, ex = self.gw, self.ex
        ex.outcome = "blocked_output"
        if not b.recorded:  # a model stage's ruling is recorded where it was made
            ex.decisions.append(
                Decision("output", "block", b.risks, len(b.risks), check="keyword", model=LEXICON).to_json()
            )
            for risk in b.risks:
                gw.metrics.blocks.labels("output", risk).inc()
        # what was sent before the stopped sentence is generated content: it gets its labels
        # (explicit mark, implicit label bound to it) as an early end for an error does
        owed = b"".join(_event(c) for c in self.writer.cut_labels())
        final = {"index": b.index, "delta": {}, "finish_reason": "content_filter", "logprobs": None}
        self.finalize()
        return owed + _event(self.writer.base | {"choices": [final]}) + _DONE

    def _upstream_error(self, data: dict[str, Any]) -> bytes:
        body, risks = screened_error(data, self.gw.screening.risks, "上游模型返回了错误")
        if risks:
            decision = Decision("output", "block", risks, len(risks), check="keyword", model=LEXICON)
            self.ex.decisions.append(decision.to_json())
        return self.fail("stream_error", json.dumps(data, ensure_ascii=False)[:4000], body)

    def _parsed(self, payload: bytes) -> tuple[bytes, bool]:
        """(the client's event for ``payload`` parsed whole, the stream is over: it was an error
        event); the first usual chunk teaches the stream its template."""
        # a lone surrogate can only come from an escape (parse_json replaces it)
        data = parse_json(payload) if b"\\u" in payload else json.loads(payload)
        if isinstance(data, dict) and "error" in data:
            return self._upstream_error(data), True
        w = self.writer
        got = w.usual(data)
        if got is None:
            return w.event(data), False
        if not self.learnt:
            self.learnt = True  # one try per stream
            self.template = learn(payload, data, got[0])
        return w.content_event(*got), False

    async def events(self, payloads: list[bytes]) -> tuple[bytes, bool]:
        """Relay a batch of upstream events; (bytes to send, stream over)."""
        out: list[bytes] = []
        w = self.writer
        try:
            for payload in payloads:
                if payload == b"[DONE]":
                    closing = w.close_open()
                    if w.awaiting:
                        await w.review()
                    out.extend(_event(c) for c in closing)
                    self.finalize()
                    return b"".join([*out, _DONE]), True
                tpl = self.template
                if tpl is not None and (piece := tpl.content(payload)) is not None:
                    chunk = w.content_event(tpl.index, piece)  # read from its bytes alone
                else:
                    chunk, over = self._parsed(payload)
                    if over:
                        return b"".join([*out, chunk]), True
                if w.awaiting:  # sentences the output guard must pass before this chunk leaves
                    await w.review()
                out.append(chunk)
        except Blocked as b:
            return b"".join([*out, self._blocked(b)]), True
        except (Malformed, ValueError, RecursionError) as exc:
            body = error_body("上游模型返回了无法处理的流数据", "upstream_error",
                              "upstream_malformed")  # fmt: skip
            return b"".join(
                [*out, self.fail("malformed", f"上游流数据无法处理：{exc}", body)]
            ), True
        return b"".join(out), False

    async def run(self) -> AsyncGenerator[bytes, None]:
        """The relayed stream: one write per network read; the exchange is always recorded."""
        limits = self.gw.config.limits
        resp = self.resp
        decoder = Decoder(resp.headers.get("content-encoding"), limits.max_stream_bytes)
        idle = ReadIdle(resp, self.gw.config.upstream.read_timeout_s)
        pending = b""
        try:
            # events that arrive together leave together: one write per network read
            async for raw in resp.content.iter_any():
                idle.got()
                data = decoder.feed(raw)
                if (
                    not pending
                    and data.startswith(b"data:")
                    and data.endswith(b"\n\n")
                    and data.count(b"\n") == 2
                    and b"\r" not in data
                ):  # the usual read: one whole event of one data line
                    payloads = [data[5:-2].strip()]
                else:
                    pending += data
                    if b"\n" not in data:
                        if len(pending) > limits.max_event_bytes:
                            raise UpstreamFailure("too_large", 502, "上游模型的一条流数据超过上限")
                        idle.waiting()
                        continue
                    if b"\r" in pending:  # CRLF line ends, also when split across reads
                        pending = pending.replace(b"\r\n", b"\n")
                    *complete, pending = pending.split(b"\n\n")
                    payloads = [
                        line[5:].strip()
                        for event in complete
                        for line in event.split(b"\n")
                        if line.startswith(b"data:")
                    ]
                    if not payloads:
                        idle.waiting()
                        continue
                out, over = await self.events(payloads)
                if over:
                    self.ended = True
                    yield out
                    return
                if out:
                    yield out
                idle.waiting()
            raise aiohttp.ClientPayloadError("stream ended without [DONE]")
        except UpstreamFailure as f:
            self.ended = True
            yield self.fail(f.kind, f.message, error_body(f.message, "upstream_error", f.kind))
        except TRANSPORT_ERRORS as exc:
            body = error_body(
                "上游模型连接中断，回答不完整，请重试", "upstream_error", "upstream_disconnected"
            )
            self.ended = True
            yield self.fail("disconnected", f"上游连接中断：{type(exc).__name__}: {exc}", body)
        except asyncio.CancelledError:
            raise  # EventStream ends it (see Inflight): it knows why
        except Exception as exc:  # a bug: logged, recorded, and a clean end for the client
            log.exception("转发流式回答时出错（记录 %s）", self.ex.id)
            body = error_body("网关内部错误，回答未完成，请重试", "server_error", "internal_error")
            self.ended = True
            yield self._end("crash", f"{type(exc).__name__}: {exc}", body)
        finally:
            idle.close()
            resp.close()


def relay_stream(
    gw: Gateway, ex: Exchange, resp: aiohttp.ClientResponse, headers: dict[str, str], h: Inflight
) -> EventStream:
    label = gw.labeller.header(ex.id)
    if label is not None:
        headers = {**headers, label[0]: label[1]}
    return EventStream(_Relay(gw, ex, resp), headers, h)
