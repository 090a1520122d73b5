"""Exchanges in progress, as the gateway can end them from outside their own code.

Every chat request holds an :class:`Inflight` while it runs: its task, a watch that notices
when the client goes away, and its deadlines (the request body within ``limits.body_timeout_s``,
the whole exchange within ``limits.max_duration_s``). When one of these (or a shutdown past its
grace period) ends the exchange, :meth:`Inflight.stop` records why and cancels the task; the
code that catches the cancellation reads :attr:`Inflight.reason` to record the right outcome
and, where the client is still there, to answer with a clean error.

One timer per exchange, for both deadlines (armed for the nearer one; an exchange that outlives
the body deadline re-arms it once), and no task for the watch where the server tells the
connection's loss itself (:data:`beian._shared.http_limits.DISCONNECT`, the gateway's own
uvicorn protocol); elsewhere a watcher task waits for ``http.disconnect``. Nothing per chunk.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import Receive, Scope

from beian._shared.http_limits import DISCONNECT, Disconnect

__all__ = ["BODY_TIMEOUT", "CLIENT_GONE", "DEADLINE", "SHUTDOWN", "Inflight", "InflightSet"]

CLIENT_GONE = "client_gone"
SHUTDOWN = "shutdown"
DEADLINE = "deadline"
BODY_TIMEOUT = "body_timeout"  # the request body did not arrive in time (see body_read)


class Inflight:
    """One exchange in progress (see the module's docstring)."""

    __slots__ = ("_body_by", "_ends", "_lost", "_owner", "_timer", "_watcher", "body_in", "reason",
                 "settled", "task")  # fmt: skip

    def __init__(self, owner: InflightSet, task: asyncio.Task[object] | None) -> None:
        self._owner = owner
        self.task = task
        self.reason: str | None = None
        self.settled = False  # the last bytes are leaving: nothing can stop it now
        self.body_in = False  # the request body has been read (its deadline no longer applies)
        self._timer: asyncio.TimerHandle | None = None
        self._ends = self._body_by = 0.0  # loop times of the two deadlines
        self._watcher: asyncio.Future[None] | None = None
        self._lost: Disconnect | None = None  # the connection's loss callbacks, when watched

    def _arm(self, loop: asyncio.AbstractEventLoop, max_duration_s: float,
             body_timeout_s: float | None) -> None:  # fmt: skip
        now = loop.time()
        self._ends = now + max_duration_s
        self._body_by = self._ends if body_timeout_s is None else now + body_timeout_s
        self._timer = loop.call_at(min(self._ends, self._body_by), self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._body_by < self._ends:  # armed for the body's deadline
            if not self.body_in:
                self.stop(BODY_TIMEOUT)
                return
            loop = asyncio.get_running_loop()
            self._body_by = self._ends
            if loop.time() < self._ends:  # the body came in time: the exchange's deadline next
                self._timer = loop.call_at(self._ends, self._expire)
                return
        self.stop(DEADLINE)

    def body_read(self) -> None:
        """The request body is in: only the exchange's deadline applies from now on."""
        self.body_in = True

    def stop(self, reason: str) -> None:
        """End the exchange for ``reason`` (the first reason wins)."""
        if self.reason is None and not self.settled and self.task is not None:
            self.reason = reason
            self.task.cancel()

    def watch(self, receive: Receive, scope: Scope | None = None) -> None:
        """Notice the client going away (call once the request body has been read): told by
        the server where ``scope`` carries :data:`DISCONNECT`, else by a watcher task."""
        if self._watcher is not None or self._lost is not None or self.settled:
            return
        lost = scope.get("extensions", {}).get(DISCONNECT) if scope is not None else None
        if isinstance(lost, Disconnect):
            self._lost = lost
            lost.add(self._client_gone)
        else:
            self._watcher = asyncio.ensure_future(self._watch(receive))

    def _client_gone(self) -> None:
        self.stop(CLIENT_GONE)

    async def _watch(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self.stop(CLIENT_GONE)

    def settle(self) -> None:
        """The answer's last bytes are being sent: no stop from now on."""
        self.settled = True
        if self._lost is not None:
            self._lost.discard(self._client_gone)
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

    def open(self, max_duration_s: float, body_timeout_s: float | None = None) -> Inflight:
        """The current task's exchange: ended after ``max_duration_s``, or after
        ``body_timeout_s`` unless :meth:`Inflight.body_read` was called before."""
        h = Inflight(self, asyncio.current_task())
        h._arm(asyncio.get_running_loop(), max_duration_s, body_timeout_s)
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
