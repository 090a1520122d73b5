"""The chat request as the gateway accepts it: every field known, every text found.

A request body is checked against the OpenAI chat-completions shape in one walk, which also
collects every string the model will read: message contents and text parts of every role,
``name``, tool calls and their arguments, ``refusal`` and reasoning text, tool and function
definitions (names, descriptions and every string in their JSON schemas), the response format's
schema, predictions, stop sequences and metadata. An unknown field, a value of the wrong type or
a count over the limits is an :class:`RequestError` naming the field (``messages[2].name``), so
nothing the gateway cannot screen is forwarded. Image, audio and file parts are refused unless
``screening.non_text`` is ``pass``.

The walk yields :class:`Slot`\\ s: where a string is (a path of keys and indexes) and whether it is
free text (screened, and protected by the PII engine) or an identifier (screened only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from beian.gateway._config import LimitsConfig

__all__ = [
    "Checked",
    "RequestError",
    "Slot",
    "check_request",
    "json_strings",
    "parse_json",
    "with_texts",
]

Path = tuple[str | int, ...]


class RequestError(Exception):
    """The request cannot be accepted; ``param`` names the field (OpenAI's ``param``)."""

    def __init__(self, message: str, param: str | None = None, code: str = "invalid_request"):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


@dataclass(frozen=True)
class Slot:
    path: Path
    text: str
    free: bool  # free text (PII protection applies); else an identifier or a key, screened only


@dataclass
class Checked:
    """A request that passed the checks, and what is in it."""

    body: dict[str, Any]
    slots: list[Slot] = field(default_factory=list)
    unscreened: dict[str, int] = field(default_factory=dict)  # non-text part type → count
    parts: int = 0

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.slots]


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw``, with any lone surrogate (``\\ud800``, valid JSON but not
    text) replaced by U+FFFD; ValueError when it is not JSON or nested too deeply to parse."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if b"\\u" in raw and _SURROGATE_ESCAPE.search(raw):  # only an escape makes one
        value = _without_surrogates(value)
    return value


def json_strings(text: str) -> list[str]:
    """The strings (and keys) inside ``text`` when it is JSON with escapes in it (tool-call
    arguments: ``\\u8fdd`` hides nothing from screening); [] otherwise."""
    if "\\" not in text:
        return []  # nothing escaped: the raw text already says it all
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return []
    out: list[str] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            out.extend(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


# -- the walk ---------------------------------------------------------------------------------
class _Walk:
    def __init__(self, limits: LimitsConfig, non_text: str, extra: Iterable[str]) -> None:
        self.limits = limits
        self.non_text = non_text
        self.extra = frozenset(extra)
        self.out = Checked(body={})


Check = Callable[[_Walk, Any, Path], None]


def _where(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _bad(path: Path, what: str) -> RequestError:
    return RequestError(f"请求字段 {_where(path)} {what}", _where(path))


def _string(w: _Walk, v: Any, path: Path) -> None:
    if not isinstance(v, str):
        raise _bad(path, "应为字符串")


def _text(w: _Walk, v: Any, path: Path) -> None:
    _string(w, v, path)
    w.out.slots.append(Slot(path, v, True))


def _word(w: _Walk, v: Any, path: Path) -> None:
    _string(w, v, path)
    w.out.slots.append(Slot(path, v, False))


def _arguments(w: _Walk, v: Any, path: Path) -> None:
    """Tool-call arguments: free text, and the strings decoded from it (screened only)."""
    _text(w, v, path)
    w.out.slots.extend(Slot((*path, "<decoded>"), s, False) for s in json_strings(v))


def _bool(w: _Walk, v: Any, path: Path) -> None:
    if not isinstance(v, bool):
        raise _bad(path, "应为 true 或 false")


def _number(w: _Walk, v: Any, path: Path) -> None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _bad(path, "应为数字")


def _integer(w: _Walk, v: Any, path: Path) -> None:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _bad(path, "应为整数")


def _nullable(check: Check) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        if v is not None:
            check(w, v, path)

    return run


def _either(string: Check, other: Check) -> Check:
    """A string (checked by ``string``) or anything else (checked by ``other``)."""

    def run(w: _Walk, v: Any, path: Path) -> None:
        (string if isinstance(v, str) else other)(w, v, path)

    return run


def _obj(fields: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        if not isinstance(v, dict):
            raise _bad(path, "应为对象")
        for name in required:
            if name not in v:
                raise _bad((*path, name), "缺失（必填）")
        for name, value in v.items():
            check = fields.get(name)
            if check is None:
                raise _bad((*path, name), "不是网关认识的字段，已拒绝（未转发）")
            check(w, value, (*path, name))

    return run


def _array(item: Check, limit: Callable[[LimitsConfig], int], nonempty: bool = False) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        if not isinstance(v, list):
            raise _bad(path, "应为数组")
        if nonempty and not v:
            raise _bad(path, "不能为空")
        n = limit(w.limits)
        if len(v) > n:
            raise RequestError(
                f"请求字段 {_where(path)} 有 {len(v)} 项，超过上限 {n}",
                _where(path),
                "request_too_large",
            )
        for i, x in enumerate(v):
            item(w, x, (*path, i))

    return run


def _tagged(key: str, kinds: dict[str, Check]) -> Check:
    """An object whose ``key`` (type, role) picks its shape."""

    def run(w: _Walk, v: Any, path: Path) -> None:
        tag = v.get(key) if isinstance(v, dict) else None
        check = kinds.get(tag) if isinstance(tag, str) else None
        if check is None:
            known = "、".join(kinds)
            raise _bad((*path, key), f"应为 {known} 之一")
        check(w, v, path)

    return run


def _enum(*values: str) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        if v not in values:
            raise _bad(path, f"应为 {'、'.join(values)} 之一")

    return run


def _free(w: _Walk, v: Any, path: Path) -> None:
    """Free-form JSON (a JSON schema, options): every key and string screened, depth bounded."""
    stack: list[tuple[Any, Path]] = [(v, path)]
    while stack:
        node, at = stack.pop()
        if len(at) > w.limits.max_json_depth:
            raise RequestError(
                f"请求字段 {_where(path)} 嵌套超过 {w.limits.max_json_depth} 层",
                _where(path),
                "request_too_large",
            )
        if isinstance(node, str):
            w.out.slots.append(Slot(at, node, True))
        elif isinstance(node, dict):
            for k, x in node.items():
                w.out.slots.append(Slot((*at, k, "<key>"), k, False))
                stack.append((x, (*at, k)))
        elif isinstance(node, list):
            stack.extend((x, (*at, i)) for i, x in enumerate(node))


def _non_text(kind: str, inner: Check) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        if w.non_text != "pass":
            raise RequestError(
                f"请求字段 {_where(path)} 是 {kind} 内容：网关无法审核非文本内容，已拒绝",
                _where(path),
                "unsupported_content",
            )
        inner(w, v, path)
        w.out.unscreened[kind] = w.out.unscreened.get(kind, 0) + 1

    return run


def _count_part(check: Check) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        w.out.parts += 1
        if w.out.parts > w.limits.max_parts:
            raise RequestError(
                f"内容片段（content parts）超过上限 {w.limits.max_parts}",
                _where(path),
                "request_too_large",
            )
        check(w, v, path)

    return run


def _s(*names: str) -> Mapping[str, Check]:
    return dict.fromkeys(names, _string)


# -- the shapes -------------------------------------------------------------------------------
_TYPE = {"type": _string}
_TEXT_PART = _obj({**_TYPE, "text": _text}, ("text",))
_REFUSAL_PART = _obj({**_TYPE, "refusal": _text}, ("refusal",))
_IMAGE_PART = _non_text("image_url", _obj({**_TYPE, "image_url": _obj(_s("url", "detail"))}))
_AUDIO_PART = _non_text("input_audio", _obj({**_TYPE, "input_audio": _obj(_s("data", "format"))}))
_FILE_PART = _non_text("file", _obj({**_TYPE, "file": _obj(_s("file_data", "file_id", "filename"))}))


def _parts(kinds: dict[str, Check]) -> Check:
    return _array(_count_part(_tagged("type", kinds)), lambda lim: lim.max_parts)


_TEXT_PARTS = _parts({"text": _TEXT_PART})
_USER_PARTS = _parts(
    {"text": _TEXT_PART, "image_url": _IMAGE_PART, "input_audio": _AUDIO_PART, "file": _FILE_PART}
)
_ASSISTANT_PARTS = _parts({"text": _TEXT_PART, "refusal": _REFUSAL_PART})
_FUNCTION = _obj({"name": _word, "arguments": _arguments})
_TOOL_CALL = _tagged(
    "type",
    {
        "function": _obj({**_TYPE, "id": _string, "function": _FUNCTION}, ("function",)),
        "custom": _obj(
            {**_TYPE, "id": _string, "custom": _obj({"name": _word, "input": _arguments})}
        ),
    },
)
_NAMED = {"role": _string, "name": _text}
_MESSAGE = _tagged(
    "role",
    {
        "system": _obj({**_NAMED, "content": _either(_text, _TEXT_PARTS)}, ("content",)),
        "developer": _obj({**_NAMED, "content": _either(_text, _TEXT_PARTS)}, ("content",)),
        "user": _obj({**_NAMED, "content": _either(_text, _USER_PARTS)}, ("content",)),
        "assistant": _obj(
            {
                **_NAMED,
                "content": _nullable(_either(_text, _ASSISTANT_PARTS)),
                "refusal": _nullable(_text),
                "tool_calls": _nullable(_array(_TOOL_CALL, lambda lim: lim.max_tools)),
                "function_call": _nullable(_FUNCTION),
                "audio": _nullable(_obj({"id": _string})),
                "reasoning_content": _nullable(_text),
                "reasoning": _nullable(_text),
            }
        ),
        "tool": _obj(
            {"role": _string, "tool_call_id": _string, "content": _either(_text, _TEXT_PARTS)},
            ("content", "tool_call_id"),
        ),
        "function": _obj(
            {"role": _string, "name": _word, "content": _nullable(_text)}, ("name", "content")
        ),
    },
)
_FUNCTION_DEF = _obj(
    {"name": _word, "description": _text, "parameters": _free, "strict": _nullable(_bool)},
    ("name",),
)
_TOOL = _tagged(
    "type",
    {
        "function": _obj({**_TYPE, "function": _FUNCTION_DEF}, ("function",)),
        "custom": _obj(
            {**_TYPE, "custom": _obj({"name": _word, "description": _text, "format": _free})},
            ("custom",),
        ),
    },
)
_TOOL_CHOICE = _either(
    _enum("none", "auto", "required"),
    _tagged(
        "type",
        {
            "function": _obj({**_TYPE, "function": _obj({"name": _word})}),
            "custom": _obj({**_TYPE, "custom": _obj({"name": _word})}),
            "allowed_tools": _obj({**_TYPE, "allowed_tools": _free}),
        },
    ),
)
_RESPONSE_FORMAT = _tagged(
    "type",
    {
        "text": _obj(_TYPE),
        "json_object": _obj(_TYPE),
        "json_schema": _obj(
            {
                **_TYPE,
                "json_schema": _obj(
                    {"name": _word, "description": _text, "schema": _free,
                     "strict": _nullable(_bool)},
                ),
            },
            ("json_schema",),
        ),
    },
)


def _n(w: _Walk, v: Any, path: Path) -> None:
    _integer(w, v, path)
    if not 1 <= v <= w.limits.max_choices:
        raise _bad(path, f"应在 1 到 {w.limits.max_choices} 之间")


def _refused(why: str) -> Check:
    def run(w: _Walk, v: Any, path: Path) -> None:
        if v not in (None, False):
            raise RequestError(f"请求字段 {_where(path)}：{why}", _where(path), "unsupported_parameter")

    return run


def _identity(w: _Walk, v: Any, path: Path) -> None:
    """The user id: checked where the identity is resolved, with its own errors."""


def _logit_bias(w: _Walk, v: Any, path: Path) -> None:
    if not isinstance(v, dict) or len(v) > 1024:
        raise _bad(path, "应为至多 1024 项的对象")
    for k, x in v.items():
        _number(w, x, (*path, k))


def _metadata(w: _Walk, v: Any, path: Path) -> None:
    if not isinstance(v, dict) or len(v) > 16:
        raise _bad(path, "应为至多 16 项的对象")
    for k, x in v.items():
        w.out.slots.append(Slot((*path, k, "<key>"), k, False))
        _text(w, x, (*path, k))


_NUMBERS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
_INTEGERS = ("max_tokens", "max_completion_tokens", "seed")
_STRINGS = ("service_tier", "reasoning_effort", "verbosity", "prompt_cache_key",
            "safety_identifier")  # fmt: skip
_NO_LOGPROBS = "网关不转发 logprobs（其中的候选词无法审核与标识）"
_NO_AUDIO = "网关只处理文本回答（语音回答无法审核与标识）"
_TOP: dict[str, Check] = {
    "model": _string,
    "messages": _array(_MESSAGE, lambda lim: lim.max_messages, nonempty=True),
    "stream": _nullable(_bool),
    "stream_options": _nullable(_obj({"include_usage": _bool, "include_obfuscation": _bool})),
    **dict.fromkeys(_NUMBERS, _nullable(_number)),
    **dict.fromkeys(_INTEGERS, _nullable(_integer)),
    **dict.fromkeys(_STRINGS, _nullable(_string)),
    "user": _identity,  # checked (and bound to the provider's token) by beian.gateway._identity
    "n": _nullable(_n),
    "stop": _nullable(_either(_text, _array(_text, lambda lim: 4))),
    "logit_bias": _nullable(_logit_bias),
    "logprobs": _refused(_NO_LOGPROBS),
    "top_logprobs": _refused(_NO_LOGPROBS),
    "tools": _nullable(_array(_TOOL, lambda lim: lim.max_tools)),
    "tool_choice": _nullable(_TOOL_CHOICE),
    "parallel_tool_calls": _nullable(_bool),
    "functions": _nullable(_array(_FUNCTION_DEF, lambda lim: lim.max_tools)),
    "function_call": _nullable(_either(_enum("none", "auto"), _obj({"name": _word}))),
    "response_format": _nullable(_RESPONSE_FORMAT),
    "metadata": _nullable(_metadata),
    "store": _nullable(_bool),
    "modalities": _nullable(_array(_enum("text"), lambda lim: 2)),
    "audio": _refused(_NO_AUDIO),
    "prediction": _nullable(
        _obj({**_TYPE, "content": _either(_text, _TEXT_PARTS)}, ("type", "content"))
    ),
    "web_search_options": _nullable(_free),
}


def check_request(
    body: Any, limits: LimitsConfig, *, non_text: str = "reject", extra_fields: Iterable[str] = ()
) -> Checked:
    """Check a parsed request body; :class:`RequestError` at the first problem."""
    w = _Walk(limits, non_text, extra_fields)
    if not isinstance(body, dict):
        raise RequestError("请求体应为 JSON 对象")
    if "messages" not in body:
        raise _bad(("messages",), "缺失（必填）")
    for name, value in body.items():
        check = _TOP.get(name) or (_free if name in w.extra else None)
        if check is None:
            raise _bad((name,), "不是网关认识的字段，已拒绝（未转发）")
        check(w, value, (name,))
    w.out.body = body
    return w.out


def with_texts(body: dict[str, Any], new: dict[Path, str]) -> dict[str, Any]:
    """A copy of ``body`` with the strings at ``new``'s paths replaced (the original is kept):
    only the objects and arrays on those paths are copied (shallow), the rest is shared."""
    out: dict[str, Any] = dict(body)
    copied: dict[Path, Any] = {}
    for path, text in new.items():
        node: Any = out
        for depth in range(1, len(path)):
            prefix = path[:depth]
            child = copied.get(prefix)
            if child is None:
                child = node[path[depth - 1]]
                child = dict(child) if isinstance(child, dict) else list(child)
                node[path[depth - 1]] = copied[prefix] = child
            node = child
        node[path[-1]] = text
    return out
