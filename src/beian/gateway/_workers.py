"""Several gateway processes on one port under a supervisor (``beian gateway serve --workers N``).

One Python process keeps one core busy at most: screening, labels, JSON and socket work of every
streamed chunk run on its event loop. On a machine with more cores the gateway runs as several
worker processes, each a whole gateway (screeners, records writer, upstream pool) listening on
the same port with ``SO_REUSEPORT``, so the kernel spreads new connections over them. What they
share lives where every process reads it: records, training opt-outs and complaints in the
records database, metrics in a Prometheus multiprocess directory.

The supervisor (:func:`run_workers`):

* checks that nobody listens on the port, then reserves it (bound, not listening: port 0 resolves
  to one port for all; a second gateway on the same port fails instead of sharing it);
* opens the records database once before any worker (creates the file and its schema, checks the
  key ring), so workers never race to create it;
* starts the workers and waits until each listens; a worker that cannot start (a missing keyword
  library, say) stops all of them and its error is raised here;
* forwards SIGHUP to every worker, and a reload asked of one worker over ``/admin/reload`` to the
  others, so each reloads the same file with the same all-or-nothing rule as one process does;
  it keeps the configuration the workers last reloaded, for workers it starts later;
* on SIGTERM or SIGINT asks each worker to stop gracefully (streams in flight finish, records are
  flushed) and returns;
* restarts a worker that dies, with the configuration in force (at most :data:`MAX_RESTARTS`
  within :data:`RESTART_WINDOW_S` seconds, and a replacement that fails to start
  :data:`MAX_START_FAILURES` times in a row stops all of them; its error is raised).

Signals reach a worker only once it can handle them: SIGHUP, SIGINT and SIGTERM are blocked while
a worker process is created and unblocked by the worker after it has installed its handlers (a
reload or stop asked meanwhile waits, it is not lost and does not kill the new process). Workers
live in their own process group (a Ctrl-C in the terminal reaches the supervisor only, which then
stops each worker once), and stop by themselves when the supervisor disappears.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from beian.errors import BeianError, ConfigError
from beian.gateway._config import GatewayConfig
from beian.gateway._gateway import ReloadResult
from beian.gateway._identity import refuse_unverified_public
from beian.gateway._messages import (
    Ready,
    ReloadAnswer,
    Reloaded,
    ReloadFailed,
    ReloadOthers,
    StartFailed,
    ToSupervisor,
    ToWorker,
    WorkerReload,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway
    from beian.gateway._serve import Server

__all__ = ["MAX_RESTARTS", "MAX_START_FAILURES", "RESTART_WINDOW_S", "WorkerStartError",
           "run_workers"]  # fmt: skip

log = logging.getLogger("beian.gateway")

MAX_RESTARTS = 5
MAX_START_FAILURES = 3
RELOAD_WAIT_S = 30.0  # how long /admin/reload waits for the other workers' answers
_SIGNALS = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM}
RESTART_WINDOW_S = 60.0
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0  # beyond the configured shutdown grace period


class WorkerStartError(BeianError):
    """A worker process could not start (its own error, as it reported it)."""


def _bound(host: str, port: int, *, share: bool) -> socket.socket:
    """A TCP socket bound to the first address of ``host`` (not listening); ``share`` sets
    ``SO_REUSEPORT``. ``SO_REUSEADDR`` always: connections in TIME_WAIT are no obstacle."""
    family, kind, proto, _, addr = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if share:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(addr)
    except OSError:
        sock.close()
        raise
    return sock


@dataclass(frozen=True)
class _Spec:
    config: GatewayConfig
    host: str
    port: int
    index: int
    workers: int
    quiet: bool
    version: int = 1  # the configuration's version number among the workers
    trusted_proxies: tuple[str, ...] = ()  # --trusted-proxies


class _SupervisorLink:
    """A worker's end of its pipe: what it tells the supervisor, and the answers to the reloads
    it asked the others for (the :class:`Peers` of its gateway)."""

    def __init__(self, conn: Connection, index: int) -> None:
        self._conn = conn
        self._index = index
        self._lock = threading.Lock()  # the event loop and signal handlers both send
        self._waiting: dict[str, asyncio.Future[list[WorkerReload]]] = {}

    def tell(self, message: ToSupervisor) -> None:
        with self._lock, contextlib.suppress(OSError):
            self._conn.send(message)

    def reloaded(self, result: ReloadResult, config: GatewayConfig) -> None:
        if result.ok:
            self.tell(Reloaded(self._index, config, result.version))
        else:
            self.tell(ReloadFailed(self._index, result.message, result.version))

    async def reload_others(self) -> list[WorkerReload]:
        rid = uuid.uuid4().hex
        self._waiting[rid] = asyncio.get_running_loop().create_future()
        self.tell(ReloadOthers(self._index, rid))
        try:
            return await asyncio.wait_for(self._waiting[rid], RELOAD_WAIT_S)
        except TimeoutError:
            late = f"{RELOAD_WAIT_S:.0f} 秒内没有收到其他工作进程的答复"
            return [WorkerReload(None, False, None, late)]
        finally:
            self._waiting.pop(rid, None)

    def _answered(self, answer: ReloadAnswer) -> None:
        fut = self._waiting.get(answer.request_id)
        if fut is not None and not fut.done():
            fut.set_result(list(answer.results))

    def watch(self, server: Server) -> None:
        """Hand the supervisor's answers to ``server``'s event loop, in a thread; when the
        supervisor is gone, finish what is in flight and stop."""

        def run() -> None:
            with contextlib.suppress(EOFError, OSError):
                while True:
                    msg: ToWorker = self._conn.recv()
                    if isinstance(msg, ReloadAnswer) and server.loop is not None:
                        server.loop.call_soon_threadsafe(self._answered, msg)
            server.should_exit = True

        threading.Thread(target=run, name="beian-supervisor-watch", daemon=True).start()


class _EarlySignals:
    """SIGHUP and SIGTERM until :func:`serve_forever` takes over: a reload waits for the
    gateway, a stop for the server (SIGINT is the supervisor's: it stops each worker once)."""

    def __init__(self) -> None:
        self.gateway: Gateway | None = None
        self.server: Server | None = None
        self.reload = False
        self.stop = False

    def install(self) -> None:
        signal.signal(signal.SIGHUP, self._hup)
        signal.signal(signal.SIGTERM, self._term)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)  # blocked by the supervisor at spawn

    def _hup(self, signum: int, frame: object) -> None:
        if self.gateway is None:
            self.reload = True
        else:
            self.gateway.reload()

    def _term(self, signum: int, frame: object) -> None:
        self.stop = True
        if self.server is not None:
            self.server.should_exit = True

    def attach(self, gateway: Gateway, server: Server) -> None:
        """The gateway and its server exist: do what was asked meanwhile."""
        self.gateway, self.server = gateway, server
        if self.stop:
            server.should_exit = True
        if self.reload:
            gateway.reload()


def _worker(spec: _Spec, conn: Connection) -> None:
    """One worker process: a whole gateway serving the shared port."""
    from beian.gateway._gateway import Gateway, GatewayOptions
    from beian.gateway._serve import configure_logging, make_server, serve_forever

    os.setpgrp()  # terminal signals go to the supervisor, which stops each worker once
    link = _SupervisorLink(conn, spec.index)
    early = _EarlySignals()
    early.install()
    configure_logging(spec.quiet)
    options = GatewayOptions(
        worker=spec.index, workers=spec.workers, runs_purge=spec.index == 0,
        settle_heap=True, version=spec.version, peers=link, host=spec.host,
        trusted_proxies=spec.trusted_proxies,
    )  # fmt: skip
    try:
        # bound, not listening yet: the kernel gives this worker connections only once it
        # accepts them (uvicorn listens when it starts serving)
        sock = _bound(spec.host, spec.port, share=True)
        gw = Gateway(spec.config, options=options)
    except BeianError as exc:
        link.tell(StartFailed(exc.what, exc.where, exc.fix))
        sys.exit(2)
    except Exception as exc:  # reported to the supervisor, which stops the start
        link.tell(StartFailed(f"工作进程 {spec.index} 无法启动：{type(exc).__name__}: {exc}"))
        sys.exit(2)
    server = make_server(gw, spec.host, spec.port, on_started=lambda: link.tell(Ready(spec.index)))
    early.attach(gw, server)
    link.watch(server)
    serve_forever(gw, server, [sock])


@dataclass
class _Reload:
    """A reload one worker was asked for over /admin/reload, waiting for the others' answers."""

    requester: _Worker
    waiting: set[int]
    results: dict[int, WorkerReload] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)


@dataclass
class _Worker:
    index: int
    process: BaseProcess
    conn: Connection
    ready: bool = False
    error: StartFailed | None = None  # what it reported before exiting


class _Supervisor:
    def __init__(self, spec: _Spec, on_ready: Callable[[], None] | None) -> None:
        self.spec = spec
        self.on_ready = on_ready
        self.ctx = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.stopping = False
        self.announced = False
        self.restarts: deque[float] = deque()
        self.start_failures: dict[int, int] = {}
        self.reloads: dict[str, _Reload] = {}
        self.spawning = False  # inside creating()
        self.hup_pending = False  # a SIGHUP that came meanwhile

    # -- starting ------------------------------------------------------------------------
    def spawn(self, index: int) -> _Worker:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(
            target=_worker,
            args=(replace(self.spec, index=index), child),
            name=f"beian-gateway-worker-{index}",
        )
        proc.start()  # inside creating(): it inherits the blocked signals
        child.close()
        return _Worker(index, proc, parent)

    @contextlib.contextmanager
    def creating(self) -> Iterator[None]:
        """Workers are being created. Signals stay blocked in this thread, so a new process
        inherits them blocked and unblocks them once it handles them. A SIGHUP may still run
        its handler meanwhile (CPython runs handlers in the main thread even when another
        thread of this process took the signal): :meth:`hup` then only notes it, and it is
        forwarded here once the new workers are in :attr:`workers`, so none misses it."""
        # the spawn start method starts multiprocessing's resource tracker on first use, and
        # that unblocks SIGINT/SIGTERM in this thread: start it before blocking them
        resource_tracker.ensure_running()
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        self.spawning = True
        try:
            yield
        finally:
            self.spawning = False
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
            if self.hup_pending:
                self.hup_pending = False
                self.signal_all(signal.SIGHUP)

    def hup(self) -> None:
        """SIGHUP: every worker reloads (one being created gets it once it is listed)."""
        if self.spawning:
            self.hup_pending = True
        else:
            self.signal_all(signal.SIGHUP)

    def start(self) -> None:
        # a reload or stop asked while the workers are being created reaches all of them after
        with self.creating():
            for i in range(self.spec.workers):
                self.workers.append(self.spawn(i))
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(w.ready for w in self.workers):
            if self.stopping:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerStartError(
                    f"工作进程在 {START_TIMEOUT_S:.0f} 秒内没有开始监听",
                    where="--workers",
                    fix="检查上游、记录库与关键词库是否可用，或减少工作进程数",
                )
            for w, msg in self.events(min(left, 0.5)):
                if msg is not None:
                    self.handle(w, msg)
                elif not self.stopping:  # a Ctrl-C meanwhile is a stop, not a failed start
                    raise self.start_error(w)

    # -- running -------------------------------------------------------------------------
    def events(self, timeout: float) -> list[tuple[_Worker, ToSupervisor | None]]:
        """Messages from the workers, and ``(worker, None)`` for each that has exited."""
        by_conn = {id(w.conn): w for w in self.workers}
        by_sentinel = {w.process.sentinel: w for w in self.workers}
        out: list[tuple[_Worker, ToSupervisor | None]] = []
        for obj in wait([*(w.conn for w in self.workers), *by_sentinel], timeout):
            if isinstance(obj, int):
                w = by_sentinel[obj]
                with contextlib.suppress(EOFError, OSError):  # what it said before it went
                    while w.conn.poll():
                        out.append((w, w.conn.recv()))
                out.append((w, None))
                continue
            w = by_conn[id(obj)]
            with contextlib.suppress(EOFError, OSError):  # an exit: the sentinel reports it
                out.append((w, w.conn.recv()))
        return out

    def start_error(self, w: _Worker) -> WorkerStartError:
        w.process.join(timeout=5)
        if w.error is not None:
            return WorkerStartError(w.error.what, where=w.error.where, fix=w.error.fix)
        return WorkerStartError(
            f"工作进程 {w.index} 启动失败（退出码 {w.process.exitcode}）",
            where="--workers",
            fix="见上方该进程的错误输出",
        )

    def handle(self, w: _Worker, msg: ToSupervisor) -> None:
        match msg:
            case StartFailed():
                w.error = msg
                log.error("工作进程 %d 无法启动：%s", w.index, msg.what)
            case Reloaded():  # workers started later get what the workers now run
                self.spec = replace(self.spec, config=msg.config, version=msg.version)
                self.reported(WorkerReload(msg.index, True, msg.version, "配置已重载"))
            case ReloadFailed():
                self.reported(WorkerReload(msg.index, False, msg.version, msg.message))
            case Ready():
                self.ready(w)
            case ReloadOthers():  # a reload asked of one worker: the others reload too
                others = [x for x in self.workers if x is not w and x.process.is_alive()]
                self.reloads[msg.request_id] = _Reload(w, {x.index for x in others})
                self.signal_all(signal.SIGHUP, but=w)
                self.settle_reloads()

    def ready(self, w: _Worker) -> None:
        w.ready = True
        self.start_failures.pop(w.index, None)
        if self.announced:
            log.info("工作进程 %d 已重新开始服务（pid %s）", w.index, w.process.pid)
        elif all(x.ready for x in self.workers):
            self.announced = True
            if self.on_ready is not None:
                self.on_ready()

    def reported(self, outcome: WorkerReload) -> None:
        """One worker's reload outcome, for the reloads waiting on it."""
        for r in self.reloads.values():
            if outcome.worker in r.waiting:
                r.waiting.discard(outcome.worker)
                r.results[outcome.worker] = outcome
        self.settle_reloads()

    def settle_reloads(self) -> None:
        """Answer the reloads every worker has answered (or that waited too long)."""
        for rid, r in list(self.reloads.items()):
            if r.waiting and time.monotonic() - r.started < 2 * RELOAD_WAIT_S:
                continue
            del self.reloads[rid]
            answer = ReloadAnswer(rid, tuple(r.results[i] for i in sorted(r.results)))
            with contextlib.suppress(OSError):
                r.requester.conn.send(answer)

    def signal_all(self, sig: int, but: _Worker | None = None) -> None:
        for w in self.workers:
            if w is not but and w.process.is_alive() and w.process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(w.process.pid, sig)

    def run(self) -> None:
        while not self.stopping:
            self.settle_reloads()
            for w, msg in self.events(0.5):
                if msg is not None:
                    self.handle(w, msg)
                elif not self.stopping:
                    self.replace(w)

    def replace(self, w: _Worker) -> None:
        """A worker died: start another in its place, unless they keep dying."""
        self.forget(w)
        code = w.process.exitcode
        gone = f"工作进程在重载期间退出（退出码 {code}），替补按最新配置启动"
        self.reported(WorkerReload(w.index, False, None, gone))
        if not w.ready:  # a replacement that could not start
            n = self.start_failures[w.index] = self.start_failures.get(w.index, 0) + 1
            if n >= MAX_START_FAILURES:
                raise self.start_error(w)
        now = time.monotonic()
        self.restarts.append(now)
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW_S:
            self.restarts.popleft()
        if len(self.restarts) > MAX_RESTARTS:
            raise WorkerStartError(
                f"工作进程在 {RESTART_WINDOW_S:.0f} 秒内意外退出超过 {MAX_RESTARTS} 次，网关停止",
                where=f"工作进程 {w.index}（最后一次退出码 {code}）",
                fix="见上方工作进程的错误输出",
            )
        log.error(
            "工作进程 %d（pid %s）意外退出（退出码 %s），正在重启", w.index, w.process.pid, code
        )
        with self.creating():
            self.workers[self.workers.index(w)] = self.spawn(w.index)

    def forget(self, w: _Worker) -> None:
        w.conn.close()
        w.process.join(timeout=5)
        if w.process.is_alive():
            return
        path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if path and w.process.pid is not None:  # its gauges no longer count; counters stay
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(w.process.pid, path)  # type: ignore[no-untyped-call]

    # -- stopping ------------------------------------------------------------------------
    def stop(self) -> None:
        self.stopping = True
        self.signal_all(signal.SIGTERM)
        wait = STOP_TIMEOUT_S + self.spec.config.limits.shutdown_grace_s
        deadline = time.monotonic() + wait
        for w in self.workers:
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                log.error("工作进程 %d 未能在 %.0f 秒内停止，强制结束", w.index, wait)
                w.process.kill()
            self.forget(w)


def _prepare_database(config: GatewayConfig) -> None:
    """Create the records database (schema, WAL mode) and check the key ring, once."""
    from beian.crypto import KeyRing
    from beian.gateway._complaints import ComplaintDesk
    from beian.gateway._store import RecordStore

    r = config.records
    store = RecordStore(
        r.database, KeyRing.resolve(r.key_file), cipher=r.cipher, hash_algorithm=r.hash_algorithm
    )
    try:
        ComplaintDesk(r.database, store.cipher, config.complaints.handling_days).close()
    finally:
        store.close()


def run_workers(
    config: GatewayConfig,
    host: str,
    port: int,
    workers: int,
    *,
    quiet: bool = False,
    on_ready: Callable[[int], None] | None = None,
    trusted_proxies: tuple[str, ...] = (),
) -> None:
    """Serve with ``workers`` processes until SIGTERM/SIGINT; ``on_ready(port)`` is called once
    every worker listens (``trusted_proxies``: see :func:`run_gateway`). Raises :class:`WorkerStartError` when workers cannot start or keep
    dying, and :class:`ConfigError` when the port cannot be had."""
    if workers < 1:
        raise ConfigError("工作进程数至少为 1", where="--workers", fix="例如 --workers 4")
    refuse_unverified_public(config, host)
    if not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT"):
        raise ConfigError(
            "多个工作进程需要 Linux 的 SO_REUSEPORT", where="--workers", fix="使用 --workers 1"
        )
    try:
        if port:  # anyone listening there, SO_REUSEPORT or not, makes this bind fail
            _bound(host, port, share=False).close()
        reserved = _bound(host, port, share=True)
    except OSError as exc:
        raise ConfigError(
            f"无法使用地址 {host}:{port}：{exc}", where="--host/--port", fix="换一个端口或地址"
        ) from None
    try:
        _prepare_database(config)
    except BaseException:
        reserved.close()
        raise
    bound = int(reserved.getsockname()[1])
    own_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    if own_dir:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="beian-gateway-metrics-")
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    for stale in Path(metrics_dir).glob("*.db"):  # values of an earlier run are not this run's
        stale.unlink()
    spec = _Spec(config, host, bound, 0, workers, quiet, trusted_proxies=trusted_proxies)
    sup = _Supervisor(spec, None if on_ready is None else lambda: on_ready(bound))

    def _stop(signum: int, frame: object) -> None:
        sup.stopping = True

    def _hup(signum: int, frame: object) -> None:
        sup.hup()

    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGHUP, _hup)
    try:
        sup.start()
        sup.run()
    finally:
        sup.stop()
        for s, h in previous.items():
            signal.signal(s, h)
        reserved.close()
        if own_dir:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
            shutil.rmtree(metrics_dir, ignore_errors=True)
