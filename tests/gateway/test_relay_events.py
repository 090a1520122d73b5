"""The relay's event for an upstream chunk: the one-piece fast path writes the same bytes as
building the chunk and encoding it (:meth:`ChunkWriter.event` against ``event_bytes(chunk)``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from beian.crypto import KeyRing
from beian.gateway import Gateway
from beian.gateway._relay import Blocked, ChunkWriter, event_bytes
from beian.gateway._store import Exchange

from .conftest import gateway_config, keyword_screening


@pytest.fixture
def gw(tmp_path: Path) -> Iterator[Gateway]:
    g = Gateway(gateway_config(tmp_path, "http://127.0.0.1:9/v1"), ring=KeyRing.generate(),
                screening_factory=keyword_screening)  # fmt: skip
    try:
        yield g
    finally:
        g.close()


def _writer(gw: Gateway) -> ChunkWriter:
    ex = Exchange(id="r" * 32, started=0.0, stream=True, request={"messages": []})
    return ChunkWriter(gw, ex)


def _top(**extra: Any) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            **extra}  # fmt: skip


def _c(index: int = 0, finish: str | None = None, **delta: Any) -> dict[str, Any]:
    return _top(choices=[{"index": index, "delta": delta, "finish_reason": finish}])


STREAMS = {
    "plain": [_c(role="assistant", content=""), _c(content="你好，"), _c(content="世界"),
              _c(finish="stop")],
    # a keyword's start held back (empty content), then released with its continuation
    "held": [_c(content="这是违禁"), _c(content="的说法"), _c(content="结束"), _c(finish="stop")],
    "escapes": [_c(content='引号"与\\反斜杠\n换行\t制表'), _c(content="😀\u2028\x01"),
                _c(finish="stop")],
    "two choices": [_c(0, content="甲"), _c(1, content="乙"), _c(1, content="丙"),
                    _c(0, finish="stop"), _c(1, finish="stop")],
    "no index": [_top(choices=[{"delta": {"content": "无序号"}}]), _c(finish="stop")],
    "id with NUL": [_top(id="x\u0000y", choices=[{"index": 0, "delta": {"content": "甲"}}]),
                    _c(content="乙"), _c(finish="stop")],
    "empty top": [{"choices": [{"index": 0, "delta": {"content": "甲"}}]},
                  {"choices": [{"index": 0, "delta": {"content": "乙"}}], "id": "late"}],
    "usage and extras": [_c(content="甲"), {**_c(content="乙"), "usage": {"total_tokens": 3}},
                         _c(content="丙", reasoning_content="想"), _c(finish="stop")],
    "bool index": [_c(content="甲"), _top(choices=[{"index": True, "delta": {"content": "乙"}}])],
}  # fmt: skip


@pytest.mark.parametrize("name", list(STREAMS))
def test_event_bytes_equal_the_built_chunk(gw: Gateway, name: str) -> None:
    fast, slow = _writer(gw), _writer(gw)
    for data in STREAMS[name]:
        try:
            want: bytes | str = event_bytes(slow.chunk(json.loads(json.dumps(data))))
        except Exception as exc:  # the same error either way
            want = type(exc).__name__
        try:
            got: bytes | str = fast.event(json.loads(json.dumps(data)))
        except Exception as exc:
            got = type(exc).__name__
        assert got == want
    assert fast.texts() == slow.texts()


def test_a_keyword_across_pieces_is_blocked_on_the_fast_path(gw: Gateway) -> None:
    w = _writer(gw)
    first = w.event(_c(content="前文违禁"))
    assert "违禁" not in first.decode()  # held back
    with pytest.raises(Blocked) as info:
        w.event(_c(content="词语后文"))
    assert info.value.risks == ("A1a",)
