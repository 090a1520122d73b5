"""Login back-off: an exponential delay per account and per address, never a hard block.

Every login try first *takes a try* from its buckets (``user:<name>`` or, for a browser the
user signed in from before, ``device:<id>``; and ``ip:<address>``) in one short transaction
that locks the bucket rows (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
IMMEDIATE`` serialises writers). A try counts as a failure until it succeeds, so concurrent
guesses cannot slip past the count: after ``free`` failures each further one makes the next
try wait ``base × 2^n`` seconds (capped), and a try inside the wait is refused unchecked.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from beian.registry.db import LoginThrottle

__all__ = ["Backoff", "RateLimited", "clear_buckets", "take_try", "undo_try"]


class RateLimited(Exception):
    """Too many failed logins for this user name or address: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Backoff:
    free: int  # failures allowed before the first delay
    base_s: float
    max_s: float
    forget_s: float  # failures are forgotten after this long without one

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.max_s, self.base_s * 2 ** min(failures - self.free, 60)))


def _ensure(db: Session, keys: list[str]) -> None:
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(LoginThrottle).values([{"key": k, "failures": 0} for k in keys])
               .on_conflict_do_nothing())


def take_try(db: Session, buckets: dict[str, Backoff], now: dt.datetime) -> None:
    """Count one try on every bucket, or raise :class:`RateLimited` if any is still waiting."""
    keys = sorted(buckets)
    _ensure(db, keys)
    rows = {r.key: r for r in db.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key)
        .with_for_update().execution_options(populate_existing=True))}
    wait = max(((r.next_at - now).total_seconds() for r in rows.values()
                if r.next_at is not None and r.next_at > now), default=0.0)
    if wait > 0:
        raise RateLimited(math.ceil(wait))
    for key in keys:
        row, rule = rows[key], buckets[key]
        if row.last_at is not None and (now - row.last_at).total_seconds() > rule.forget_s:
            row.failures = 0
        row.failures += 1
        row.last_at = now
        delay = rule.delay(row.failures)
        row.next_at = now + dt.timedelta(seconds=delay) if delay else None


def clear_buckets(db: Session, keys: list[str]) -> None:
    """Forget the failures of ``keys`` (after a successful login, an administrator's reset)."""
    db.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


def undo_try(db: Session, buckets: dict[str, Backoff]) -> None:
    """Take back the count of a try that succeeded, on buckets that other people share (an
    office's address), so that good logins never add up to a delay."""
    for row in db.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(sorted(buckets)))
                          .order_by(LoginThrottle.key).with_for_update()):
        row.failures = max(0, row.failures - 1)
        delay = buckets[row.key].delay(row.failures)
        row.next_at = row.last_at + dt.timedelta(seconds=delay) if delay and row.last_at else None
