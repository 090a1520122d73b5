"""Rewriting a streamed answer chunk by chunk: every visible field screened, tool calls held.

Each choice of a stream has one hold-back screener (:class:`StreamScreener`) per visible text
field (``content``, ``reasoning_content``, ``reasoning``, ``refusal``), each labelled on its own.
Tool calls (and the legacy ``function_call``) are held whole until their choice finishes (a
client cannot run a half-received call anyway), then screened with the strings decoded from
their JSON arguments and sent in one piece. A chunk of the wrong shape (``choices`` a number,
``delta`` a string, a list for an event) is :class:`Malformed`; fields the gateway does not know
are dropped. The implicit label of a choice is bound to :func:`~._answer.sent_text` of what
was sent of it; a stream that ends without ``finish_reason`` still gets its held tail screened
and its labels, and one that ends early (an error, a limit, a shutdown) gets the labels of what
it sent before the error event. A keyword hit goes to the moderation policy
(:func:`~._moderated.answer_keywords`): a ruling that stops the stream ends it with
``content_filter``; one that lets the hit through (flag, allow, a dry run) lets the screener
resume (:meth:`~._holdback.StreamScreener.allow`), recorded either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from beian.gateway._answer import (
    TEXT_FIELDS,
    Malformed,
    clean_top,
    clean_usage,
    sent_text,
    tool_call_texts,
)
from beian.gateway._gate import SentenceGate, last_question
from beian.gateway._holdback import HOLD_RISK, StreamScreener
from beian.gateway._moderated import answer_keywords
from beian.gateway._restore import Restorer, restore
from beian.gateway._screening import Decision
from beian.gateway._upstream import UpstreamFailure

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway
    from beian.gateway._store import Exchange

__all__ = ["Blocked", "ChunkWriter", "event_bytes"]

_LEGACY = -1  # the key of a legacy function_call among a choice's tool calls
_TEXT = frozenset(TEXT_FIELDS)


def event_bytes(obj: Any) -> bytes:
    """One server-sent event carrying ``obj`` as compact JSON."""
    return b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


class Blocked(Exception):
    """A keyword hit in choice ``index``: the stream ends with ``content_filter``."""

    def __init__(self, index: int, risks: tuple[str, ...], recorded: bool = False) -> None:
        super().__init__(index, risks)
        self.index = index
        self.risks = risks
        self.recorded = recorded  # a model stage's ruling, already in the record


@dataclass
class _Field:
    screener: StreamScreener
    restorer: Restorer | None
    sent: list[str] = field(default_factory=list)
    labelled: bool = False
    gate: SentenceGate | None = None  # the model stages (moderation), when on for output


@dataclass
class _Tool:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _Choice:
    index: int
    fields: dict[str, _Field] = field(default_factory=dict)
    tools: dict[int, _Tool] = field(default_factory=dict)
    tools_sent: list[tuple[str, str]] = field(default_factory=list)
    finished: bool = False

    def sent(self) -> str:
        return sent_text({k: "".join(f.sent) for k, f in self.fields.items()}, self.tools_sent)

    def produced(self) -> str:
        tools = [(t.name, "".join(t.arguments)) for _, t in sorted(self.tools.items())]
        return sent_text({k: f.screener.full_text for k, f in self.fields.items()}, tools)


def _str(v: Any, where: str) -> str | None:
    if v is None or isinstance(v, str):
        return v
    raise Malformed(f"{where} 应为字符串")


def _index(v: Any, limit: int, where: str) -> int:
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < limit:
        raise Malformed(f"{where} 应为 0 到 {limit - 1} 之间的整数")
    return v


class ChunkWriter:
    """The state of one relayed stream's choices; rewrites each upstream chunk."""

    def __init__(self, gw: Gateway, ex: Exchange) -> None:
        self.gw = gw
        self.ex = ex
        self.limits = gw.config.limits
        self.choices: dict[int, _Choice] = {}
        self.base: dict[str, Any] = {}
        self.chars = 0
        # fields whose text in the chunk being built waits for the output guard, and how much
        # of their sent text was there before it
        self.awaiting: list[tuple[int, _Field, int]] = []
        self._question: str | None = None
        # choice index → the bytes of a one-piece content event around the piece's JSON string
        self._templates: dict[int, tuple[bytes, bytes]] = {}

    # -- one upstream chunk, as the client's event -----------------------------------------
    def event(self, data: Any) -> bytes:
        """``event_bytes(self.chunk(data))``, the same bytes. The usual chunk (one choice, a
        ``content`` piece and nothing else) is written from a per-stream template around the
        released text's JSON string, instead of building and encoding the whole chunk."""
        got = self.usual(data)
        if got is not None:
            return self.content_event(*got)
        return event_bytes(self.chunk(data))

    def usual(self, data: Any) -> tuple[int, str] | None:
        """(choice index, content piece) when ``data`` is the usual chunk: after the first,
        one choice, not finished, whose delta is one ``content`` string; else None."""
        if type(data) is dict and self.base and "usage" not in data:
            choices = data.get("choices")
            if type(choices) is list and len(choices) == 1:
                c = choices[0]
                if type(c) is dict and c.get("finish_reason") is None:
                    delta = c.get("delta")
                    index = c.get("index", 0)
                    if (
                        type(delta) is dict
                        and len(delta) == 1
                        and type(delta.get("content")) is str
                        and type(index) is int
                        and 0 <= index < self.limits.max_choices
                    ):
                        return index, delta["content"]
        return None

    def content_event(self, index: int, piece: str) -> bytes:
        """The client's event for the usual chunk of choice ``index`` carrying ``piece``."""
        st = self.choices.get(index)
        if st is None:
            st = self.choices[index] = _Choice(index)
        self.chars += len(piece)
        if self.chars > self.limits.max_answer_chars:
            self._count(0)
        released = self._feed(st, "content", piece)
        t = self._templates.get(index)
        if t is None:
            marked = {**self.base, "choices": [{"index": index, "delta": {"content": "\x00"},
                                                "finish_reason": None, "logprobs": None}]}  # fmt: skip
            head, _, tail = event_bytes(marked).rpartition(b'"\\u0000"')
            t = self._templates[index] = (head, tail)
        return t[0] + encode_basestring(released).encode() + t[1]

    # -- one upstream chunk ----------------------------------------------------------------
    def chunk(self, data: Any) -> dict[str, Any]:
        """The chunk for the client; :class:`Malformed` or :class:`Blocked` when it cannot be."""
        if not isinstance(data, dict):
            raise Malformed("流数据块应为 JSON 对象")
        if not self.base:  # id, model, ... of the first chunk serve every chunk of the stream
            self.base = clean_top(data)
        choices = data.get("choices")
        if choices is None:
            choices = []
        elif not isinstance(choices, list):
            raise Malformed("choices 应为数组")
        out: dict[str, Any] = {**self.base, "choices": []}
        for c in choices:
            out["choices"].append(self._choice(c, out))
        if "usage" in data:
            usage = clean_usage(data["usage"])
            if usage is not None:
                out["usage"] = usage
        return out

    def _choice(self, c: Any, out: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(c, dict):
            raise Malformed("choices 的元素应为对象")
        index = c.get("index", 0)
        if type(index) is not int or not 0 <= index < self.limits.max_choices:
            index = _index(index, self.limits.max_choices, "choices[].index")
        delta = c.get("delta")
        if delta is None:
            delta = {}
        elif not isinstance(delta, dict):
            raise Malformed("choices[].delta 应为对象")
        finish = _str(c.get("finish_reason"), "choices[].finish_reason")
        st = self.choices.get(index)
        if st is None:
            st = self.choices[index] = _Choice(index)
        new: dict[str, Any] = {}
        for key, v in delta.items():  # usually one: content; fields not known are dropped
            if key in _TEXT:
                if type(v) is str:  # the hot path: one text piece of one field
                    self.chars += len(v)
                    if self.chars > self.limits.max_answer_chars:
                        self._count(0)
                    new[key] = self._feed(st, key, v)
                elif v is not None:
                    _str(v, f"delta.{key}")
            elif key == "role":
                if _str(v, "delta.role") is not None:
                    new["role"] = v
            elif key in ("tool_calls", "function_call") and v is not None:
                self._tools(st, key, v)
        if finish is not None:
            if finish == "content_filter":  # the provider's own filter
                self.ex.decisions.append(Decision("upstream", "filter").to_json())
            self._finish(st, new, out)
        return {"index": index, "delta": new, "finish_reason": finish, "logprobs": None}

    def _count(self, n: int) -> None:
        self.chars += n
        if self.chars > self.limits.max_answer_chars:
            limit = self.limits.max_answer_chars
            raise UpstreamFailure("too_large", 502, f"回答超过 {limit} 个字符的上限，已中止")

    def _field(self, st: _Choice, name: str) -> _Field:
        f = st.fields.get(name)
        if f is None:
            restorer = Restorer(self.ex.restore) if self.ex.restore else None
            f = st.fields[name] = _Field(StreamScreener(self.gw.screening), restorer)
            m = self.gw.moderation
            if m.output_models and self.gw.screening.config.screen_output:
                if self._question is None:
                    self._question = last_question(self.ex.request)
                f.gate = SentenceGate(m, self.ex, self._question, self.gw.metrics)
        return f

    def _gated(self, st: _Choice, f: _Field, text: str, final: bool = False) -> str:
        """``text`` through the field's model stages: what may leave now (Blocked if stopped)."""
        assert f.gate is not None
        out = f.gate.feed(text, final)
        if not isinstance(out, str):
            raise Blocked(st.index, out.finding.risks, recorded=True)
        if out and f.gate.guard is not None:
            self.awaiting.append((st.index, f, len(f.sent)))
        return out

    async def review(self) -> None:
        """Before the chunk being built leaves: the output guard on the sentences it completes
        (Blocked, and their text taken back out of what was sent, when the guard stops it)."""
        waiting, self.awaiting = self.awaiting, []
        for index, f, _ in waiting:
            assert f.gate is not None
            ruling = await f.gate.review()
            if ruling is not None:
                for _, g, at in waiting:
                    del g.sent[at:]
                raise Blocked(index, ruling.finding.risks, recorded=True)

    def _keywords(self, st: _Choice, f: _Field, final: bool = False) -> str:
        """The field's screener stopped at a keyword hit: the policy's ruling on it (recorded).
        Blocked when it stops the stream; else what may be released now (all of it when
        ``final``), with hits of the same risk codes let through from now on."""
        out = ""
        while True:
            risks = f.screener.blocked
            if risks == (HOLD_RISK,):  # not a keyword: a tail held too long
                raise Blocked(st.index, risks)
            if answer_keywords(self.gw, self.ex, risks, streamed=True).stops:
                raise Blocked(st.index, risks, recorded=True)
            got = f.screener.allow(risks)
            if got is not None:
                out += got
                got = f.screener.finish() if final else ""
                if got is not None:
                    return out + got

    def _feed(self, st: _Choice, name: str, piece: str) -> str:
        f = st.fields.get(name) or self._field(st, name)
        released = f.screener.feed(piece)
        if released is None:
            released = self._keywords(st, f)
        if f.gate is not None:
            released = self._gated(st, f, released)
        if f.restorer is not None:
            released = f.restorer.feed(released)
        if released:
            if not f.labelled and self.gw.labeller.prefix:
                f.labelled = True
                released = self.gw.labeller.prefix + released
            f.sent.append(released)
        return released

    def _out(self, f: _Field, text: str) -> str:
        prefix = self.gw.labeller.prefix
        if text and not f.labelled and prefix:
            f.labelled = True
            text = prefix + text
        if text:
            f.sent.append(text)
        return text

    def _tools(self, st: _Choice, key: str, calls: Any) -> None:
        """Tool-call pieces (or a legacy ``function_call``), held until the choice finishes."""
        if key == "function_call":
            calls = [{"index": _LEGACY, "function": calls}]
        elif not isinstance(calls, list):
            raise Malformed("delta.tool_calls 应为数组")
        for tc in calls:
            fn = tc.get("function") if isinstance(tc, dict) else None
            if not isinstance(fn, dict):
                raise Malformed("delta.tool_calls[] 无法识别")
            at = tc.get("index", 0)
            if at != _LEGACY:
                at = _index(at, self.limits.max_tools, "delta.tool_calls[].index")
            t = st.tools.setdefault(at, _Tool())
            t.id = t.id or (_str(tc.get("id"), "tool_calls[].id") or "")
            name = _str(fn.get("name"), "function.name") or ""
            args = _str(fn.get("arguments"), "function.arguments") or ""
            self._count(len(name) + len(args))
            t.name += name
            t.arguments.append(args)

    # -- the end of a choice ---------------------------------------------------------------
    def _finish(self, st: _Choice, new: dict[str, Any], out: dict[str, Any]) -> None:
        """Release the held tails (labelled) and the tool calls; bind the implicit label."""
        labeller = self.gw.labeller
        for name, f in st.fields.items():
            tail = f.screener.finish()
            if tail is None:  # the held tail completes a keyword: the policy decides
                tail = self._keywords(st, f, final=True)
            if f.gate is not None:
                tail = self._gated(st, f, tail, final=True)
            if f.restorer is not None:
                tail = f.restorer.feed(tail) + f.restorer.finish()
            if f.sent or tail:
                tail += labeller.suffix
            if tail:
                new[name] = new.get(name, "") + self._out(f, tail)
        self._release_tools(st, new)
        st.finished = True
        payload = labeller.payload(self.ex.id, st.sent())
        if payload is not None:
            out[labeller.config.field] = payload

    def _release_tools(self, st: _Choice, new: dict[str, Any]) -> None:
        if not st.tools:
            return
        risks: dict[str, None] = {}
        if self.gw.screening.config.screen_output:
            for t in st.tools.values():
                for text in tool_call_texts(t.name, "".join(t.arguments)):
                    risks.update(dict.fromkeys(self.gw.screening.risks(text)))
        if risks and answer_keywords(self.gw, self.ex, tuple(risks), streamed=True).stops:
            raise Blocked(st.index, tuple(risks), recorded=True)
        calls = []
        for key, t in sorted(st.tools.items()):
            args = restore("".join(t.arguments), self.ex.restore)
            st.tools_sent.append((t.name, args))
            if key == _LEGACY:
                new["function_call"] = {"name": t.name, "arguments": args}
            else:
                calls.append({"index": key, "id": t.id, "type": "function",
                              "function": {"name": t.name, "arguments": args}})  # fmt: skip
        if calls:
            new["tool_calls"] = calls

    def close_open(self) -> list[dict[str, Any]]:
        """The upstream said ``[DONE]``: choices that never finished are finished now (their
        tails screened and released, their labels sent); :class:`Blocked` as ever."""
        chunks = []
        for st in sorted(self.choices.values(), key=lambda c: c.index):
            if not st.finished:
                new: dict[str, Any] = {}
                out: dict[str, Any] = {**self.base}
                self._finish(st, new, out)
                out["choices"] = [{"index": st.index, "delta": new, "finish_reason": None,
                                   "logprobs": None}]  # fmt: skip
                chunks.append(out)
        return chunks

    def cut_labels(self) -> list[dict[str, Any]]:
        """The stream ends early (an error): the labels of what each open choice has sent so
        far (its held tail is not released)."""
        labeller = self.gw.labeller
        chunks = []
        for st in sorted(self.choices.values(), key=lambda c: c.index):
            if st.finished or not any(f.sent for f in st.fields.values()):
                continue
            st.finished = True
            new = {name: self._out(f, labeller.suffix) for name, f in st.fields.items()
                   if f.sent and labeller.suffix}  # fmt: skip
            out: dict[str, Any] = {**self.base}
            out["choices"] = [{"index": st.index, "delta": new, "finish_reason": None,
                               "logprobs": None}]  # fmt: skip
            payload = labeller.payload(self.ex.id, st.sent())
            if payload is not None:
                out[labeller.config.field] = payload
            chunks.append(out)
        return chunks

    def texts(self) -> tuple[str, str]:
        """(what the model produced, what the client was sent), every choice."""
        ordered = sorted(self.choices.values(), key=lambda c: c.index)
        return "\n".join(c.produced() for c in ordered), "\n".join(c.sent() for c in ordered)
