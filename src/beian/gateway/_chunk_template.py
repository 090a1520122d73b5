"""Reading the usual upstream stream chunk without parsing all of it.

A model streams one chunk per few characters, and all but the first and the last are the same
bytes around a different ``content`` string: ``{"id": …, "choices": [{"index": 0, "delta":
{"content": "…"}, …}]}``. :func:`learn` cuts one such chunk, parsed whole, into the bytes
before and after its content string, and verifies the cut by parsing a probe put in its place;
:meth:`ChunkTemplate.content` then reads a later chunk with the same bytes around its string
from those bytes alone. Only a string body without quotes, backslashes (so no escape, and no
lone surrogate) and control characters, in valid UTF-8, is read this way: its text is its bytes
decoded. Anything else is parsed whole, exactly as before.

Why the cut is sound: JSON is read left to right, so a chunk that starts with the template's
head is in the same place when its string starts; a body without ``"`` or ``\\`` ends exactly
at the template's tail, which then reads as it did in the probe. The chunk is therefore the
probe's structure with that string in the content's place: the same shape, other keys alike.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["ChunkTemplate", "learn"]

# what a string body read from its bytes may not hold: a quote, a backslash, a control character
_NOT_PLAIN = re.compile(rb'[\x00-\x1f"\\]')
_CONTENT_KEY = re.compile(rb'"content"\s*:\s*"')
_STRING_BODY = re.compile(rb'(?:[^"\\]|\\.)*', re.DOTALL)
_PROBE = b"beian\\u0000probe"  # a body no chunk's own string equals once decoded
_PROBE_TEXT = "beian\x00probe"


class ChunkTemplate:
    """The bytes around the content string of one stream's usual chunk."""

    __slots__ = ("_min", "head", "index", "tail")

    def __init__(self, head: bytes, tail: bytes, index: int) -> None:
        self.head, self.tail, self.index = head, tail, index
        self._min = len(head) + len(tail)

    def content(self, payload: bytes) -> str | None:
        """The content piece of ``payload`` when it is the template's chunk with another piece
        in it; None when it must be parsed whole."""
        if (
            len(payload) < self._min
            or not payload.startswith(self.head)
            or not payload.endswith(self.tail)
        ):
            return None
        body = payload[len(self.head) : len(payload) - len(self.tail)]
        if _NOT_PLAIN.search(body) is not None:
            return None
        try:
            return body.decode()
        except UnicodeDecodeError:
            return None


def _with_content(data: dict[str, Any], text: str) -> dict[str, Any]:
    choice = data["choices"][0]
    return {**data, "choices": [{**choice, "delta": {"content": text}}]}


def learn(payload: bytes, data: dict[str, Any], index: int) -> ChunkTemplate | None:
    """The template of ``payload``, a chunk parsed as ``data`` (one choice, ``index``, whose
    delta is one ``content`` string); None when its bytes cannot be cut and verified."""
    for key in reversed(list(_CONTENT_KEY.finditer(payload))):
        start = key.end()
        body = _STRING_BODY.match(payload, start)
        if body is None or payload[body.end() : body.end() + 1] != b'"':
            continue
        head, tail = payload[:start], payload[body.end() :]
        try:
            probe = json.loads(head + _PROBE + tail)
        except (ValueError, RecursionError):
            continue
        if probe == _with_content(data, _PROBE_TEXT):
            return ChunkTemplate(head, tail, index)
    return None
