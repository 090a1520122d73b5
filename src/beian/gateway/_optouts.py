"""The training opt-out of the user a request names: asked off the event loop, in batches.

Every exchange records whether its user had opted out of training use when it arrived. The
answer is in the records database, which several gateway processes and hosts share (one user's
choice made through any of them holds everywhere), so it is asked for, not remembered: a
PostgreSQL round trip, or a SQLite read that may wait on the disk. :class:`OptOutLookup` asks in
one thread of its own, never on the event loop, and asks for every request waiting at that
moment in one query (:meth:`RecordStore.opted_out_among`): under load one round trip serves
many requests. A request's answer always comes from a query that began after it arrived (one
already under way is not joined), so a choice committed anywhere before a request arrives is the
one its record gets.

``records.opt_out_cache_s`` (default 0: no cache) lets a process reuse an answer for that many
seconds: a choice made through another process or host then takes effect within that bound
(this process's own changes at once). Answers of a query that began before a change made
through this process are not kept.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beian.gateway._store import RecordStore

__all__ = ["OptOutLookup"]


class OptOutLookup:
    """Opt-out lookups for the request path of one gateway process."""

    def __init__(self, store: RecordStore, cache_s: float = 0.0) -> None:
        self.store = store
        self.cache_s = cache_s  # replaced on a configuration reload
        self.queries = 0  # round trips made (one per batch)
        self._waiting: dict[str, list[asyncio.Future[bool]]] = {}
        self._drainer: asyncio.Task[None] | None = None
        self._cache: dict[str, tuple[float, bool]] = {}  # hash → (valid until, opted out)
        self._changes = 0  # choices changed through this process (see forget)
        self._asking = 0  # requests whose answer the query under way will give
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="beian-gateway-optout")
        store.on_opt_out = self.forget

    async def opted_out(self, user: str | None) -> bool:
        """Whether ``user`` has opted out of training use (False for no user)."""
        if not user:
            return False
        h = self.store.user_hash(user)
        if self.cache_s > 0 and (got := self._cache.get(h)) is not None:
            if got[0] > time.monotonic():
                return got[1]
            del self._cache[h]
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(h, []).append(fut)
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await fut

    @property
    def pending(self) -> int:
        """Requests waiting for their answer (in the query under way, or for the next one)."""
        return self._asking + sum(map(len, self._waiting.values()))

    def forget(self, user_hash: str) -> None:
        """A user's choice changed through this process: its cached answer goes (called from
        any thread; ``dict.pop`` and the counter are atomic under the interpreter lock)."""
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
                keep = self.cache_s > 0 and changes == self._changes
                for h, futs in batch.items():
                    out = h in found
                    if keep:
                        self._cache[h] = (began + self.cache_s, out)
                    for f in futs:
                        if not f.done():  # its request may have been cancelled meanwhile
                            f.set_result(out)
                if keep and len(self._cache) > 100_000:  # bounded: drop what has expired
                    now = time.monotonic()
                    self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        finally:
            self._drainer = None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
