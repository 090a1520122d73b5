"""Running the gateway: in the foreground (the CLI) or in a thread (tests, benchmarks)."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from beian._shared.http_limits import HttpLimits
from beian._shared.serve import Server, server_config
from beian._shared.serve import serve_in_thread as shared_serve
from beian.gateway._app import create_app
from beian.gateway._config import GatewayConfig
from beian.gateway._gateway import Gateway, GatewayOptions
from beian.gateway._identity import refuse_unverified_public

__all__ = [
    "RunningGateway",
    "Server",
    "configure_logging",
    "http_limits",
    "make_server",
    "run_gateway",
    "serve_forever",
    "serve_in_thread",
]


@dataclass
class RunningGateway:
    """A gateway serving on loopback: ``base_url`` ends in ``/v1`` as OpenAI clients expect."""

    gateway: Gateway
    root_url: str
    port: int

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"


# after the grace period the gateway ends what is still in flight itself (an error event or an
# error answer, and a record); uvicorn's own cancellation comes this much later
_SHUTDOWN_MARGIN_S = 5.0


def http_limits(gw: Gateway) -> HttpLimits:
    """The connection limits of ``gw``'s configuration (fixed when it starts serving)."""
    return gw.config.limits.http_limits()


def _server_options(gw: Gateway) -> dict[str, Any]:
    return {
        "limits": http_limits(gw),
        "timeout_graceful_shutdown": gw.config.limits.shutdown_grace_s + _SHUTDOWN_MARGIN_S,
    }


@contextlib.contextmanager
def serve_in_thread(
    gw: Gateway, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningGateway]:
    """Serve ``gw`` in a background thread; on exit stop it (what is in flight gets
    ``limits.shutdown_grace_s`` to finish), flush and close the records."""
    try:
        refuse_unverified_public(gw.config, host)
        with shared_serve(
            create_app(gw), host=host, port=port, name="beian-gateway",
            on_shutdown=gw.begin_shutdown,
            stop_timeout=gw.config.limits.shutdown_grace_s + 2 * _SHUTDOWN_MARGIN_S + 20,
            **_server_options(gw),
        ) as served:
            yield RunningGateway(gw, served.url, served.port)
    finally:
        gw.close()


def configure_logging(quiet: bool) -> None:
    """One JSON line per exchange on stderr (unless ``quiet``); gateway events at INFO."""
    access = logging.getLogger("beian.gateway.access")
    if not any(getattr(h, "_beian", False) for h in access.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._beian = True  # type: ignore[attr-defined]
        access.addHandler(handler)
    access.setLevel(logging.WARNING if quiet else logging.INFO)
    logging.getLogger("beian.gateway").setLevel(logging.INFO)


def make_server(
    gw: Gateway, host: str, port: int, on_started: Callable[[], None] | None = None
) -> Server:
    config = server_config(
        create_app(gw), host=host, port=port, log_level="warning", **_server_options(gw)
    )
    return Server(config, on_started=on_started, on_shutdown=gw.begin_shutdown)


def serve_forever(gw: Gateway, server: Server, sockets: list[socket.socket] | None = None) -> None:
    """Serve until SIGTERM/SIGINT (graceful: what is in flight gets ``limits.shutdown_grace_s``
    to finish, then ends with an error and a record); SIGHUP reloads the config file; the
    records are flushed and closed before this returns."""
    log = logging.getLogger("beian.gateway")

    def _reload() -> None:
        result = gw.reload()
        (log.info if result.ok else log.error)("SIGHUP：%s", result.message)

    def _hup(signum: int, frame: object) -> None:
        # reload as a callback of the event loop, not inside whatever code the signal interrupted
        if server.loop is not None and server.loop.is_running():
            server.loop.call_soon_threadsafe(_reload)
        else:
            _reload()

    def _exit(signum: int, frame: object) -> None:
        server.should_exit = True

    with contextlib.suppress(ValueError, AttributeError):  # not the main thread / no SIGHUP
        signal.signal(signal.SIGHUP, _hup)
        # uvicorn handles SIGTERM/SIGINT while serving and re-raises them after a graceful
        # shutdown into these handlers (so the records are closed and the process exits with
        # status 0); one that arrives before uvicorn takes over stops the server as soon as
        # it has started
        signal.signal(signal.SIGTERM, _exit)
        signal.signal(signal.SIGINT, _exit)
    try:
        server.run(sockets)
    finally:
        with contextlib.suppress(ValueError, AttributeError):
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # no reload of a closed gateway
        gw.close()


def run_gateway(
    config: GatewayConfig,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    on_ready: Callable[[int], None] | None = None,
    trusted_proxies: tuple[str, ...] = (),
) -> None:
    """Serve ``config`` in the foreground (one process) until interrupted; SIGHUP reloads the
    config file; ``on_ready(port)`` is called once the gateway listens; ``trusted_proxies``:
    reverse proxies trusted besides the config's (``--trusted-proxies``)."""
    options = GatewayOptions(settle_heap=True, host=host, trusted_proxies=trusted_proxies)
    gw = Gateway(config, options=options)
    server: Server

    def started() -> None:
        if on_ready is not None:
            on_ready(int(server.servers[0].sockets[0].getsockname()[1]))

    server = make_server(gw, host, port, on_started=started)
    serve_forever(gw, server)
