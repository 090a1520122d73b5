"""Fault injection, hard limits: what one client or the upstream can make the gateway hold.

Real sockets on loopback; the upstream is a :class:`HostileUpstream`. Floods are bounded and
every test ends in a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import socket
import statistics
import threading
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from beian.gateway import RunningGateway

from .conftest import ADMIN, Behind, records
from .hostile import Received, chunk, completion, event, gzipped, reply, sse_head

ANSWER = completion({"content": "好的。"})


async def answers(req: Received) -> AsyncIterator[bytes | float]:
    yield reply(200, json.dumps(ANSWER).encode())


def chat(*messages: str, **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": m} for m in messages], **extra}


def connect(g: RunningGateway, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", g.port))
    s.settimeout(4)
    return s


def read_all(s: socket.socket) -> bytes:
    out = b""
    try:
        while piece := s.recv(65536):
            out += piece
    except (TimeoutError, ConnectionResetError):
        pass
    return out


def post_head(length: int | None, extra: str = "") -> bytes:
    size = f"content-length: {length}\r\n" if length is not None else "transfer-encoding: chunked\r\n"
    return (f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            f"{size}{extra}\r\n").encode()  # fmt: skip


# -- the request ------------------------------------------------------------------------------
def test_declared_body_over_the_limit_is_refused_before_it_is_read(behind: Behind) -> None:
    g, up = behind(answers, limits={"max_request_bytes": 64 * 1024})
    with connect(g) as s:
        t0 = time.monotonic()
        s.sendall(post_head(100 * 1024 * 1024) + b'{"model": "m", "messages": [')  # and no more
        got = read_all(s)
    assert got.startswith(b"HTTP/1.1 413") and b"connection: close" in got.lower()
    assert b"request_too_large" in got and time.monotonic() - t0 < 2
    assert up.received == [] and records(g) == []
    metrics = httpx.get(g.root_url + "/metrics", headers=ADMIN).text
    assert 'beian_gateway_rejected_total{reason="request_too_large"} 1.0' in metrics


def test_chunked_body_over_the_limit_is_refused_while_it_is_read(behind: Behind) -> None:
    g, up = behind(answers, limits={"max_request_bytes": 64 * 1024})
    body = json.dumps(chat("长" * 40_000)).encode()  # 120 KB, no length announced
    with connect(g) as s:
        s.sendall(post_head(None))
        for i in range(0, len(body), 16 * 1024):
            piece = body[i : i + 16 * 1024]
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            except (BrokenPipeError, ConnectionResetError):
                break
        got = read_all(s)
    assert got.startswith(b"HTTP/1.1 413") and up.received == []


def test_body_that_never_arrives_times_out(behind: Behind) -> None:
    g, up = behind(answers, limits={"body_timeout_s": 0.3})
    with connect(g) as s:
        s.sendall(post_head(5000) + b'{"model": "m"')
        t0 = time.monotonic()
        got = read_all(s)
    assert got.startswith(b"HTTP/1.1 408") and time.monotonic() - t0 < 2 and up.received == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (chat(*["问"] * 30), "messages"),
        ({"model": "m", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "片"}] * 10}] * 3}, "messages[2].content[0]"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}],
          "tools": [{"type": "function", "function": {"name": "f", "parameters": {
              "a": json.loads("[" * 40 + "]" * 40)}}}]}, "tools[0].function.parameters"),
    ],
    ids=["messages", "parts", "nesting"],
)
def test_counts_and_nesting_over_the_limits_are_400s_naming_the_field(
    behind: Behind, body: dict[str, Any], param: str
) -> None:
    g, up = behind(answers, limits={"max_messages": 20, "max_parts": 20, "max_json_depth": 32})
    r = httpx.post(g.base_url + "/chat/completions", json=body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == param and err["code"] == "request_too_large" and err["message"]
    assert up.received == []


def test_json_nested_thousands_deep_is_a_clean_400(behind: Behind) -> None:
    g, up = behind(answers)
    deep = b'{"model": "m", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = httpx.post(g.base_url + "/chat/completions", content=deep)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    assert "Traceback" not in r.text and up.received == []


# -- the connection ---------------------------------------------------------------------------
@pytest.mark.parametrize("what", ["size", "count"])
def test_headers_over_the_limits_get_431(behind: Behind, what: str) -> None:
    g, up = behind(answers, limits={"max_header_bytes": 8 * 1024, "max_headers": 50})
    if what == "size":
        extra = "authorization: Bearer " + "k" * 64 * 1024 + "\r\n"
    else:
        extra = "".join(f"x-h{i}: v\r\n" for i in range(200))
    body = json.dumps(chat("你好")).encode()
    with connect(g) as s:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(post_head(len(body), extra) + body)
        got = read_all(s)
    assert got.startswith(b"HTTP/1.1 431"), got[:80]
    assert up.received == []


@pytest.mark.parametrize("partial", [b"", b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"])
def test_idle_and_partial_header_connections_are_closed(behind: Behind, partial: bytes) -> None:
    g, _ = behind(answers, limits={"header_timeout_s": 0.3})
    conns = [connect(g) for _ in range(20)]  # a bounded flood
    t0 = time.monotonic()
    for s in conns:
        s.sendall(partial)
    for s in conns:
        got = read_all(s)  # EOF (or a 408) once the header timeout passed
        assert got in (b"",) or got.startswith(b"HTTP/1.1 408")
        s.close()
    assert time.monotonic() - t0 < 3


def test_idle_keep_alive_connection_is_closed(behind: Behind) -> None:
    g, _ = behind(answers, limits={"idle_timeout_s": 0.3})
    body = json.dumps(chat("你好")).encode()
    with connect(g) as s:
        s.sendall(post_head(len(body)) + body)
        first = s.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        t0 = time.monotonic()
        read_all(s)
        assert time.monotonic() - t0 < 2


def test_client_that_reads_nothing_is_dropped_and_recorded(behind: Behind) -> None:
    async def flood(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head()
        for _ in range(4000):  # bounded: ~20 MB at most
            yield event(chunk(content="数" * 1000))
        yield event("[DONE]")

    g, _ = behind(flood, limits={"write_timeout_s": 0.4, "max_answer_chars": 10_000_000})
    body = json.dumps(chat("你好", stream=True)).encode()
    s = connect(g, rcvbuf=4096)
    s.sendall(post_head(len(body)) + body)  # and never reads
    deadline = time.monotonic() + 4
    while not records(g) or records(g)[0].outcome == "in_progress":
        assert time.monotonic() < deadline, "the stalled stream was never ended"
        time.sleep(0.05)
    s.close()
    (rec,) = records(g)
    assert rec.outcome == "client_disconnected"


def test_shared_serve_passes_the_limits_on() -> None:
    from beian._shared.http_limits import HttpLimits
    from beian._shared.serve import serve_in_thread

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with serve_in_thread(app, lifespan="off", limits=HttpLimits(max_header_bytes=2048)) as srv:
        big = httpx.get(srv.url, headers={"x-big": "v" * 8192})
        small = httpx.get(srv.url)
    assert big.status_code == 431 and small.status_code == 200


# -- the upstream -----------------------------------------------------------------------------
def test_gzip_bomb_from_upstream_is_cut_at_the_limit(behind: Behind) -> None:
    bomb = gzipped(b'{"choices": [{"message": {"content": "' + b"0" * 50_000_000 + b'"}}]}')
    assert len(bomb) < 100_000

    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield reply(200, bomb, {"content-encoding": "gzip"})

    g, up = behind(behave, limits={"max_upstream_bytes": 1024 * 1024})
    r = httpx.post(g.base_url + "/chat/completions", json=chat("你好"), timeout=5)
    assert r.status_code == 502 and r.json()["error"]["code"] == "too_large"
    assert up.received[0].headers["accept-encoding"] == "identity"
    (rec,) = records(g)
    assert rec.outcome == "upstream_error"


def test_compressed_answer_within_the_limit_is_decoded(behind: Behind) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        body = json.dumps(ANSWER).encode()
        yield reply(200, zlib.compress(body), {"content-encoding": "deflate"})

    g, _ = behind(behave)
    r = httpx.post(g.base_url + "/chat/completions", json=chat("你好"))
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"].startswith("好的")


def test_stream_gzip_bomb_ends_with_an_error_event(behind: Behind) -> None:
    payload = event(chunk(content="好")) + event(chunk(content="")) * 2_000_000
    bomb = gzipped(payload)

    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head({"content-encoding": "gzip"}) + bomb

    g, _ = behind(behave, limits={"max_stream_bytes": 2 * 1024 * 1024})
    r = httpx.post(g.base_url + "/chat/completions", json=chat("你好", stream=True), timeout=5)
    assert b'"code":"too_large"' in r.content
    (rec,) = records(g)
    assert rec.outcome == "upstream_error"


def test_oversized_upstream_body_is_refused_unread(behind: Behind) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield reply(200, b"", {"content-length": str(50 * 1024 * 1024)})
        yield 5.0

    g, _ = behind(behave, limits={"max_upstream_bytes": 1024 * 1024})
    t0 = time.monotonic()
    r = httpx.post(g.base_url + "/chat/completions", json=chat("你好"), timeout=5)
    assert r.status_code == 502 and time.monotonic() - t0 < 2


def test_endless_stream_is_cut_at_the_answer_limit(behind: Behind) -> None:
    async def endless(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head()
        for _ in range(20_000):  # bounded: 1M characters
            yield event(chunk(content="长" * 50))

    g, _ = behind(endless, limits={"max_answer_chars": 20_000})
    r = httpx.post(g.base_url + "/chat/completions", json=chat("你好", stream=True), timeout=5)
    events = [json.loads(x[6:]) for x in r.text.split("\n\n") if x.startswith("data: {")]
    assert "error" in events[-1] and "上限" in json.dumps(events[-1], ensure_ascii=False)
    (rec,) = records(g)
    assert rec.outcome == "upstream_error" and len(rec.response) <= 20_000


def test_stream_over_the_duration_limit_ends_with_timeout(behind: Behind) -> None:
    async def trickle(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head()
        for _ in range(100):  # bounded: 5 s at most
            yield event(chunk(content="慢"))
            yield 0.05

    g, _ = behind(trickle, limits={"max_duration_s": 0.5})
    t0 = time.monotonic()
    r = httpx.post(g.base_url + "/chat/completions", json=chat("你好", stream=True), timeout=5)
    assert time.monotonic() - t0 < 2
    last = [x for x in r.text.split("\n\n") if x.startswith("data: ")][-1]
    assert json.loads(last[6:])["error"]["code"] == "timeout"
    (rec,) = records(g)
    assert rec.outcome == "timeout" and rec.sent.endswith("【本内容由人工智能生成】")


def test_large_request_is_screened_off_the_event_loop(behind: Behind) -> None:
    """A request with a lot of text (and personal information in it) is screened in a worker
    thread: small requests sent while large ones are screened are answered at once."""
    g, _ = behind(answers)
    text = "我的手机是13812345678，住在北京市海淀区。" * 65_000
    big = json.dumps(chat(text), ensure_ascii=False).encode()
    assert 3 * 1024 * 1024 < len(big) < 4 * 1024 * 1024
    first = httpx.post(g.base_url + "/chat/completions", content=big, timeout=60)  # tables loaded
    assert first.status_code == 200, first.text[:500]
    stop = threading.Event()
    took: list[float] = []

    def send_big() -> None:  # back to back, so the server is always screening a large one
        while not stop.is_set():
            t0 = time.monotonic()
            httpx.post(g.base_url + "/chat/completions", content=big, timeout=60)
            took.append(time.monotonic() - t0)

    sender = threading.Thread(target=send_big, daemon=True)
    sender.start()
    time.sleep(0.05)
    small: list[float] = []
    deadline = time.monotonic() + 120
    try:
        # at least 8 small ones, and until 2 large ones have completed (a slow machine takes
        # seconds for one large request: the small ones keep coming meanwhile)
        while (len(small) < 8 or len(took) < 2) and time.monotonic() < deadline:
            t0 = time.monotonic()
            r = httpx.post(g.base_url + "/chat/completions", json=chat("你好"), timeout=30)
            small.append(time.monotonic() - t0)
            assert r.status_code == 200
            time.sleep(0.02)
    finally:
        stop.set()
        sender.join(60)
    # inline, each small request would wait for the large one being screened (on average half of
    # it); off the loop a small fraction (relative, so a busy machine slows both alike)
    assert took, (small, took)  # at least the first large one ended while the small ones ran
    assert statistics.median(small) < statistics.median(took) / 3, (small, took)
