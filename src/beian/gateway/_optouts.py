"""The training opt-out of the user a request names: asked off the event loop, in batches.

Every exchange records whether its user had opted out of training use when it arrived. The
answer is in the records database, which several gateway processes and hosts share (one user's
choice made through any of them holds everywhere), so it is asked for, not remembered. On
PostgreSQL that is a network round trip: :class:`OptOutLookup` asks in one thread of its own,
never on the event loop, and asks for every request waiting at that moment in one query
(:meth:`RecordStore.opted_out_among`): under load one round trip serves many requests. A
request's answer always comes from a query that began after it arrived (one already under way is
not joined), so a choice committed anywhere before a request arrives is the one its record gets.
On SQLite the read is a few microseconds in this process that never waits for a writer (WAL):
it is made on the event loop, where a hand-over to a thread would cost the loop more (measured
here: about 8 µs inline; the hand-over of a lone request about 90 µs of loop time).

``records.opt_out_cache_s`` (default 0: no cache) lets a process reuse an answer for that many
seconds: a choice made through another process or host then takes effect within that bound
(this process's own changes at once). Answers of a query that began before a change made
through this process are not kept; lowering it on a reload drops what was kept.

A lookup waits at most ``records.opt_out_timeout_s`` (default 5 s; a database that hangs must
not pile requests up): past that it fails closed, the request goes on as that of a user who
opted out (its record is kept out of training use), with a warning in the log, counted in
``/metrics`` (``beian_gateway_opt_out_timeouts_total``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beian.gateway._store import RecordStore

__all__ = ["OptOutLookup"]

log = logging.getLogger("beian.gateway")


class OptOutLookup:
    """Opt-out lookups for the request path of one gateway process."""

    def __init__(self, store: RecordStore, cache_s: float = 0.0, timeout_s: float = 5.0) -> None:
        self.store = store
        self.cache_s = cache_s  # replaced on a configuration reload (see configure)
        self.timeout_s = timeout_s
        self.queries = 0  # round trips made (one per batch)
        self.timeouts = 0  # lookups that failed closed (see the module docstring)
        self.on_timeout: Callable[[], None] | None = None  # told of each (the metrics' counter)
        self._waiting: dict[str, list[asyncio.Future[bool]]] = {}
        self._drainer: asyncio.Task[None] | None = None
        self._cache: dict[str, tuple[float, bool]] = {}  # hash → (valid until, opted out)
        self._cache_lock = threading.Lock()  # forget() runs in other threads
        self._changes = 0  # choices changed through this process (see forget)
        self._asking = 0  # requests whose answer the query under way will give
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="beian-gateway-optout")
        self.inline = store.engine.dialect.name == "sqlite"  # no round trip (see above)
        store.on_opt_out = self.forget

    async def opted_out(self, user: str | None) -> bool:
        """Whether ``user`` has opted out of training use (False for no user)."""
        if not user:
            return False
        h = self.store.user_hash(user)
        if self.cache_s > 0 and (got := self._cache.get(h)) is not None:
            if got[0] > time.monotonic():
                return got[1]
            with self._cache_lock:
                self._cache.pop(h, None)
        if self.inline:
            began, changes = time.monotonic(), self._changes
            self.queries += 1
            out = bool(self.store.opted_out_among([h]))
            self._keep(h, out, began, changes)
            return out
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(h, []).append(fut)
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        try:
            async with asyncio.timeout(self.timeout_s):
                return await fut
        except TimeoutError:
            waiting = self._waiting.get(h)
            if waiting is not None and fut in waiting:  # not asked yet: no longer waits
                waiting.remove(fut)
                if not waiting:
                    del self._waiting[h]
            self.timeouts += 1
            if self.on_timeout is not None:
                self.on_timeout()
            log.warning("“不用于训练”设置查询超时（>%g 秒），该请求按已选择不用于训练处理",
                        self.timeout_s)  # fmt: skip
            return True

    def configure(self, cache_s: float, timeout_s: float) -> None:
        """A configuration reload: a shorter cache bound applies to answers kept before it too
        (they are dropped)."""
        if cache_s < self.cache_s:
            with self._cache_lock:
                self._cache.clear()
        self.cache_s, self.timeout_s = cache_s, timeout_s

    @property
    def pending(self) -> int:
        """Requests waiting for their answer (in the query under way, or for the next one)."""
        return self._asking + sum(map(len, self._waiting.values()))

    def forget(self, user_hash: str) -> None:
        """A user's choice changed through this process: its cached answer goes (called from
        any thread: the cache is changed under its lock)."""
        with self._cache_lock:
            self._changes += 1
            self._cache.pop(user_hash, None)

    async def _drain(self) -> None:
        """Ask for every waiting hash, one batch at a time, until none waits."""
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                began, changes = time.monotonic(), self._changes
                self._asking = sum(map(len, batch.values()))
                try:
                    found = await loop.run_in_executor(
                        self._pool, self.store.opted_out_among, list(batch)
                    )
                except Exception as exc:  # the database failed: every waiting request fails
                    for futs in batch.values():
                        for f in futs:
                            if not f.done():
                                f.set_exception(exc)
                    continue
                finally:
                    self.queries += 1
                    self._asking = 0
                for h, futs in batch.items():
                    out = h in found
                    try:
                        self._keep(h, out, began, changes)
                    finally:  # every waiting request gets its answer, whatever happens
                        for f in futs:
                            if not f.done():  # its request may have been cancelled meanwhile
                                f.set_result(out)
        finally:
            self._drainer = None

    def _keep(self, h: str, out: bool, began: float, changes: int) -> None:
        """Cache an answer asked at ``began`` (when caching, and nothing changed meanwhile
        through this process); bounded: past 100,000 answers the expired ones go (all of them
        when over half are still valid)."""
        if self.cache_s <= 0:
            return
        with self._cache_lock:
            if changes != self._changes:
                return
            self._cache[h] = (began + self.cache_s, out)
            if len(self._cache) > 100_000:
                now = time.monotonic()
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
                if len(self._cache) > 50_000:  # that many users within cache_s: start afresh
                    self._cache.clear()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
