"""HTTP/1.1 connection limits for uvicorn: header size and count, header, idle and write timeouts.

uvicorn's default protocol (httptools) has no limit on the size of a request's headers and no
timeout before a request's headers are complete: a client may open connections and send nothing,
send a header a byte at a time, or send a 10 MB header that is buffered whole. Its
``h11_max_incomplete_event_size`` only applies to the pure-Python h11 protocol, which uvicorn
does not pick while httptools is installed. :func:`uvicorn_options` gives ``uvicorn.Config`` a
protocol class that enforces :class:`HttpLimits` on httptools (and the same size limit to h11,
should httptools be missing):

* the request line and headers of one request: at most ``max_header_bytes`` bytes and
  ``max_headers`` fields, else ``431`` and the connection is closed;
* from the connection's start, and from the end of each response, the next request's headers
  must be complete within ``header_timeout_s`` (an idle connection that sends nothing, or a
  partial header, is closed); uvicorn's keep-alive timeout (``idle_timeout_s``) still closes an
  idle keep-alive connection sooner;
* a client that reads nothing while the server has ``write_timeout_s`` seconds of output waiting
  (the transport's buffer above its high-water mark) is disconnected: the application sees an
  ``http.disconnect``.

The header deadline is one timer per connection, not one per request: a request's headers
arriving only mark the connection busy, and the timer, when it fires, re-arms itself for the
deadline of the current wait (if any) instead of being cancelled and created again each time.
With httptools, each request's scope also carries the connection's :class:`Disconnect` under
``scope["extensions"][DISCONNECT]``: an application can be told of the connection's loss
without a task waiting on ``receive()`` for ``http.disconnect``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["DISCONNECT", "Disconnect", "HttpLimits", "uvicorn_options"]

DISCONNECT = "beian.disconnect"  # the key of a request scope's extensions (see Disconnect)


@dataclass(frozen=True)
class HttpLimits:
    """Per-connection limits (see the module's docstring)."""

    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    header_timeout_s: float = 10.0
    idle_timeout_s: float = 5.0
    write_timeout_s: float = 30.0


class Disconnect:
    """Callbacks run when a connection is lost (the client went away, or was dropped)."""

    __slots__ = ("_callbacks", "_loop", "gone")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._callbacks: set[Callable[[], None]] = set()
        self.gone = False

    def add(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the connection is lost (soon, if it already is)."""
        if self.gone:
            self._loop.call_soon(callback)
        else:
            self._callbacks.add(callback)

    def discard(self, callback: Callable[[], None]) -> None:
        self._callbacks.discard(callback)

    def fire(self) -> None:
        self.gone = True
        callbacks, self._callbacks = self._callbacks, set()
        for callback in callbacks:
            callback()


_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def _cancel(timer: asyncio.TimerHandle | None) -> asyncio.TimerHandle | None:
    """Cancel ``timer`` (if any); None, for the attribute that held it."""
    if timer is not None:
        timer.cancel()
    return None


class _Guard:
    """What both protocol classes add to uvicorn's (mixed in before them, so ``super()`` is
    uvicorn's protocol)."""

    limits: HttpLimits
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._header_timer: asyncio.TimerHandle | None = None  # one per connection
        self._waiting = False  # for the next request's headers (until _header_by)
        self._header_by = 0.0
        self._write_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._seen_cycle: Any = None
        self._refuse: int | None = None
        self._disconnect: Disconnect | None = None  # made for the connection's first request

    # -- uvicorn's protocol, extended ------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        if self._waiting:  # still waiting for the request's headers
            self._header_bytes += len(data)
        super().data_received(data)  # type: ignore[misc]
        if self.transport.is_closing():
            return
        if self.cycle is not self._seen_cycle:  # a request's headers were completed
            self._seen_cycle = self.cycle
            self._headers_done()
        elif self._waiting and self._header_bytes > self.limits.max_header_bytes:
            self._refuse_now(431)

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._await_headers()

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.limits.write_timeout_s, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()  # type: ignore[misc]
        self._writes_resumed()

    def connection_lost(self, exc: Exception | None) -> None:
        self._waiting = False
        self._header_timer = _cancel(self._header_timer)
        self._writes_resumed()
        super().connection_lost(exc)  # type: ignore[misc]
        if self._disconnect is not None:
            self._disconnect.fire()

    def _scope_disconnect(self, scope: Any) -> None:
        """Put the connection's :class:`Disconnect` in a request's scope."""
        if self._disconnect is None:
            self._disconnect = Disconnect(self.loop)
        extensions = scope.get("extensions")
        if extensions is None:
            scope["extensions"] = {DISCONNECT: self._disconnect}
        else:
            extensions[DISCONNECT] = self._disconnect

    # -- the next request's headers --------------------------------------------------------
    def _await_headers(self) -> None:
        self._header_bytes = 0
        self._waiting = True
        self._header_by = self.loop.time() + self.limits.header_timeout_s
        if self._header_timer is None:
            self._header_timer = self.loop.call_at(self._header_by, self._header_timeout)

    def _headers_done(self) -> None:
        self._waiting = False  # the timer stays: it re-arms itself for the next wait

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._waiting:
            return  # busy with a request: the next wait arms the timer again
        if self.loop.time() < self._header_by:  # an earlier wait's timer: this wait's deadline
            self._header_timer = self.loop.call_at(self._header_by, self._header_timeout)
            return
        if self._header_bytes:
            self._refuse_now(408)
        else:
            self.transport.close()

    def _refuse_now(self, status: int) -> None:
        reason = _REASONS[status]
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, reason, len(reason), reason)
        )
        self.transport.close()

    # -- a client that does not read -------------------------------------------------------
    def _writes_resumed(self) -> None:
        self._write_timer = _cancel(self._write_timer)

    def _stalled(self) -> None:
        self._write_timer = None
        self.transport.abort()  # its buffer will never drain: drop it, the app sees a disconnect


def _protocol_class(limits: HttpLimits) -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools missing: h11, whose own size limit uvicorn passes on
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return type("GuardedH11", (_Guard, H11Protocol), {"limits": limits})

    class Guarded(_Guard, HttpToolsProtocol):
        def on_headers_complete(self) -> None:
            size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
            if size > limits.max_header_bytes or len(self.headers) > limits.max_headers:
                self._refuse = 431
                raise ValueError("request headers over the limit")  # stops the parser
            self._scope_disconnect(self.scope)
            super().on_headers_complete()

        def send_400_response(self, msg: str) -> None:
            if self._refuse is not None:
                self._refuse_now(self._refuse)
            else:
                super().send_400_response(msg)

    Guarded.limits = limits
    return Guarded


def uvicorn_options(limits: HttpLimits) -> dict[str, Any]:
    """``uvicorn.Config`` keyword arguments that enforce ``limits``."""
    return {
        "http": _protocol_class(limits),
        "timeout_keep_alive": limits.idle_timeout_s,
        "h11_max_incomplete_event_size": limits.max_header_bytes,
    }
