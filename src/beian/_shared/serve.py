"""Serving an ASGI app in a background thread (tests, benchmarks, the demo).

One implementation: uvicorn in a daemon thread, bound to loopback on a port the OS picks unless
one is given, started before the ``with`` block runs and stopped (gracefully) after it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Served", "serve_in_thread"]

START_TIMEOUT_S = 20


@dataclass(frozen=True)
class Served:
    """Where a served app listens: ``url`` is ``http://host:port`` (no trailing slash)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextlib.contextmanager
def serve_in_thread(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    name: str = "beian-server",
    log_level: str = "critical",
    stop_timeout: float = 30,
    **config: Any,
) -> Iterator[Served]:
    """Serve ``app`` with uvicorn in a thread for the duration of the ``with`` block.

    Extra keyword arguments go to ``uvicorn.Config`` (``lifespan="off"``,
    ``timeout_graceful_shutdown=…``). Raises ``RuntimeError`` when the server does not start.
    """
    import uvicorn

    config.setdefault("access_log", False)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level=log_level, **config)
    )

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
