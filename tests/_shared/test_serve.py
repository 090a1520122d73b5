"""One serve-in-thread: a real ASGI app on a loopback port the OS picks, stopped afterwards."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from beian._shared.serve import serve_in_thread


def _app() -> Starlette:
    return Starlette(routes=[Route("/", lambda _: PlainTextResponse("好"))])


def test_serves_then_stops() -> None:
    with serve_in_thread(_app(), lifespan="off") as served:
        assert served.port > 0 and served.url == f"http://127.0.0.1:{served.port}"
        assert httpx.get(served.url + "/").text == "好"
    with pytest.raises(httpx.ConnectError):
        httpx.get(served.url + "/", timeout=2)


def test_a_server_that_cannot_start_is_an_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError), serve_in_thread(_app(), port=port, lifespan="off"):
            pass  # pragma: no cover - never reached
