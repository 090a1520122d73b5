"""The gateway object: configuration, screeners, labels, records, complaints, metrics, upstream."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from beian.crypto import KeyRing
from beian.errors import BeianError, ConfigError
from beian.gateway._complaints import ComplaintDesk
from beian.gateway._config import GatewayConfig, ScreeningConfig, load_gateway_config
from beian.gateway._labels import Labeller
from beian.gateway._metrics import Metrics, log_exchange
from beian.gateway._screening import Screening, build_screening
from beian.gateway._store import Exchange, RecordStore
from beian.gateway._upstream import Upstream, UpstreamFailure

__all__ = ["Gateway", "ReloadResult"]

log = logging.getLogger("beian.gateway")

ScreeningFactory = Callable[[ScreeningConfig], Screening]


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    message: str
    version: int


class Gateway:
    """One running gateway. The Starlette app (:func:`create_app`) serves it."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        ring: KeyRing | None = None,
        screening_factory: ScreeningFactory | None = None,
    ) -> None:
        self.config = config
        self.ring = ring or KeyRing.resolve(config.records.key_file)
        self._factory: ScreeningFactory = screening_factory or functools.partial(
            build_screening, keyring=self.ring
        )
        self.screening = self._factory(config.screening)
        self.labeller = Labeller(config.labels)
        self.metrics = Metrics()
        self.version = 1
        self.loaded_at = time.time()
        self.store = RecordStore.open(config.records, self.ring)
        self.store.on_backlog = self.metrics.backlog.set  # also seen by the other workers
        self.desk = ComplaintDesk(
            config.records.path, self.store.cipher, config.complaints.handling_days
        )
        self.upstream = Upstream(config.upstream)
        self._old_upstreams: list[Upstream] = []
        self._purge_task: asyncio.Task[None] | None = None
        self.freeze_heap = False  # set by the serving process: see settle_heap
        # set by the worker supervisor (see run_workers): this process's place among the workers,
        # whether it runs the retention purge, and how a reload asked of it reaches the others
        self.worker: tuple[int, int] | None = None  # (index, number of workers)
        self.runs_purge = True
        # /admin/reload in a worker: reload the other workers, and their answers
        self.reload_others: Callable[[], Awaitable[list[dict[str, Any]]]] | None = None
        self.after_reload: Callable[[ReloadResult], None] | None = None  # after every reload

    def settle_heap(self) -> None:
        """Move everything alive now (keyword tables, PII data, config) out of the collector's
        sight: a full collection over that heap takes ~40 ms and, run in the middle of serving,
        adds that to the requests in flight. Per-request garbage is still collected."""
        gc.collect()
        gc.freeze()

    @property
    def config_digest(self) -> str:
        """A short digest of the configuration in force (equal across workers that agree)."""
        dump = self.config.model_dump_json().encode()
        return hashlib.sha256(dump).hexdigest()[:16]

    @classmethod
    def from_file(cls, path: str | Path, **kw: Any) -> Gateway:
        return cls(load_gateway_config(path), **kw)

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        _ = self.upstream.session
        if self.runs_purge:
            self._purge_task = asyncio.create_task(self._purge_loop())

    async def stop(self) -> None:
        if self._purge_task is not None:
            self._purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purge_task
        for up in [self.upstream, *self._old_upstreams]:
            await up.aclose()
        self._old_upstreams.clear()
        await asyncio.to_thread(self.store.flush)

    def close(self) -> None:
        """Flush and close the record store (after :meth:`stop`)."""
        self.store.close()
        self.desk.close()

    async def _purge_loop(self) -> None:
        while True:
            try:
                removed = await asyncio.to_thread(self.purge)
                if removed:
                    log.info("保存期限已过的记录已清除：%d 条", removed)
            except Exception:  # keep the loop alive; the error is logged
                log.exception("记录清除失败")
            await asyncio.sleep(self.config.records.purge_interval_s)

    def purge(self, now: float | None = None) -> int:
        return self.store.purge(self.config.records.retention_days, now=now)

    # -- configuration reload ------------------------------------------------------------
    def reload(self) -> ReloadResult:
        """Re-read the config file; on any error the running configuration stays in force."""
        result = self._reload()
        if self.after_reload is not None:
            self.after_reload(result)
        return result

    def _reload(self) -> ReloadResult:
        if not self.config.path:
            return ReloadResult(False, "网关未从配置文件启动，无法重载", self.version)
        try:
            new = load_gateway_config(self.config.path)
            if new.records.path != self.config.records.path:
                raise ConfigError(
                    "运行中不能更换记录库路径", where="records.path", fix="请重启网关以更换记录库"
                )
            screening = self._factory(new.screening)
        except BeianError as exc:
            self.metrics.reloads.labels("error").inc()
            log.error("配置重载失败，继续使用原配置：%s", exc.render())
            return ReloadResult(False, exc.render(), self.version)
        if new.upstream != self.config.upstream:
            self._old_upstreams.append(self.upstream)  # in-flight streams still use it
            self.upstream = Upstream(new.upstream)
        self.config = new
        self.screening = screening
        self.labeller = Labeller(new.labels)
        self.desk.handling_days = new.complaints.handling_days
        self.version += 1
        self.loaded_at = time.time()
        self.metrics.reloads.labels("ok").inc()
        if self.freeze_heap:
            self.settle_heap()
        log.info("配置已重载（第 %d 版）", self.version)
        return ReloadResult(True, "配置已重载", self.version)

    # -- per request ---------------------------------------------------------------------
    def upstream_headers(self, request: Request) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "accept": request.headers.get("accept", "*/*"),
        }
        key = self.config.upstream.resolved_key()
        if key:
            headers["authorization"] = f"Bearer {key}"
        elif "authorization" in request.headers:
            headers["authorization"] = request.headers["authorization"]
        return headers

    def finish(self, ex: Exchange) -> None:
        """The exchange is over: count it, log it, and queue its record."""
        if not ex.finished:
            ex.finished = time.time()
        stream = "true" if ex.stream else "false"
        self.metrics.requests.labels(stream, ex.outcome).inc()
        self.metrics.latency.labels(stream).observe(ex.finished - ex.started)
        self.store.submit(ex)
        self.metrics.backlog.set(self.store.backlog)
        log_exchange(
            id=ex.id,
            user=self.store.user_hash(ex.user)[:16] if ex.user else None,
            model=ex.model,
            stream=ex.stream,
            outcome=ex.outcome,
            status=ex.http_status,
            decisions=ex.decisions,
            ms=round((ex.finished - ex.started) * 1000, 2),
        )

    def fail(self, ex: Exchange, failure: UpstreamFailure, headers: dict[str, str]) -> Response:
        ex.outcome, ex.http_status, ex.error = "upstream_error", failure.status, failure.message
        self.metrics.upstream_errors.labels(failure.kind).inc()
        self.finish(ex)
        return failure.response(headers)
