"""Connection limits on uvicorn (beian._shared.http_limits): the per-connection header deadline
across keep-alive requests, and the connection-loss callbacks a request's scope carries."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

from beian._shared.http_limits import DISCONNECT, Disconnect, HttpLimits
from beian._shared.serve import serve_in_thread

REQUEST = b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n"


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2")]})  # fmt: skip
    await send({"type": "http.response.body", "body": b"ok"})


def _response(s: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r\n\r\nok"):
        chunk = s.recv(4096)
        assert chunk, data
        data += chunk
    return data


def test_header_deadline_holds_for_each_wait_on_a_keep_alive_connection() -> None:
    # the idle timeout is long: the header deadline is what closes the connection here
    limits = HttpLimits(header_timeout_s=0.4, idle_timeout_s=30)
    with serve_in_thread(hello, limits=limits, lifespan="off") as srv:
        s = socket.create_connection((srv.host, srv.port), timeout=5)
        s.sendall(REQUEST)
        assert _response(s).startswith(b"HTTP/1.1 200")
        time.sleep(0.25)  # within the deadline, past half of it
        s.sendall(REQUEST)
        assert _response(s).startswith(b"HTTP/1.1 200")
        # the first wait's timer fired meanwhile: this wait still gets its whole deadline
        t0 = time.monotonic()
        s.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n")  # a partial header
        got = b""
        while chunk := s.recv(4096):
            got += chunk
        elapsed = time.monotonic() - t0
        s.close()
    assert got.startswith(b"HTTP/1.1 408")
    assert 0.3 <= elapsed < 2.0


def test_scope_tells_the_app_when_the_connection_is_lost() -> None:
    gone = threading.Event()
    registered = threading.Event()

    async def waits(scope: dict[str, Any], receive: Any, send: Any) -> None:
        lost = scope["extensions"][DISCONNECT]
        assert isinstance(lost, Disconnect)
        lost.add(gone.set)
        registered.set()
        await asyncio.sleep(5)  # never answers: only the callback can tell

    with serve_in_thread(waits, limits=HttpLimits(), lifespan="off") as srv:
        s = socket.create_connection((srv.host, srv.port), timeout=5)
        s.sendall(REQUEST)
        assert registered.wait(5)
        assert not gone.is_set()
        s.close()
        assert gone.wait(2)
