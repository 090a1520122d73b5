"""Exchanges in progress, as the gateway can end them from outside their own code.

Every chat request holds an :class:`Inflight` while it runs: its task, a watcher that notices
when the client goes away, and a deadline (``limits.max_duration_s``). When one of these
(or a shutdown past its grace period) ends the exchange, :meth:`Inflight.stop` records why and
cancels the task; the code that catches the cancellation reads :attr:`Inflight.reason` to
record the right outcome and, where the client is still there, to answer with a clean error.
One timer and one watcher per exchange, nothing per streamed chunk.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import Receive

__all__ = ["CLIENT_GONE", "DEADLINE", "SHUTDOWN", "Inflight", "InflightSet"]

CLIENT_GONE = "client_gone"
SHUTDOWN = "shutdown"
DEADLINE = "deadline"


class Inflight:
    """One exchange in progress (see the module's docstring)."""

    __slots__ = ("_owner", "_timer", "_watcher", "reason", "settled", "task")

    def __init__(self, owner: InflightSet, task: asyncio.Task[object] | None) -> None:
        self._owner = owner
        self.task = task
        self.reason: str | None = None
        self.settled = False  # the last bytes are leaving: nothing can stop it now
        self._timer: asyncio.TimerHandle | None = None
        self._watcher: asyncio.Future[None] | None = None

    def stop(self, reason: str) -> None:
        """End the exchange for ``reason`` (the first reason wins)."""
        if self.reason is None and not self.settled and self.task is not None:
            self.reason = reason
            self.task.cancel()

    def watch(self, receive: Receive) -> None:
        """Notice the client going away (call once the request body has been read)."""
        if self._watcher is None:
            self._watcher = asyncio.ensure_future(self._watch(receive))

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.stop(CLIENT_GONE)

    def settle(self) -> None:
        """The answer's last bytes are being sent: no stop from now on."""
        self.settled = True
        if self._watcher is not None:
            self._watcher.cancel()

    def close(self) -> None:
        self.settle()
        if self._timer is not None:
            self._timer.cancel()
        self._owner.items.discard(self)


class InflightSet:
    """The exchanges in progress in one gateway; ends them all on shutdown."""

    def __init__(self) -> None:
        self.items: set[Inflight] = set()
        self.stopping = False
        self._end: asyncio.TimerHandle | None = None

    def open(self, max_duration_s: float) -> Inflight:
        h = Inflight(self, asyncio.current_task())
        h._timer = asyncio.get_running_loop().call_later(max_duration_s, h.stop, DEADLINE)
        self.items.add(h)
        return h

    def begin_shutdown(self, grace_s: float) -> None:
        """The server stops: what is still in flight after ``grace_s`` is ended cleanly."""
        if self.stopping:
            return
        self.stopping = True
        with contextlib.suppress(RuntimeError):  # no running loop: nothing is in flight
            loop = asyncio.get_running_loop()
            self._end = loop.call_later(grace_s, self.end_all)

    def end_all(self) -> None:
        for h in list(self.items):
            h.stop(SHUTDOWN)
