"""Who may call the operator endpoints: the admin token's strength, lockout after repeated
wrong tokens, and the client address the limits are counted against."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import math
import os
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.exc import OperationalError
from starlette.requests import Request

from beian._shared.database import serialize
from beian.errors import ConfigError
from beian.gateway._config import AccessConfig
from beian.gateway._db import (
    DirectReader,
    admin_failures,
    admin_lockouts,
    open_database,
    release_engine,
    upsert,
)

__all__ = ["ADMIN_TOKEN_MIN_CHARS", "AdminGuard", "Verdict", "client_address", "token_weakness",
           "trusted_networks"]  # fmt: skip

ADMIN_TOKEN_MIN_CHARS = 24
_MIN_DISTINCT = 10
_MAX_TRACKED = 10_000  # wrong tokens remembered (the oldest are forgotten first)
_BUSY_S = 1.0
log = logging.getLogger("beian.gateway")
_f, _l = admin_failures.c, admin_lockouts.c
_LOCKED = select(_l.until).where(_l.client == bindparam("client"), _l.until > bindparam("now"))


def token_weakness(token: str) -> str | None:
    """Why ``token`` is too weak to guard the admin endpoints (``None``: strong enough)."""
    if len(token) < ADMIN_TOKEN_MIN_CHARS:
        return f"只有 {len(token)} 个字符，至少需要 {ADMIN_TOKEN_MIN_CHARS} 个"
    if len(set(token)) < _MIN_DISTINCT:
        return f"只用了 {len(set(token))} 种字符，至少需要 {_MIN_DISTINCT} 种"
    if any(not c.isprintable() or c.isspace() for c in token):
        return "含空白或不可打印字符"
    return None


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=16)
def trusted_networks(proxies: tuple[str, ...], where: str = "access.trusted_proxies") -> tuple[_Network, ...]:
    """``proxies`` (addresses or networks, ``10.0.0.0/8``) parsed; a :class:`ConfigError`
    names one that is neither."""
    out = []
    for p in proxies:
        try:
            out.append(ipaddress.ip_network(p.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"可信代理地址无效：{p!r}", where=where,
                              fix="写 IP 地址或网段，如 127.0.0.1、10.0.0.0/8、::1") from None  # fmt: skip
    return tuple(out)


def _trusted(host: str, networks: tuple[_Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(
    request: Request, access: AccessConfig, extra_proxies: tuple[str, ...] = ()
) -> str:
    """The client's address: the peer, unless the peer is one of the trusted proxies
    (``access.trusted_proxies`` and ``extra_proxies``); then the rightmost address in its
    forwarded header (``access.client_ip_header``, default ``X-Forwarded-For``) that is not
    itself a trusted proxy. Headers from any other peer are ignored: a client cannot choose
    the address its limits, lockouts and records are counted against."""
    peer = request.client.host if request.client else "unknown"
    proxies = (*access.trusted_proxies, *extra_proxies)
    if not proxies:
        return peer
    networks = trusted_networks(proxies)
    if not _trusted(peer, networks):
        return peer
    hops = request.headers.get(access.client_ip_header or "X-Forwarded-For", "").split(",")
    found = peer
    for hop in reversed(hops):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not an address: what the proxies added ends here
        found = hop
        if not _trusted(hop, networks):
            break
    return found


@dataclass(frozen=True)
class Verdict:
    ok: bool
    retry_after: int = 0  # > 0: the client is locked out for this many seconds


class AdminGuard:
    """Admin token checks with a lockout: ``admin_max_failures`` wrong tokens from one client
    within ``admin_failure_window_s`` lock it out for ``admin_lockout_s`` (even with the right
    token). The counts live in the records database (``path``), so every worker process and
    every gateway on that file shares them: a guesser gains nothing from reaching another worker.
    Wall-clock times, as the processes share no monotonic clock."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        # checked on the event loop: wait for another SQLite writer briefly, never for long
        self._engine = open_database(path, busy_timeout_s=_BUSY_S)
        self._reader = DirectReader(self._engine)  # asked on the event loop
        self._locked: dict[str, float] = {}  # lockouts this process has seen (saves a query)

    def close(self) -> None:
        self._reader.close()
        release_engine(self._engine)

    def check(self, tokens: tuple[str | None, ...], given: str | None, client: str,
              access: AccessConfig, now: float | None = None) -> Verdict:  # fmt: skip
        """Whether ``given`` is one of ``tokens`` (and the client not locked out)."""
        now = time.time() if now is None else now
        until = self._locked.get(client, 0.0)
        if until <= now:
            self._locked.pop(client, None)
            until = self._locked_until(client, now)
        if until > now:
            return Verdict(False, max(1, math.ceil(until - now)))
        if given is not None and any(
            t and hmac.compare_digest(given.encode(), t.encode()) for t in tokens
        ):
            return Verdict(True)
        if given is None:  # no token at all: not a guess
            return Verdict(False)
        try:
            locks = self._fail(client, now, access)
        except OperationalError:  # the database is busy: refused, the guess not counted
            log.warning("管理令牌错误次数未能记入记录库（数据库忙）")
            return Verdict(False)
        if locks:
            if len(self._locked) >= _MAX_TRACKED:
                self._locked.clear()
            self._locked[client] = now + access.admin_lockout_s
            return Verdict(False, max(1, math.ceil(access.admin_lockout_s)))
        return Verdict(False)

    def _locked_until(self, client: str, now: float) -> float:
        until = self._reader.scalar(_LOCKED, {"client": client, "now": now})
        return float(until) if until is not None else 0.0

    def _fail(self, client: str, now: float, access: AccessConfig) -> bool:
        """Count a wrong token from ``client``; whether that locks it out (in one transaction,
        serialized with every other process's, so that workers and hosts counting at once
        cannot both miss the limit)."""
        with self._engine.begin() as db:
            serialize(db, "beian-gateway-admin-failures")
            db.execute(delete(admin_failures).where(_f.at <= now - access.admin_failure_window_s))
            db.execute(delete(admin_lockouts).where(_l.until <= now))
            db.execute(insert(admin_failures), {"client": client, "at": now})
            n = db.execute(
                select(func.count()).select_from(admin_failures).where(_f.client == client)
            ).scalar_one()
            locked = n >= access.admin_max_failures
            if locked:
                db.execute(delete(admin_failures).where(_f.client == client))
                db.execute(upsert(db, admin_lockouts, "client"),
                           {"client": client, "until": now + access.admin_lockout_s})  # fmt: skip
            # a flood from many addresses: the oldest failures are forgotten first
            kept = select(_f.at).order_by(_f.at.desc()).offset(_MAX_TRACKED - 1).limit(1)
            if (oldest := db.execute(kept).scalar()) is not None:
                db.execute(delete(admin_failures).where(_f.at < oldest))
        return bool(locked)
