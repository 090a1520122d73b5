"""Who may call the operator endpoints: the admin token's strength, lockout after repeated
wrong tokens, and the client address the limits are counted against."""

from __future__ import annotations

import hmac
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from starlette.requests import Request

from beian.gateway._config import AccessConfig

__all__ = ["ADMIN_TOKEN_MIN_CHARS", "AdminGuard", "Verdict", "client_address", "token_weakness"]

ADMIN_TOKEN_MIN_CHARS = 24
_MIN_DISTINCT = 10
_MAX_TRACKED = 10_000  # clients remembered (the oldest are forgotten first)


def token_weakness(token: str) -> str | None:
    """Why ``token`` is too weak to guard the admin endpoints (``None``: strong enough)."""
    if len(token) < ADMIN_TOKEN_MIN_CHARS:
        return f"只有 {len(token)} 个字符，至少需要 {ADMIN_TOKEN_MIN_CHARS} 个"
    if len(set(token)) < _MIN_DISTINCT:
        return f"只用了 {len(set(token))} 种字符，至少需要 {_MIN_DISTINCT} 种"
    if any(not c.isprintable() or c.isspace() for c in token):
        return "含空白或不可打印字符"
    return None


def client_address(request: Request, access: AccessConfig) -> str:
    """The client's address: the trusted proxy's header (its last entry), else the peer."""
    if access.client_ip_header:
        value = request.headers.get(access.client_ip_header, "")
        last = value.split(",")[-1].strip()
        if last:
            return last
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    retry_after: int = 0  # > 0: the client is locked out for this many seconds


class AdminGuard:
    """Admin token checks with a lockout: ``admin_max_failures`` wrong tokens from one client
    within ``admin_failure_window_s`` lock it out for ``admin_lockout_s`` (even with the right
    token). Kept in memory per process."""

    def __init__(self) -> None:
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._locked: dict[str, float] = {}

    def check(self, tokens: tuple[str | None, ...], given: str | None, client: str,
              access: AccessConfig, now: float | None = None) -> Verdict:  # fmt: skip
        """Whether ``given`` is one of ``tokens`` (and the client not locked out)."""
        now = time.monotonic() if now is None else now
        until = self._locked.get(client, 0.0)
        if until > now:
            return Verdict(False, max(1, math.ceil(until - now)))
        self._locked.pop(client, None)
        if given is not None and any(
            t and hmac.compare_digest(given.encode(), t.encode()) for t in tokens
        ):
            return Verdict(True)
        if given is None:  # no token at all: not a guess
            return Verdict(False)
        times = self._failures.pop(client, deque())
        self._failures[client] = times  # most recent last
        times.append(now)
        while times and times[0] <= now - access.admin_failure_window_s:
            times.popleft()
        if len(times) >= access.admin_max_failures:
            del self._failures[client]
            self._locked[client] = now + access.admin_lockout_s
            return Verdict(False, max(1, math.ceil(access.admin_lockout_s)))
        while len(self._failures) > _MAX_TRACKED:
            self._failures.popitem(last=False)
        if len(self._locked) > _MAX_TRACKED:
            live = [(c, t) for c, t in self._locked.items() if t > now]
            self._locked = dict(live[-_MAX_TRACKED:])
        return Verdict(False)
