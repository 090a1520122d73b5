"""``POST /v1/chat/completions``: input screening, PII protection, forwarding, output screening."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from beian.gateway._identity import IdentityError
from beian.gateway._restore import restore
from beian.gateway._screening import Decision
from beian.gateway._store import Exchange
from beian.gateway._streaming import refusal_stream, relay_stream
from beian.gateway._upstream import (
    TRANSPORT_ERRORS,
    UpstreamFailure,
    error_body,
    error_response,
    map_status,
    map_transport,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["chat_completions", "message_texts"]


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def message_texts(messages: list[Any]) -> list[str]:
    """The text of every message (string content or text parts)."""
    out: list[str] = []
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return out


def _redact_messages(
    gw: Gateway, messages: list[Any]
) -> tuple[list[Any] | None, Counter[str], dict[str, str]]:
    """Messages with personal information protected (``None`` when nothing changed), the types
    found and the pseudonym token → value mapping."""
    found: Counter[str] = Counter()
    tokens: dict[str, str] = {}
    changed = False

    def protect(text: str) -> str:
        nonlocal changed
        new, types, mapping = gw.screening.protect(text)
        found.update(types)
        tokens.update(mapping)
        changed |= new != text
        return new

    out: list[Any] = []
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ("user", "system"):
            out.append(m)
            continue
        content = m.get("content")
        if isinstance(content, str):
            new = protect(content)
            out.append({**m, "content": new} if new != content else m)
        elif isinstance(content, list):
            parts = [
                {**p, "text": protect(p["text"])}
                if isinstance(p, dict) and isinstance(p.get("text"), str)
                else p
                for p in content
            ]
            out.append({**m, "content": parts})
        else:
            out.append(m)
    return (out if changed else None), found, tokens


def _refusal_body(gw: Gateway, rid: str, model: str, risks: tuple[str, ...]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{rid}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": gw.screening.config.input_refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "beian": {"blocked": "input", "risks": list(risks)},
    }


def _parse(raw: bytes) -> tuple[dict[str, Any], list[Any]]:
    """The request body and its messages; ValueError/KeyError/TypeError when malformed."""
    body = json.loads(raw)
    messages = body["messages"]
    if not isinstance(body, dict) or not isinstance(messages, list) or not messages:
        raise ValueError
    return body, messages


def _refuse_input(
    gw: Gateway, ex: Exchange, decision: Decision, headers: dict[str, str]
) -> Response:
    """Input interception: the refusal, without calling upstream."""
    ex.decisions.append(decision.to_json())
    ex.outcome, ex.sent = "blocked_input", gw.screening.config.input_refusal
    for risk in decision.risks:
        gw.metrics.blocks.labels("input", risk).inc()
    headers["X-Beian-Blocked"] = "input"
    refusal = _refusal_body(gw, ex.id, ex.model, decision.risks)
    if ex.stream:
        return refusal_stream(gw, ex, refusal, headers)
    gw.finish(ex)
    return Response(_dumps(refusal), media_type="application/json", headers=headers)


def _protect(gw: Gateway, ex: Exchange, body: dict[str, Any], messages: list[Any]) -> bytes:
    """Personal information protected before the request leaves; the upstream request body."""
    forwarded, found, tokens = _redact_messages(gw, messages)
    cfg = gw.screening.config
    if tokens and cfg.pii == "pseudonym" and cfg.restore_pseudonyms:
        ex.restore = tokens
    if found:
        ex.decisions.append(
            Decision("pii", cfg.pii, tuple(sorted(found)), sum(found.values())).to_json()
        )
        for t, n in found.items():
            gw.metrics.pii.labels(t).inc(n)
    ex.forwarded = forwarded
    up_body = dict(body)
    if forwarded is not None:
        up_body["messages"] = forwarded
    if ex.user:  # the provider never sees the raw user id
        up_body["user"] = gw.store.user_hash(ex.user)[:32]
    return _dumps(up_body)


async def _forward(
    gw: Gateway, request: Request, ex: Exchange, payload: bytes, headers: dict[str, str]
) -> Response:
    """Ask upstream; relay a stream, or screen and label a whole answer."""
    try:
        resp = await gw.upstream.post("/chat/completions", payload, gw.upstream_headers(request))
        if resp.status != 200:
            content = await resp.read()
            resp.release()
            return gw.fail(ex, map_status(resp.status, content, resp.headers), headers)
        if ex.stream:
            if "text/event-stream" in resp.headers.get("content-type", ""):
                return relay_stream(gw, ex, resp, headers)
            resp.close()
            raise UpstreamFailure("malformed", 502, "上游模型没有返回事件流")
        content = await resp.read()
        resp.release()
    except UpstreamFailure as failure:
        return gw.fail(ex, failure, headers)
    except TRANSPORT_ERRORS as exc:
        return gw.fail(ex, map_transport(exc), headers)
    try:
        data = json.loads(content)
        if not isinstance(data["choices"], list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        malformed = UpstreamFailure("malformed", 502, "上游模型返回了无法解析的响应")
        return gw.fail(ex, malformed, headers)
    _screen_whole(gw, ex, data, headers)
    gw.finish(ex)
    return Response(_dumps(data), media_type="application/json", headers=headers)


async def chat_completions(gw: Gateway, request: Request) -> Response:
    """Input screening, PII protection, forwarding, output screening and labels."""
    started = time.time()
    rid = uuid.uuid4().hex
    headers = {"X-Beian-Record-Id": rid}
    try:
        body, messages = _parse(await request.body())
    except (ValueError, KeyError, TypeError):
        return error_response(
            400,
            error_body(
                "请求体应为 JSON，且 messages 为非空数组",
                "invalid_request_error",
                "invalid_request",
            ),
            headers,
        )
    try:  # the user id checked, and bound to the provider's token (identity.mode)
        user = gw.identity.resolve(request, body.get("user"), "user")
    except IdentityError as exc:
        return exc.response(headers)
    ex = Exchange(
        id=rid, started=started, user=user, model=str(body.get("model") or ""),
        stream=bool(body.get("stream")), request=body,
        training_opt_out=gw.store.is_opted_out(user),
    )  # fmt: skip
    decision = gw.screening.check_input(message_texts(messages))
    if decision is not None:
        return _refuse_input(gw, ex, decision, headers)
    return await _forward(gw, request, ex, _protect(gw, ex, body, messages), headers)


def _screen_whole(gw: Gateway, ex: Exchange, data: dict[str, Any], headers: dict[str, str]) -> None:
    """Screen and label a non-streaming response in place."""
    cfg = gw.screening.config
    produced, sent = [], []
    for choice in data["choices"]:
        msg = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(msg, dict) or not isinstance(msg.get("content"), str):
            continue
        text = msg["content"]
        produced.append(text)
        if choice.get("finish_reason") == "content_filter":  # the provider's own filter
            ex.decisions.append(Decision("upstream", "filter").to_json())
        risks = gw.screening.risks(text) if cfg.screen_output else ()
        if risks:
            ex.decisions.append(Decision("output", "block", risks, len(risks)).to_json())
            for risk in risks:
                gw.metrics.blocks.labels("output", risk).inc()
            msg["content"] = cfg.output_block_message
            choice["finish_reason"] = "content_filter"
            ex.outcome = "blocked_output"
            headers["X-Beian-Blocked"] = "output"
        elif text:
            msg["content"] = gw.labeller.apply(restore(text, ex.restore))
        sent.append(msg["content"])
    ex.response, ex.sent = "\n".join(produced), "\n".join(sent)
    label = gw.labeller.header(ex.id, ex.sent)  # bound to the answer exactly as sent
    if label is not None:
        headers[label[0]] = label[1]
        data[gw.labeller.config.field] = json.loads(label[1])
