"""What the worker processes and their supervisor say to each other (see :mod:`._workers`).

Each message is a frozen dataclass sent whole over the worker's pipe; the receiver matches on
its type. A worker tells the supervisor that it could not start (:class:`StartFailed`), that it
listens (:class:`Ready`), how a reload went (:class:`Reloaded`, :class:`ReloadFailed`), and
that a reload asked of it over ``/admin/reload`` should reach the others
(:class:`ReloadOthers`); the supervisor answers the last with every other worker's outcome
(:class:`ReloadAnswer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beian.gateway._config import GatewayConfig

__all__ = [
    "Ready",
    "ReloadAnswer",
    "ReloadFailed",
    "ReloadOthers",
    "Reloaded",
    "StartFailed",
    "ToSupervisor",
    "ToWorker",
    "WorkerReload",
]


@dataclass(frozen=True)
class WorkerReload:
    """One worker's reload outcome (``worker`` is None when no answer came in time)."""

    worker: int | None
    ok: bool
    version: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"worker": self.worker, "ok": self.ok, "version": self.version,
                "message": self.message}  # fmt: skip


# -- worker → supervisor ----------------------------------------------------------------------
@dataclass(frozen=True)
class StartFailed:
    """The worker could not start; its error as a person should read it."""

    what: str
    where: str | None = None
    fix: str | None = None


@dataclass(frozen=True)
class Ready:
    """The worker listens on the shared port."""

    index: int


@dataclass(frozen=True)
class Reloaded:
    """The worker reloaded; workers started later get this configuration and version."""

    index: int
    config: GatewayConfig
    version: int


@dataclass(frozen=True)
class ReloadFailed:
    """The worker's reload was refused; it keeps running ``version``."""

    index: int
    message: str
    version: int


@dataclass(frozen=True)
class ReloadOthers:
    """``/admin/reload`` reached this worker: reload the others and answer ``request_id``."""

    index: int
    request_id: str


ToSupervisor = StartFailed | Ready | Reloaded | ReloadFailed | ReloadOthers


# -- supervisor → worker ----------------------------------------------------------------------
@dataclass(frozen=True)
class ReloadAnswer:
    """The other workers' outcomes of the reload ``request_id``, by worker index."""

    request_id: str
    results: tuple[WorkerReload, ...]


ToWorker = ReloadAnswer
