"""``POST /v1/chat/completions``: input screening, PII protection, forwarding, output screening."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

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


async def chat_completions(gw: Gateway, request: Request) -> Response:
    started = time.time()
    rid = uuid.uuid4().hex
    headers = {"X-Beian-Record-Id": rid}
    try:
        body = json.loads(await request.body())
        messages = body["messages"]
        if not isinstance(body, dict) or not isinstance(messages, list) or not messages:
            raise ValueError
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
    user = body.get("user") or request.headers.get(gw.config.user_header)
    user = str(user) if user else None
    stream = bool(body.get("stream"))
    model = str(body.get("model") or "")
    ex = Exchange(
        id=rid, started=started, user=user, model=model, stream=stream, request=body,
        training_opt_out=gw.store.is_opted_out(user),
    )  # fmt: skip

    # 1. input interception: refuse without calling upstream
    decision = gw.screening.check_input(message_texts(messages))
    if decision is not None:
        ex.decisions.append(decision.to_json())
        ex.outcome, ex.sent = "blocked_input", gw.screening.config.input_refusal
        for risk in decision.risks:
            gw.metrics.blocks.labels("input", risk).inc()
        headers["X-Beian-Blocked"] = "input"
        refusal = _refusal_body(gw, rid, model, decision.risks)
        if stream:
            return refusal_stream(gw, ex, refusal, headers)
        gw.finish(ex)
        return Response(_dumps(refusal), media_type="application/json", headers=headers)

    # 2. personal information protection before the request leaves
    forwarded, found, tokens = _redact_messages(gw, messages)
    cfg = gw.screening.config
    if tokens and cfg.pii == "pseudonym" and cfg.restore_pseudonyms:
        ex.restore = tokens
    if found:
        action = gw.screening.config.pii
        ex.decisions.append(
            Decision("pii", action, tuple(sorted(found)), sum(found.values())).to_json()
        )
        for t, n in found.items():
            gw.metrics.pii.labels(t).inc(n)
    ex.forwarded = forwarded
    up_body = dict(body)
    if forwarded is not None:
        up_body["messages"] = forwarded
    if user:
        up_body["user"] = gw.store.user_hash(user)[:32]  # the provider never sees the raw user id
    up_headers = gw.upstream_headers(request)

    try:
        resp = await gw.upstream.post("/chat/completions", _dumps(up_body), up_headers)
        if resp.status != 200:
            content = await resp.read()
            resp.release()
            return gw.fail(ex, map_status(resp.status, content, resp.headers), headers)
        if stream:
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
        choices = data["choices"]
        if not isinstance(choices, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        malformed = UpstreamFailure("malformed", 502, "上游模型返回了无法解析的响应")
        return gw.fail(ex, malformed, headers)
    _screen_whole(gw, ex, data, headers)
    gw.finish(ex)
    return Response(_dumps(data), media_type="application/json", headers=headers)


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
