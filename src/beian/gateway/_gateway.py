"""The gateway object: configuration, screeners, labels, records, complaints, metrics, upstream.

A :class:`Gateway` is whole once constructed: how this process serves (its place among the
worker processes, whether it runs the retention purge, whether it settles its heap, how a reload
reaches the other workers) is a frozen :class:`GatewayOptions` given to the constructor. What a
configuration reload replaces (config, screening, labels, upstream, version) is one snapshot,
swapped at once; nothing outside the gateway sets its attributes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from beian.crypto import KeyRing, keyed_hash
from beian.errors import BeianError, ConfigError
from beian.gateway._access import AdminGuard, client_address, token_weakness, trusted_networks
from beian.gateway._complaints import ComplaintDesk
from beian.gateway._config import GatewayConfig, ScreeningConfig, load_gateway_config
from beian.gateway._identity import Identity, refuse_unverified_public
from beian.gateway._inflight import Inflight, InflightSet
from beian.gateway._labels import Labeller
from beian.gateway._messages import WorkerReload
from beian.gateway._metrics import Metrics, access_logged, log_exchange
from beian.gateway._moderation import Moderation, build_moderation
from beian.gateway._optouts import OptOutLookup
from beian.gateway._rights import RightsDesk, load_calendar
from beian.gateway._screening import Decision, Screening, build_screening
from beian.gateway._store import Exchange, RecordStore
from beian.gateway._upstream import Upstream, UpstreamFailure, screened_error

__all__ = ["Gateway", "GatewayOptions", "Overloaded", "Peers", "ReloadResult"]

log = logging.getLogger("beian.gateway")

ScreeningFactory = Callable[[ScreeningConfig], Screening]
# the collector's thresholds in a serving process (Python's are 700, 10, 10). A young-generation
# collection costs about the objects the exchanges in flight hold (not the threshold): with 200
# streams that is milliseconds, every 700 allocations. Measured in a worker under the benchmark's
# load: collections 5 % of its CPU time with the defaults, 2 % with these; a few MB of cyclic
# garbage may wait for a collection meanwhile.
GC_THRESHOLDS = (20_000, 20, 20)
T = TypeVar("T")


class Overloaded(Exception):
    """The screening threads' queue is full (``limits.screening_queue_bytes``): try later."""

    retry_after_s = 1


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    message: str
    version: int


class Peers(Protocol):
    """The other worker processes, as one worker sees them (see :func:`run_workers`)."""

    def reloaded(self, result: ReloadResult, config: GatewayConfig) -> None:
        """This worker reloaded (or failed to): the supervisor keeps the configuration."""

    async def reload_others(self) -> list[WorkerReload]:
        """Ask every other worker to reload; their answers."""


@dataclass(frozen=True)
class GatewayOptions:
    """How this process serves; fixed when the gateway is constructed."""

    worker: int | None = None  # this process's index among the workers (None: one process)
    workers: int = 1
    runs_purge: bool = True  # one retention purge per records database
    # move what is alive after construction (and after each reload) out of the collector's
    # sight (see Gateway.settle_heap); for the serving process, not for tests in a thread
    settle_heap: bool = False
    version: int = 1  # the configuration's version number at start (workers restarted later)
    peers: Peers | None = None  # how a reload asked of this worker reaches the others
    # the address it listens on (None: not known); a public one needs verified user identities,
    # at start and on every reload
    host: str | None = None
    # reverse proxies trusted besides ``access.trusted_proxies`` (``--trusted-proxies``)
    trusted_proxies: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Loaded:
    """What a configuration reload replaces, all at once."""

    config: GatewayConfig
    screening: Screening
    labeller: Labeller
    upstream: Upstream
    identity: Identity
    version: int
    loaded_at: float
    moderation: Moderation


def _check_admin_token(config: GatewayConfig) -> None:
    """A weak admin token is refused at start and on reload."""
    token = config.admin_token
    why = token_weakness(token) if token is not None else None
    if why is not None:
        raise ConfigError(
            f"管理令牌 admin_token 强度不足：{why}", where="admin_token",
            fix="换成随机长字符串，例如 `python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
                "的输出；不需要管理接口时删去此项",
        )  # fmt: skip


def _check_proxies(config: GatewayConfig, extra: tuple[str, ...]) -> None:
    """A client address header needs the proxies it is trusted from (refused at start and on
    reload: otherwise it would be ignored, and every client behind the proxy counted as one)."""
    access = config.access
    trusted_networks((*access.trusted_proxies, *extra), "--trusted-proxies")
    if access.client_ip_header and not (access.trusted_proxies or extra):
        raise ConfigError(
            f"设置了 access.client_ip_header（{access.client_ip_header}），但没有可信代理",
            where="access.trusted_proxies",
            fix="写上反向代理的地址，如 trusted_proxies: [127.0.0.1]（或 --trusted-proxies）；"
                "只有来自这些地址的请求才采信该请求头",
        )  # fmt: skip


def _base_dir(config: GatewayConfig) -> Path:
    """Where relative files of the config are (its file's folder; else the working one)."""
    return Path(config.path).resolve().parent if config.path else Path.cwd()


class Gateway:
    """One running gateway. The Starlette app (:func:`create_app`) serves it."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        ring: KeyRing | None = None,
        screening_factory: ScreeningFactory | None = None,
        options: GatewayOptions | None = None,
    ) -> None:
        self.options = options or GatewayOptions()
        _check_admin_token(config)
        _check_proxies(config, self.options.trusted_proxies)
        refuse_unverified_public(config, self.options.host)
        calendar = load_calendar(config.rights.calendar_files)  # a bad file: no start
        self.ring = ring or KeyRing.resolve(config.records.key_file)
        self._factory: ScreeningFactory = screening_factory or functools.partial(
            build_screening, keyring=self.ring
        )
        self._loaded = _Loaded(
            config=config,
            screening=self._factory(config.screening),
            labeller=Labeller(config.labels),
            upstream=Upstream(config.upstream),
            identity=Identity.of(config),
            version=self.options.version,
            loaded_at=time.time(),
            moderation=build_moderation(config.moderation, _base_dir(config)),
        )
        self.metrics = Metrics()
        self.moderation.metrics = self.metrics
        self.screening.timer = self.metrics.stage
        self._old_moderations: list[Moderation] = []
        self.store = RecordStore.open(config.records, self.ring)
        self.store.on_backlog = self.metrics.backlog.set  # also seen by the other workers
        # the training opt-out of each request's user: off the event loop, batched
        rec = config.records
        self.opt_outs = OptOutLookup(self.store, rec.opt_out_cache_s, rec.opt_out_timeout_s)
        self.opt_outs.on_timeout = self.metrics.opt_out_timeouts.inc  # fail-closed, counted
        self.desk = ComplaintDesk(
            config.records.database, self.store.cipher, config.complaints.handling_days,
            rules=config.complaints,
        )  # fmt: skip
        self.rights = RightsDesk(self.store, config.rights, calendar)  # users' rights and consents
        self.admin_guard = AdminGuard(config.records.database)  # lockouts shared by all workers
        # for the forms' anti-forgery tokens and the config digest: a key derived from the
        # records' key ring (the same in every worker process), never one used for anything else
        self.form_key = bytes.fromhex(self.store.user_hash("\x00beian-gateway-form-key"))
        self._old_upstreams: list[Upstream] = []
        self._purge_task: asyncio.Task[None] | None = None
        self.inflight = InflightSet()
        # large requests and answers are parsed and screened here, off the event loop
        self._pool = ThreadPoolExecutor(
            config.limits.screening_threads, thread_name_prefix="beian-gateway-screen"
        )
        self._queued = 0  # bytes waiting for or in the screening threads (event loop only)
        if self.options.settle_heap:
            self.settle_heap()

    # -- what is in force ----------------------------------------------------------------
    @property
    def config(self) -> GatewayConfig:
        return self._loaded.config

    @property
    def screening(self) -> Screening:
        return self._loaded.screening

    @property
    def moderation(self) -> Moderation:
        return self._loaded.moderation

    @property
    def labeller(self) -> Labeller:
        return self._loaded.labeller

    @property
    def upstream(self) -> Upstream:
        return self._loaded.upstream

    @property
    def version(self) -> int:
        return self._loaded.version

    @property
    def loaded_at(self) -> float:
        return self._loaded.loaded_at

    @property
    def identity(self) -> Identity:
        return self._loaded.identity

    def settle_heap(self) -> None:
        """Move everything alive now (keyword tables, PII data, config) out of the collector's
        sight: a full collection over that heap takes ~40 ms and, run in the middle of serving,
        adds that to the requests in flight. Per-request garbage is still collected, less often
        (:data:`GC_THRESHOLDS`)."""
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)

    @property
    def config_digest(self) -> str:
        """A short digest of the configuration in force (equal across workers that agree); keyed,
        so that the secrets in the configuration cannot be guessed from it."""
        return keyed_hash(self.config.model_dump_json(), self.form_key)[:16]

    @classmethod
    def from_file(cls, path: str | Path, **kw: Any) -> Gateway:
        return cls(load_gateway_config(path), **kw)

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        _ = self.upstream.session
        await asyncio.to_thread(self.store.recover)  # what a killed process left in progress
        if self.options.runs_purge:
            self._purge_task = asyncio.create_task(self._purge_loop())

    async def stop(self) -> None:
        if self._purge_task is not None:
            self._purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purge_task
        for up in [self.upstream, *self._old_upstreams]:
            await up.aclose()
        self._old_upstreams.clear()
        for m in [self.moderation, *self._old_moderations]:
            await m.aclose()
        self._old_moderations.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.opt_outs.close()
        await asyncio.to_thread(self.store.flush)

    def begin_shutdown(self) -> None:
        """The server has begun to stop: exchanges still in flight after
        ``limits.shutdown_grace_s`` are ended cleanly (an error for the client, a record)."""
        self.inflight.begin_shutdown(self.config.limits.shutdown_grace_s)

    def track(self) -> Inflight:
        """The current task serves an exchange (ended by its deadlines, the client or shutdown)."""
        limits = self.config.limits
        return self.inflight.open(limits.max_duration_s, limits.body_timeout_s)

    async def offload(self, size: int, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, in the screening threads when ``size`` (bytes or characters) is over
        ``limits.inline_bytes``: the event loop keeps serving other requests meanwhile.
        :class:`Overloaded` when ``limits.screening_queue_bytes`` are already queued there."""
        limits = self.config.limits
        if size <= limits.inline_bytes:
            return fn(*args)
        if self._queued and self._queued + size > limits.screening_queue_bytes:
            raise Overloaded
        loop = asyncio.get_running_loop()
        self._queued += size
        job = self._pool.submit(fn, *args)
        # counted out when the job ends (not when its caller stops waiting: it still holds them)
        job.add_done_callback(functools.partial(self._job_done, loop, size))
        return await asyncio.wrap_future(job)

    def _job_done(self, loop: asyncio.AbstractEventLoop, size: int, _: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to count
            loop.call_soon_threadsafe(self._dequeued, size)

    def _dequeued(self, size: int) -> None:
        self._queued -= size

    def close(self) -> None:
        """Flush and close the record store (after :meth:`stop`)."""
        self.store.close()
        self.desk.close()
        self.rights.close()
        self.admin_guard.close()

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
        removed = self.store.purge(self.config.records.retention_days, now=now)
        self.rights.purge_orphans()  # erasure digests and corrections of purged exchanges
        return removed

    # -- configuration reload ------------------------------------------------------------
    def reload(self) -> ReloadResult:
        """Re-read the config file; on any error the running configuration stays in force."""
        result = self._reload()
        if self.options.peers is not None:
            self.options.peers.reloaded(result, self.config)
        return result

    async def reload_everywhere(self) -> tuple[ReloadResult, list[WorkerReload]]:
        """Reload this process and, when it is one of several workers and its own reload
        succeeded, every other worker; this one's result and the others' answers."""
        result = self.reload()
        peers = self.options.peers
        if not result.ok or peers is None:
            return result, []
        return result, await peers.reload_others()

    def _reload(self) -> ReloadResult:
        if not self.config.path:
            return ReloadResult(False, "网关未从配置文件启动，无法重载", self.version)
        try:
            new = load_gateway_config(self.config.path)
            if new.records.database != self.config.records.database:
                raise ConfigError(
                    "运行中不能更换记录库", where="records", fix="请重启网关以更换记录库"
                )
            _check_admin_token(new)
            _check_proxies(new, self.options.trusted_proxies)
            refuse_unverified_public(new, self.options.host)
            identity = Identity.of(new)
            screening = self._factory(new.screening)
            labeller = Labeller(new.labels)  # a signing key that cannot be read: no reload
            moderation = build_moderation(new.moderation, _base_dir(new))
            calendar = load_calendar(new.rights.calendar_files)
        except BeianError as exc:
            self.metrics.reloads.labels("error").inc()
            log.error("配置重载失败，继续使用原配置：%s", exc.render())
            return ReloadResult(False, exc.render(), self.version)
        upstream = self.upstream
        if new.upstream != self.config.upstream:
            self._old_upstreams.append(upstream)  # in-flight streams still use it
            upstream = Upstream(new.upstream)
        self._old_moderations.append(self.moderation)  # in-flight exchanges still use it
        self._loaded = _Loaded(
            config=new,
            screening=screening,
            labeller=labeller,
            upstream=upstream,
            identity=identity,
            version=self.version + 1,
            loaded_at=time.time(),
            moderation=moderation,
        )
        moderation.metrics = self.metrics
        screening.timer = self.metrics.stage
        self.desk.handling_days = new.complaints.handling_days
        self.desk.rules = new.complaints
        self.rights.configure(new.rights, calendar)
        self.opt_outs.configure(new.records.opt_out_cache_s, new.records.opt_out_timeout_s)
        self.metrics.reloads.labels("ok").inc()
        if self.options.settle_heap:
            self.settle_heap()
        log.info("配置已重载（第 %d 版）", self.version)
        return ReloadResult(True, "配置已重载", self.version)

    # -- per request ---------------------------------------------------------------------
    def client(self, request: Request) -> str:
        """The client's address, as the limits count it (see :func:`client_address`)."""
        return client_address(request, self.config.access, self.options.trusted_proxies)

    def upstream_headers(self, request: Request) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "accept": request.headers.get("accept", "*/*"),
            "accept-encoding": "identity",  # see Decoder: nothing is decompressed unasked
        }
        key = self.config.upstream.resolved_key()
        if key:
            headers["authorization"] = f"Bearer {key}"
        elif "authorization" in request.headers:
            headers["authorization"] = request.headers["authorization"]
        return headers

    def begin(self, ex: Exchange) -> None:
        """The exchange has arrived: its record is written now and completed by :meth:`finish`."""
        self.store.begin(ex)

    def finish(self, ex: Exchange) -> None:
        """The exchange is over: count it, log it, and queue its record."""
        if not ex.finished:
            ex.finished = time.time()
        stream = "true" if ex.stream else "false"
        self.metrics.requests.labels(stream, ex.outcome).inc()
        self.metrics.latency.labels(stream).observe(ex.finished - ex.started)
        self.store.submit(ex)
        self.metrics.backlog.set(self.store.backlog)
        if not access_logged():  # the access log is off: its fields are not built
            return
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
        """The upstream failed: its error, screened, for the client; the exchange recorded."""
        ex.outcome, ex.http_status, ex.error = "upstream_error", failure.status, failure.message
        self.metrics.upstream_errors.labels(failure.kind).inc()
        failure.body, risks = screened_error(failure.body, self.screening.risks, "上游模型返回了错误")
        if risks:
            ex.decisions.append(Decision("output", "block", risks, len(risks)).to_json())
        self.finish(ex)
        return failure.response(headers)
