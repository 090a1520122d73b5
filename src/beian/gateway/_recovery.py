"""Crash recovery of the record store: exchanges left ``in_progress`` by dead gateway processes.

A gateway process writes each exchange twice (arrival, end); one killed in between leaves its
exchanges ``in_progress``. :func:`mark_crashed` (behind :meth:`~._store.RecordStore.recover`,
run when a gateway starts) marks ``crash`` those of processes that no longer exist: on this host,
a process id that is gone (or a live one whose sign of life is stale: a reused process id); on
another host, a process whose last sign of life in ``gateway_processes`` is older than
``stale_s``. The rows of those processes in ``gateway_processes`` are deleted with them.
"""

from __future__ import annotations

import logging
import os
import time

from sqlalchemy import Engine, bindparam, delete, select, update

from beian.crypto import FieldCipher
from beian.gateway._db import IN_PROGRESS, exchanges, processes

__all__ = ["CRASH", "mark_crashed"]

log = logging.getLogger("beian.gateway.records")

CRASH = "crash"
_CRASHED = "网关进程在这次对话结束前意外退出；记录在网关重新启动时补全，客户端收到的内容不详"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def mark_crashed(
    engine: Engine,
    reads: Engine,
    cipher: FieldCipher,
    *,
    host: str,
    pid: int,
    stale_s: float,
) -> int:
    """Mark ``crash`` the exchanges left in progress by processes that no longer exist (this
    process is ``host``/``pid``; ``reads``: the engine that reads without waiting for writers);
    how many were marked."""
    this_host, this_pid = host, pid
    x = exchanges.c
    now = time.time()
    p = processes.c
    with reads.connect() as conn:
        owners = [(h, pid) for h, pid in conn.execute(
            select(x.host, x.pid).where(x.outcome == IN_PROGRESS).distinct())]  # fmt: skip
        seen = {(h, pid): s for h, pid, s in conn.execute(select(p.host, p.pid, p.seen))}

    def gone(host: str | None, pid: int | None) -> bool:
        if host is None or pid is None:  # unknown owner: nobody will complete it
            return True
        if host == this_host and pid == this_pid:
            return False
        stale = seen.get((host, pid), 0.0) < now - stale_s
        # on this host: a process that is gone, or a live one that is no gateway (a reused
        # process id: a gateway's writer signs its life every heartbeat_s)
        return (not _alive(pid) or stale) if host == this_host else stale

    dead = [(host, pid) for host, pid in owners if gone(host, pid)]
    marked = 0
    for host, pid in dead:
        owner = [x.host.is_(None) if host is None else x.host == host,
                 x.pid.is_(None) if pid is None else x.pid == pid]  # fmt: skip
        with engine.begin() as conn:
            ids = conn.execute(select(x.id).where(x.outcome == IN_PROGRESS, *owner)).scalars().all()
            if ids:
                conn.execute(
                    update(exchanges)
                    .where(x.id == bindparam("b_id"), x.outcome == IN_PROGRESS)
                    .values(outcome=CRASH, http_status=0, error_enc=bindparam("err")),
                    [{"b_id": rid, "err": cipher.encrypt(_CRASHED, aad=rid)}
                     for rid in ids],
                )  # fmt: skip
            if host is not None and pid is not None:
                conn.execute(delete(processes).where(p.host == host, p.pid == pid))
        marked += len(ids)
    if marked:
        log.warning("%d 条进行中的对话记录属于已退出的网关进程，已标为 crash", marked)
    return marked
