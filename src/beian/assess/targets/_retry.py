"""Waiting before a retry: the provider's ``Retry-After`` honoured up to a configured maximum,
shared by every request to the endpoint, and spread by jitter so the waiting requests do not all
fire at the same moment."""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from datetime import UTC

__all__ = ["Pause", "jittered", "parse_retry_after"]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date); ``None``
    when absent or unreadable."""
    if not value:
        return None
    v = value.strip()
    try:
        seconds = float(v)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(v)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def jittered(seconds: float, jitter: float) -> float:
    """``seconds`` plus up to ``jitter`` of itself, at random (never less than asked)."""
    return seconds * (1.0 + random.uniform(0.0, jitter))


class Pause:
    """A pause the endpoint asked for (``Retry-After``): no request to it starts before the
    pause ends, each then after its own random share of ``jitter``."""

    def __init__(self) -> None:
        self._until = 0.0

    def extend(self, seconds: float) -> None:
        self._until = max(self._until, time.monotonic() + seconds)

    async def wait(self, jitter: float) -> None:
        left = self._until - time.monotonic()
        if left > 0:
            await asyncio.sleep(jittered(left, jitter))
