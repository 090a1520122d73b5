"""The usual stream chunk read from its bytes (:mod:`beian.gateway._chunk_template`): the same
piece as parsing it whole, or no reading at all; and the relayed stream's bytes unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beian.crypto import KeyRing
from beian.gateway import Gateway
from beian.gateway._chunk_template import ChunkTemplate, learn
from beian.gateway._store import Exchange
from beian.gateway._streaming import _Relay

from .conftest import gateway_config, keyword_screening


def _chunk(content: str, **top: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            **top, "choices": [{"index": 0, "delta": {"content": content},
                                "finish_reason": None, "logprobs": None}]}  # fmt: skip


STYLES = {
    "spaced": lambda d: json.dumps(d, ensure_ascii=False).encode(),  # the demo server's
    "compact": lambda d: json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode(),
    "ascii": lambda d: json.dumps(d).encode(),  # every CJK character escaped
}

# bodies put between a learnt template's bytes, as a hostile upstream might
BODIES = [
    b"\xe4\xbd\xa0\xe5\xa5\xbd",  # 你好
    b"plain ascii, with : and , and } ]",
    b'a", "role": "system',  # a quote ends the string early: another shape
    b'a\\\\", "x": "b',  # an escaped backslash, then a quote that ends the string
    b"\\u8fdd\\u7981",  # escapes
    b"\\ud800",  # a lone surrogate
    b"tab\there",  # a raw control character (not JSON)
    b"\xff\xfe",  # not UTF-8
    b"\xf0\x9f\x98\x80 emoji",
    b"",
]


def _template(style: str) -> tuple[ChunkTemplate, dict[str, Any]]:
    data = _chunk("首个")
    tpl = learn(STYLES[style](data), data, 0)
    assert tpl is not None
    return tpl, data


@pytest.mark.parametrize("style", list(STYLES))
def test_template_reads_what_parsing_reads_or_nothing(style: str) -> None:
    tpl, data = _template(style)
    for body in BODIES:
        payload = tpl.head + body + tpl.tail
        got = tpl.content(payload)
        if got is None:
            continue
        assert json.loads(payload) == {**data, "choices": [{**data["choices"][0],
                                                            "delta": {"content": got}}]}  # fmt: skip
    # plain text is read from the bytes (the point of it), anything escaped is not
    assert tpl.content(tpl.head + BODIES[0] + tpl.tail) == "你好"
    assert tpl.content(tpl.head + BODIES[1] + tpl.tail) == BODIES[1].decode()
    for body in BODIES[2:8]:
        assert tpl.content(tpl.head + body + tpl.tail) is None, body


def test_other_bytes_around_the_piece_are_parsed_whole() -> None:
    tpl, _ = _template("spaced")
    other = json.dumps(_chunk("乙", id="chatcmpl-2"), ensure_ascii=False).encode()
    assert tpl.content(other) is None
    assert tpl.content(tpl.head + b"x") is None  # cut short
    finished = json.dumps(_chunk("甲") | {"usage": {"total_tokens": 1}}, ensure_ascii=False)
    assert tpl.content(finished.encode()) is None


@pytest.mark.parametrize(
    "raw",
    [
        # a second content key wins when parsed: the first one is no cut
        b'{"choices": [{"index": 0, "delta": {"content": "x", "content": "y"}}]}',
        # the content key's text inside another string
        b'{"id": "\\"content\\": \\"y", "choices": [{"index": 0, "delta": {"content": "y"}}]}',
        # a later content key elsewhere: cutting there would read the wrong string
        b'{"choices": [{"index": 0, "delta": {"content": "y"}}], "x": {"content": "y"}}',
    ],
)
def test_learn_takes_only_a_cut_the_probe_confirms(raw: bytes) -> None:
    data = json.loads(raw)
    tpl = learn(raw, data, 0)
    assert tpl is not None  # the cut it found reads the chunk's effective content
    probe = tpl.head + b"zz" + tpl.tail
    assert json.loads(probe)["choices"][0]["delta"]["content"] == "zz"
    assert tpl.content(probe) == "zz"


def test_learn_refuses_a_chunk_without_the_content_string() -> None:
    raw = b'{"choices": [{"index": 0, "delta": {"content": null}}]}'
    assert learn(raw, json.loads(raw), 0) is None


@pytest.fixture
def gw(tmp_path: Path) -> Iterator[Gateway]:
    config = gateway_config(tmp_path, "http://127.0.0.1:9/v1")  # never called: events() only
    with contextlib.closing(Gateway(config, ring=KeyRing.generate(),
                                    screening_factory=keyword_screening)) as g:  # fmt: skip
        yield g


def _relayed(gw: Gateway, payloads: list[bytes], template: bool) -> tuple[bytes, Exchange]:
    ex = Exchange(id="r" * 32, started=0.0, stream=True, request={"messages": []})
    relay = _Relay(gw, ex, None)  # type: ignore[arg-type]  # events() never reads the response
    relay.learnt = not template  # without a template every chunk is parsed whole

    async def run() -> bytes:
        out = b""
        for p in payloads:
            got, over = await relay.events([p])
            out += got
            if over:
                break
        return out

    return asyncio.run(run()), ex


@pytest.mark.parametrize("style", list(STYLES))
def test_relayed_stream_is_the_same_with_the_template(gw: Gateway, style: str) -> None:
    enc = STYLES[style]
    first = enc(_chunk("") | {"choices": [{"index": 0, "delta": {"role": "assistant",
                                                                 "content": ""}}]})  # fmt: skip
    usual = enc(_chunk("开头"))
    tpl = learn(usual, _chunk("开头"), 0)
    assert tpl is not None
    middle = [tpl.head + b + tpl.tail for b in BODIES if b not in (b"tab\there", b"\xff\xfe")]
    # a keyword split over the template's chunks is held back and blocks as ever
    split = [tpl.head + "这是违禁".encode() + tpl.tail, tpl.head + "词语的说法".encode() + tpl.tail]
    last = enc(_chunk("") | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    for tail in ([last, b"[DONE]"], [*split, last, b"[DONE]"]):
        payloads = [first, usual, *middle, *tail]
        fast, fex = _relayed(gw, payloads, template=True)
        slow, sex = _relayed(gw, payloads, template=False)
        assert fast == slow
        assert (fex.outcome, fex.response, fex.sent) == (sex.outcome, sex.response, sex.sent)
    assert fex.outcome == "blocked_output", fex.error
    assert b'"finish_reason":"content_filter"' in fast


def test_a_malformed_chunk_after_the_template_still_fails_cleanly(gw: Gateway) -> None:
    usual = STYLES["spaced"](_chunk("开头"))
    tpl = learn(usual, _chunk("开头"), 0)
    assert tpl is not None
    bad = tpl.head + b"tab\there" + tpl.tail  # a raw control character: not JSON
    out, ex = _relayed(gw, [usual, usual, bad, b"[DONE]"], template=True)
    assert ex.outcome == "upstream_error"
    assert b"upstream_malformed" in out
