"""Serving an ASGI app with uvicorn: in a background thread (tests, benchmarks, the demo), and
the server class the foreground servers use.

One implementation: uvicorn in a daemon thread, bound to loopback on a port the OS picks unless
one is given, started before the ``with`` block runs and stopped (gracefully) after it.
:class:`Server` is uvicorn's server that says when it has started, tells the application when a
shutdown begins (before uvicorn waits for what is in flight) and keeps its event loop.
Connection limits (:class:`beian._shared.http_limits.HttpLimits`) are passed as ``limits``:
they choose the protocol class, so uvicorn's ``h11_max_incomplete_event_size`` alone (which the
default httptools protocol ignores) is never the only bound. :class:`ConnectionLimitsConfig` is
those limits as a section of ``beian.yaml`` (for the servers that do not have a limits section of
their own), with :class:`HttpLimits`'s defaults.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from pydantic import BaseModel, ConfigDict, Field

from beian._shared.http_limits import HttpLimits, uvicorn_options

__all__ = ["ConnectionLimitsConfig", "Served", "Server", "serve_in_thread", "server_config"]

START_TIMEOUT_S = 20


class ConnectionLimitsConfig(BaseModel):
    """:class:`HttpLimits` as a configuration section (same names, same defaults), validated."""

    model_config = ConfigDict(extra="forbid")

    max_header_bytes: int = Field(
        HttpLimits.max_header_bytes, ge=1024, description="请求行与请求头的总字节数上限（超出 431）"
    )
    max_headers: int = Field(HttpLimits.max_headers, ge=8, description="请求头个数上限（超出 431）")
    header_timeout_s: float = Field(
        HttpLimits.header_timeout_s,
        gt=0,
        description="连接建立或上一应答结束后，请求头须在此秒数内收齐",
    )
    idle_timeout_s: float = Field(
        HttpLimits.idle_timeout_s, gt=0, description="长连接（keep-alive）空闲多少秒后关闭"
    )
    write_timeout_s: float = Field(
        HttpLimits.write_timeout_s, gt=0, description="客户端不读取应答多少秒后断开"
    )

    def http_limits(self) -> HttpLimits:
        """The limits that :func:`server_config` enforces."""
        return HttpLimits(**self.model_dump(include=set(ConnectionLimitsConfig.model_fields)))


@dataclass(frozen=True)
class Served:
    """Where a served app listens: ``url`` is ``http://host:port`` (no trailing slash)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class Server(uvicorn.Server):
    """uvicorn's server that calls ``on_started`` once it listens and ``on_shutdown`` when a
    shutdown begins, and keeps its event loop (``loop``)."""

    def __init__(
        self,
        config: uvicorn.Config,
        on_started: Callable[[], None] | None = None,
        on_shutdown: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._on_shutdown = on_shutdown
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets)
        if self.started and self._on_started is not None:
            self._on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._on_shutdown is not None:
            self._on_shutdown()
        await super().shutdown(sockets)


def server_config(app: Any, *, limits: HttpLimits | None = None, **config: Any) -> uvicorn.Config:
    """``uvicorn.Config`` for ``app``; with ``limits``, the connection limits are enforced."""
    config.setdefault("access_log", False)
    # uvicorn's default believes X-Forwarded-For from 127.0.0.1 (any local client, or a proxy
    # that passes the header on); a server that trusts a proxy says so (``proxy_headers``)
    config.setdefault("proxy_headers", False)
    if limits is not None:
        config = {**uvicorn_options(limits), **config}
    return uvicorn.Config(app, **config)


@contextlib.contextmanager
def serve_in_thread(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    name: str = "beian-server",
    log_level: str = "critical",
    stop_timeout: float = 30,
    limits: HttpLimits | None = None,
    on_shutdown: Callable[[], None] | None = None,
    **config: Any,
) -> Iterator[Served]:
    """Serve ``app`` with uvicorn in a thread for the duration of the ``with`` block.

    Extra keyword arguments go to ``uvicorn.Config`` (``lifespan="off"``,
    ``timeout_graceful_shutdown=…``); ``limits`` are the connection limits, ``on_shutdown`` is
    called when the server begins to stop. Raises ``RuntimeError`` when the server does not
    start.
    """
    cfg = server_config(app, limits=limits, host=host, port=port, log_level=log_level, **config)
    server = Server(cfg, on_shutdown=on_shutdown)

    def run() -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind: reported below
            server.run()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"{name} failed to start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Served(host, bound)
    finally:
        server.should_exit = True
        thread.join(timeout=stop_timeout)
