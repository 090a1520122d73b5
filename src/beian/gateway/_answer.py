"""The upstream's whole (non-streamed) answer: checked, screened, labelled, rebuilt.

Everything the client receives is screened: every choice's ``content`` (a string or text parts),
``reasoning_content`` / ``reasoning``, ``refusal`` and tool calls (names, arguments, and the
strings inside arguments that are JSON, so ``\\u8fdd``-style escapes hide nothing). A hit blocks
the whole choice. The answer the client gets is rebuilt from the fields the gateway knows; any
other field is dropped, not passed through, and a known field of the wrong type is a malformed
answer (502). The explicit label goes on every visible text field; the implicit label is bound
to :func:`sent_text` of the answer as sent. Keyword hits in a choice go to the moderation policy
(:func:`~._moderated.answer_keywords`): blocked (the refusal, ``content_filter``), answered
with the approved substitute (``stop``), or let through (flag, allow, a dry run), recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from beian.gateway._moderated import answer_keywords, beian_note, stop_text
from beian.gateway._request import json_strings
from beian.gateway._restore import restore
from beian.gateway._screening import Decision

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway
    from beian.gateway._moderation import Ruling
    from beian.gateway._store import Exchange

__all__ = [
    "TEXT_FIELDS",
    "Malformed",
    "Rebuilt",
    "clean_top",
    "clean_usage",
    "rebuild_answer",
    "sent_text",
    "text_value",
    "tool_call_texts",
]

# the visible text fields of a message or a streamed delta, in the order they are recorded
TEXT_FIELDS = ("reasoning_content", "reasoning", "content", "refusal")
_TOP_FIELDS = ("id", "object", "created", "model", "system_fingerprint", "service_tier")


class Malformed(Exception):
    """The upstream's answer is not in the shape the gateway knows."""


def text_value(v: Any, where: str) -> str | None:
    """A text field: a string, null, or text parts (joined)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, list):
        out: list[str] = []
        for p in v:
            piece = p.get("text", p.get("refusal")) if isinstance(p, dict) else None
            if not isinstance(piece, str):
                raise Malformed(f"{where} 的内容片段无法识别")
            out.append(piece)
        return "".join(out)
    raise Malformed(f"{where} 应为字符串")


def tool_call_texts(name: str, arguments: str) -> list[str]:
    """What a tool call says: its name, its arguments, and the strings decoded from them."""
    return [name, arguments, *json_strings(arguments)]


def clean_top(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in _TOP_FIELDS if isinstance(data.get(k), str | int)}


def clean_usage(usage: Any) -> dict[str, Any] | None:
    """Token counts only (numbers, and objects of numbers)."""
    if not isinstance(usage, dict):
        return None
    out: dict[str, Any] = {}
    for k, v in usage.items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[k] = v
        elif isinstance(v, dict):
            out[k] = {a: b for a, b in v.items()
                      if isinstance(b, int | float) and not isinstance(b, bool)}  # fmt: skip
    return out


def sent_text(fields: dict[str, str], tools: list[tuple[str, str]]) -> str:
    """One choice's text as the record and the implicit label see it: the visible fields in
    :data:`TEXT_FIELDS` order, then each tool call's name and arguments, one per line (only
    ``content``, the usual case, is the content itself)."""
    if len(fields) == 1 and not tools:  # the usual case: only ``content``
        return next(iter(fields.values()))
    parts = [fields[f] for f in TEXT_FIELDS if fields.get(f)]
    parts += [f"{n}\n{a}" for n, a in tools]
    return "\n".join(parts)


def _tool_calls(v: Any, where: str) -> list[dict[str, Any]]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise Malformed(f"{where}.tool_calls 应为数组")
    out = []
    for i, tc in enumerate(v):
        fn = tc.get("function") if isinstance(tc, dict) else None
        if not isinstance(fn, dict) or not all(
            isinstance(fn.get(k), str) for k in ("name", "arguments")
        ):
            raise Malformed(f"{where}.tool_calls[{i}] 无法识别")
        tc_id = tc.get("id")
        out.append({"id": tc_id if isinstance(tc_id, str) else "", "type": "function",
                    "function": {"name": fn["name"], "arguments": fn["arguments"]}})  # fmt: skip
    return out


@dataclass
class _Choice:
    index: int
    finish_reason: str | None
    fields: dict[str, str]  # visible text fields as produced
    tools: list[dict[str, Any]]
    produced: str = ""
    sent: str = ""
    message: dict[str, Any] = field(default_factory=dict)


def _read_choice(c: Any, i: int) -> _Choice:
    where = f"choices[{i}]"
    msg = c.get("message") if isinstance(c, dict) else None
    if not isinstance(msg, dict):
        raise Malformed(f"{where}.message 应为对象")
    finish = c.get("finish_reason")
    if finish is not None and not isinstance(finish, str):
        raise Malformed(f"{where}.finish_reason 应为字符串")
    index = c.get("index", i)
    fields = {}
    for f in TEXT_FIELDS:
        v = msg.get(f)
        if v is None:
            continue
        # a string (the usual case) as it is; the place named only for another shape
        text = v if isinstance(v, str) else text_value(v, f"{where}.message.{f}")
        if text is not None:
            fields[f] = text
    tools = _tool_calls(msg.get("tool_calls"), f"{where}.message")
    fc = msg.get("function_call")
    if isinstance(fc, dict):
        tools += _tool_calls([{"function": fc}], f"{where}.message.function_call")
    return _Choice(index if isinstance(index, int) else i, finish, fields, tools)


@dataclass
class Rebuilt:
    """The answer for the client, and what the record keeps of it."""

    data: dict[str, Any]
    produced: str
    sent: str
    blocked: bool
    substitute: str | None = None  # the approved answer's id, when one replaced the answer
    passed: list[str] = field(default_factory=list)  # what the choices not stopped produced


def _screen_choice(gw: Gateway, ex: Exchange, ch: _Choice) -> Ruling | None:
    """Screen every text of one choice; the policy's ruling (recorded) on its keyword hits."""
    texts = [*ch.fields.values()]
    for tc in ch.tools:
        texts += tool_call_texts(tc["function"]["name"], tc["function"]["arguments"])
    risks: dict[str, None] = {}
    screening = gw.screening
    started = time.perf_counter()
    for t in texts:
        risks.update(dict.fromkeys(screening.risks(t)))
    if screening.scanner is not None:
        screening.timed("keyword_output", started)
    return answer_keywords(gw, ex, tuple(risks)) if risks else None


def _deliver(gw: Gateway, ex: Exchange, ch: _Choice) -> Ruling | None:
    """The choice as the client gets it: stopped (the ruling: the refusal or the approved
    answer), or restored and labelled (None)."""
    tools_sent = [(t["function"]["name"], t["function"]["arguments"]) for t in ch.tools]
    ch.produced = sent_text(ch.fields, tools_sent)
    ruling = _screen_choice(gw, ex, ch) if gw.screening.config.screen_output else None
    if ruling is not None and ruling.stops:
        text = stop_text(gw, ruling, "output")
        ch.message = {"role": "assistant", "content": text}
        ch.sent = text
        ch.finish_reason = "stop" if ruling.substitute is not None else "content_filter"
        return ruling
    out: dict[str, Any] = {"role": "assistant"}
    sent: dict[str, str] = {}
    for f, text in ch.fields.items():
        sent[f] = gw.labeller.apply(restore(text, ex.restore)) if text else text
        out[f] = sent[f]
    out.setdefault("content", None)
    if ch.tools:
        for t in ch.tools:
            t["function"]["arguments"] = restore(t["function"]["arguments"], ex.restore)
        out["tool_calls"] = ch.tools
        tools_sent = [(t["function"]["name"], t["function"]["arguments"]) for t in ch.tools]
    ch.message, ch.sent = out, sent_text(sent, tools_sent)
    return None


def rebuild_answer(gw: Gateway, ex: Exchange, data: Any) -> Rebuilt:
    """Check, screen and label a whole answer; :class:`Malformed` when it cannot be."""
    limits = gw.config.limits
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise Malformed("缺少 choices 数组")
    if len(data["choices"]) > limits.max_choices:
        raise Malformed(f"choices 超过 {limits.max_choices} 个")
    choices = [_read_choice(c, i) for i, c in enumerate(data["choices"])]
    size = sum(len(t) for ch in choices for t in ch.fields.values())
    size += sum(len(t["function"]["arguments"]) for ch in choices for t in ch.tools)
    if size > limits.max_answer_chars:
        raise Malformed(f"回答有 {size} 个字符，超过上限 {limits.max_answer_chars}")
    stops: list[Ruling] = []
    passed: list[str] = []
    for ch in choices:
        if ch.finish_reason == "content_filter":  # the provider's own filter
            ex.decisions.append(Decision("upstream", "filter").to_json())
        stop = _deliver(gw, ex, ch)
        if stop is not None:
            stops.append(stop)
        else:
            passed.append(ch.produced)
    out = clean_top(data)
    out["choices"] = [
        {"index": ch.index, "message": ch.message, "finish_reason": ch.finish_reason,
         "logprobs": None}
        for ch in choices
    ]  # fmt: skip
    usage = clean_usage(data.get("usage"))
    if usage is not None:
        out["usage"] = usage
    substitute = next((r.substitute.id for r in stops if r.substitute is not None), None)
    if stops:
        out["beian"] = beian_note(stops[0], "output")
    return Rebuilt(
        out,
        "\n".join(ch.produced for ch in choices),
        "\n".join(ch.sent for ch in choices),
        bool(stops),
        substitute,
        passed,
    )
