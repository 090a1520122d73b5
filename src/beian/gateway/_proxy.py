"""``POST /v1/chat/completions``: limits, input screening, PII protection, forwarding, output.

The order of one exchange:

1. the body: refused with 413 before it is read when ``Content-Length`` is over
   ``limits.max_request_bytes`` (and while it is read, for a chunked body), 408 when it does not
   arrive within ``limits.body_timeout_s``;
2. parsed and checked (:func:`check_request`): every field known, counts and nesting within the
   limits, else a 400 in OpenAI's error format naming the field;
3. the exchange is recorded as it arrives, and completed whatever its end (see ``_store``);
4. every text in the request screened, and protected by the PII engine (every role, ``name``,
   tool calls and definitions); large requests in the screening threads, off the event loop;
5. forwarded; the answer is relayed (:mod:`._streaming`) or read within
   ``limits.max_upstream_bytes`` and rebuilt (:mod:`._answer`).

A client that goes away, the exchange's deadline and a shutdown past its grace period end the
exchange through its :class:`Inflight` with the matching outcome; an unexpected error ends it as
``crash`` with a 500 in OpenAI's format. Either way it is recorded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from beian.gateway._answer import Malformed, rebuild_answer
from beian.gateway._gate import last_question, record_ruling
from beian.gateway._gateway import Overloaded
from beian.gateway._identity import IdentityError
from beian.gateway._inflight import BODY_TIMEOUT, Inflight
from beian.gateway._moderated import (
    beian_note,
    keyword_rulings,
    moderate_answer,
    moderate_input,
    stop_text,
)
from beian.gateway._moderation import Ruling
from beian.gateway._request import Checked, RequestError, check_request, parse_json, with_texts
from beian.gateway._screening import Decision, Screening, tally_notes
from beian.gateway._store import Exchange
from beian.gateway._streaming import refusal_stream, relay_stream, stopped_outcome
from beian.gateway._upstream import (
    TRANSPORT_ERRORS,
    UpstreamFailure,
    error_body,
    error_response,
    map_status,
    map_transport,
    read_capped,
)

if TYPE_CHECKING:
    from beian.gateway._config import LimitsConfig
    from beian.gateway._gateway import Gateway

__all__ = ["chat_completions"]

log = logging.getLogger("beian.gateway")


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limits: LimitsConfig) -> bytes:
    """The body, within ``max_request_bytes`` (:class:`_TooLarge`); a declared length over the
    limit is refused before anything is read. ``body_timeout_s`` is the exchange's
    :class:`Inflight` deadline until the body is in (no timer of its own)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limits.max_request_bytes):
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_request_bytes:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(gw: Gateway, status: int, message: str, code: str, headers: dict[str, str],
             param: str | None = None) -> Response:  # fmt: skip
    """A request refused before it became an exchange (counted; nothing reached the model)."""
    gw.metrics.rejected.labels(code).inc()
    body = error_body(message, "invalid_request_error", code)
    body["error"]["param"] = param
    if status in (408, 413):  # the rest of the body is not read: the connection cannot go on
        headers = {**headers, "Connection": "close"}
    return error_response(status, body, headers)


def _overloaded(headers: dict[str, str]) -> Response:
    """503 with Retry-After: the screening threads' queue is full (``screening_queue_bytes``)."""
    message = "网关繁忙（待审核的大请求过多），请稍后重试"
    body = error_body(message, "server_error", "server_overloaded")
    retry = {"Retry-After": str(Overloaded.retry_after_s)}
    return error_response(503, body, {**headers, **retry})


def _accept(gw: Gateway, raw: bytes) -> Checked:
    """Parse and check the body (in the screening threads when it is large)."""
    try:
        body = parse_json(raw)
    except ValueError:
        raise RequestError("请求体应为 JSON（UTF-8），且嵌套不能过深") from None
    cfg = gw.config
    return check_request(
        body, cfg.limits, non_text=cfg.screening.non_text, extra_fields=cfg.screening.extra_fields
    )


@dataclass
class _Screened:
    """The input's screening: a block decision, or the upstream body and what PII was found."""

    decision: Decision | None
    payload: bytes = b""
    forwarded: list[Any] | None = None
    found: Counter[str] | None = None
    tokens: dict[str, str] | None = None
    notes: list[dict[str, Any]] | None = None


def _screen(
    screening: Screening, checked: Checked, user_hash: str | None, keywords: bool = True
) -> _Screened:
    """Screen every text (unless ``keywords`` is off: the policy let their hits through);
    protect personal information; the upstream body (run in the screening threads when the
    request is large)."""
    decision = None
    if keywords and screening.scanner is not None and screening.config.screen_input:
        started = time.perf_counter()
        decision = screening.check_input(checked.texts)
        screening.timed("keyword_input", started)
    if decision is not None:
        return _Screened(decision)
    found: Counter[str] = Counter()
    tokens: dict[str, str] = {}
    notes: list[dict[str, Any]] = []
    new: dict[tuple[str | int, ...], str] = {}
    started = time.perf_counter()
    for slot in checked.slots:
        if not slot.free:
            continue
        text, types, mapping, why = screening.protect(slot.text)
        if text != slot.text:
            new[slot.path] = text
            found.update(types)
            tokens.update(mapping)
            notes.extend(why)
    if screening.redactor is not None and screening.config.pii != "off":
        screening.timed("pii_input", started)
    up = with_texts(checked.body, new) if new else dict(checked.body)
    if user_hash is not None:  # the provider never sees the raw user id
        up["user"] = user_hash
    forwarded = up["messages"] if new else None
    return _Screened(None, _dumps(up), forwarded, found, tokens, notes)


def _refusal_body(gw: Gateway, rid: str, model: str, risks: tuple[str, ...],
                  ruling: Ruling | None = None) -> dict[str, Any]:  # fmt: skip
    text = stop_text(gw, ruling, "input") if ruling else gw.screening.config.input_refusal
    return {
        "id": f"chatcmpl-{rid}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "beian": beian_note(ruling, "input") if ruling else {"blocked": "input",
                                                              "risks": list(risks)},
    }  # fmt: skip


def _refuse_input(
    gw: Gateway, ex: Exchange, decision: Decision, headers: dict[str, str], h: Inflight,
    ruling: Ruling | None = None,
) -> Response:  # fmt: skip
    """Input interception: the refusal (or the ruling's approved answer), without calling
    upstream (or with its answer dropped); a ruling is already recorded."""
    if ruling is None:
        ex.decisions.append(decision.to_json())
        for risk in decision.risks:
            gw.metrics.blocks.labels("input", risk).inc()
    refusal = _refusal_body(gw, ex.id, ex.model, decision.risks, ruling)
    ex.outcome, ex.sent = "blocked_input", refusal["choices"][0]["message"]["content"]
    headers["X-Beian-Blocked"] = "input"
    if ruling is not None and ruling.substitute is not None:
        headers["X-Beian-Substitute"] = substitute_header(ruling.substitute.id)
    if ex.stream:
        return refusal_stream(gw, ex, refusal, headers, h)
    gw.finish(ex)
    return Response(_dumps(refusal), media_type="application/json", headers=headers)


def _note_input(gw: Gateway, ex: Exchange, checked: Checked, s: _Screened) -> None:
    """Record what input protection did (and what it could not look at)."""
    cfg = gw.screening.config
    if s.tokens and cfg.pii == "pseudonym" and cfg.restore_pseudonyms:
        ex.restore = s.tokens
    if s.found:
        ex.decisions.append(
            Decision(
                "pii",
                cfg.pii,
                tuple(sorted(s.found)),
                sum(s.found.values()),
                reasons=tally_notes(s.notes or ()),
            ).to_json()
        )
        for t, n in s.found.items():
            gw.metrics.pii.labels(t).inc(n)
    if checked.unscreened:
        kinds = tuple(sorted(checked.unscreened))
        n = sum(checked.unscreened.values())
        ex.decisions.append(Decision("input", "unscreened", kinds, n).to_json())
    ex.forwarded = s.forwarded


async def _forward(
    gw: Gateway, request: Request, ex: Exchange, payload: bytes, headers: dict[str, str],
    h: Inflight, pending: asyncio.Task[aiohttp.ClientResponse] | None = None,
) -> Response:  # fmt: skip
    """Ask upstream (or take its ``pending`` answer); relay a stream, or screen and label a
    whole answer."""
    limits = gw.config.limits
    try:
        if pending is not None:
            resp = await pending
        else:
            resp = await gw.upstream.post(
                "/chat/completions", payload, gw.upstream_headers(request)
            )
        if ex.stream and resp.status == 200:
            if "text/event-stream" in resp.headers.get("content-type", ""):
                return relay_stream(gw, ex, resp, headers, h)
            resp.close()
            raise UpstreamFailure("malformed", 502, "上游模型没有返回事件流")
        try:
            content = await read_capped(resp, limits.max_upstream_bytes)
        except BaseException:
            resp.close()  # not read to the end: the connection cannot be reused
            raise
        resp.release()
        if resp.status != 200:
            return gw.fail(ex, map_status(resp.status, content, resp.headers), headers)
    except UpstreamFailure as failure:
        return gw.fail(ex, failure, headers)
    except TRANSPORT_ERRORS as exc:
        return gw.fail(ex, map_transport(exc), headers)
    try:
        answer = await gw.offload(len(content), _rebuild, gw, ex, content)
    except (ValueError, Malformed) as exc:
        malformed = UpstreamFailure("malformed", 502, f"上游模型返回了无法处理的响应：{exc}")
        return gw.fail(ex, malformed, headers)
    await moderate_answer(gw, ex, answer)
    if answer.blocked:
        ex.outcome = "blocked_output"
        headers["X-Beian-Blocked"] = "output"
        if answer.substitute is not None:
            headers["X-Beian-Substitute"] = substitute_header(answer.substitute)
    ex.response, ex.sent = answer.produced, answer.sent
    label = gw.labeller.bound(ex.id, ex.sent)  # bound to the answer exactly as sent
    if label is not None:
        headers[gw.labeller.config.header] = label[0]
        answer.data[gw.labeller.config.field] = label[1]
    gw.finish(ex)
    return Response(_dumps(answer.data), media_type="application/json", headers=headers)


def substitute_header(sid: str) -> str:
    """The ``X-Beian-Substitute`` value: the approved answer's id, percent-encoded as UTF-8
    (a header value is Latin-1; ``代答-爆炸物`` must not fail the answer). ASCII letters,
    digits and ``-_.~`` stay as they are; the body's ``beian.substitute`` has the id itself."""
    return quote(sid, safe="")


def _rebuild(gw: Gateway, ex: Exchange, content: bytes) -> Any:
    return rebuild_answer(gw, ex, parse_json(content))


def _stopped(gw: Gateway, ex: Exchange, h: Inflight, headers: dict[str, str]) -> Response:
    """The exchange was ended from outside (see :class:`Inflight`): recorded; the client, if
    still there, gets an error. A cancellation that is not the gateway's own goes on."""
    outcome, error, message = stopped_outcome(h.reason)
    if not ex.stream and h.reason == "client_gone":  # it stopped waiting: a client timeout
        outcome, error = "timeout", "客户端在收到回答前断开连接（客户端超时）"
    ex.outcome, ex.error, ex.http_status = outcome, error, 503 if outcome == "shutdown" else 504
    gw.finish(ex)
    task = asyncio.current_task()
    if h.reason is None or task is None:
        raise asyncio.CancelledError
    task.uncancel()
    return error_response(
        ex.http_status, error_body(message or error, "server_error", outcome), headers
    )


async def _exchange(
    gw: Gateway, request: Request, ex: Exchange, checked: Checked, headers: dict[str, str],
    h: Inflight,
) -> Response:  # fmt: skip
    user_hash = gw.store.user_hash(ex.user)[:32] if ex.user else None
    size = sum(len(t) for t in checked.texts)
    screened = await gw.offload(size, _screen, gw.screening, checked, user_hash)
    if screened.decision is not None:
        d = screened.decision
        rulings = keyword_rulings(gw, d.risks, "input", last_question(checked.body))
        ruling = rulings[0]  # the strongest
        if ruling.action == "block" and not ruling.dry_run:
            return _refuse_input(gw, ex, d, headers, h)  # recorded as ever
        for r in rulings:
            record_ruling(ex, r, gw.metrics)
        if ruling.stops:
            return _refuse_input(gw, ex, d, headers, h, ruling)
        screened = await gw.offload(size, _screen, gw.screening, checked, user_hash, False)
    _note_input(gw, ex, checked, screened)
    if not gw.moderation.input_models:
        return await _forward(gw, request, ex, screened.payload, headers, h)
    post = gw.upstream.post("/chat/completions", screened.payload, gw.upstream_headers(request))
    stop, pending = await moderate_input(gw, ex, checked, post)
    if stop is not None:  # with parallel_input the upstream was asked: its answer is dropped
        return _refuse_input(gw, ex, stop.decision(), headers, h, stop)
    return await _forward(gw, request, ex, screened.payload, headers, h, pending)


def _cancelled_early(gw: Gateway, h: Inflight, headers: dict[str, str]) -> Response:
    """Shut down, out of time or left before the exchange began (nothing recorded): the
    refusal; a cancellation that is not the gateway's own goes on."""
    task = asyncio.current_task()
    if h.reason is None or task is None:
        raise asyncio.CancelledError
    task.uncancel()
    if h.reason == BODY_TIMEOUT:
        msg = f"请求体没有在 {gw.config.limits.body_timeout_s:g} 秒内传完"
        return _refused(gw, 408, msg, "request_timeout", headers)
    return _refused(gw, 503, stopped_outcome(h.reason)[2], "server_shutdown", headers)


async def chat_completions(gw: Gateway, request: Request, h: Inflight) -> Response:
    """Limits, input screening, PII protection, forwarding, output screening and labels."""
    started = time.time()
    rid = uuid.uuid4().hex
    headers = {"X-Beian-Record-Id": rid}
    limits = gw.config.limits
    try:
        raw = await _read_body(request, limits)
        h.body_read()
        checked = await gw.offload(len(raw), _accept, gw, raw)
    except asyncio.CancelledError:
        return _cancelled_early(gw, h, headers)
    except _TooLarge:
        msg = f"请求体超过 {limits.max_request_bytes} 字节的上限"
        return _refused(gw, 413, msg, "request_too_large", headers)
    except Overloaded:
        gw.metrics.rejected.labels("server_overloaded").inc()
        return _overloaded(headers)
    except ClientDisconnect:
        return _refused(gw, 400, "客户端在请求体传完前断开", "client_disconnected", headers)
    except RequestError as exc:
        return _refused(gw, 400, exc.message, exc.code, headers, exc.param)
    h.watch(request.receive, request.scope)
    body = checked.body
    try:  # the user id checked, and bound to the provider's token (identity.mode)
        user = gw.identity.resolve(request, body.get("user"), "user")
    except IdentityError as exc:
        return exc.response(headers)
    try:  # asked off the event loop, with the other requests waiting for theirs
        opted_out = await gw.opt_outs.opted_out(user)
    except asyncio.CancelledError:
        return _cancelled_early(gw, h, headers)
    ex = Exchange(
        id=rid, started=started, user=user, model=str(body.get("model") or ""),
        stream=bool(body.get("stream")), request=body, training_opt_out=opted_out,
    )  # fmt: skip
    gw.begin(ex)
    try:
        response = await _exchange(gw, request, ex, checked, headers, h)
    except asyncio.CancelledError:
        return _stopped(gw, ex, h, headers)
    except Overloaded:  # a large answer (or a moderation check) found the queue full
        ex.outcome, ex.http_status = "overloaded", 503
        ex.error = "审核线程的队列已满（limits.screening_queue_bytes）"
        gw.finish(ex)
        return _overloaded(headers)
    except Exception as exc:
        log.exception("处理对话请求时出错（记录 %s）", rid)
        ex.outcome, ex.http_status, ex.error = "crash", 500, f"{type(exc).__name__}: {exc}"
        gw.finish(ex)
        body = error_body("网关内部错误，请稍后重试", "server_error", "internal_error")
        return error_response(500, body, headers)
    return response
