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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from beian.errors import BeianError, ConfigError
from beian.gateway._config import GatewayConfig
from beian.gateway._gateway import ReloadResult

__all__ = ["MAX_RESTARTS", "MAX_START_FAILURES", "RESTART_WINDOW_S", "WorkerStartError",
           "run_workers"]  # fmt: skip

log = logging.getLogger("beian.gateway")

MAX_RESTARTS = 5
MAX_START_FAILURES = 3
RELOAD_WAIT_S = 30.0  # how long /admin/reload waits for the other workers' answers
_SIGNALS = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM}
RESTART_WINDOW_S = 60.0
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


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


def _worker(spec: _Spec, conn: Connection) -> None:
    """One worker process: a whole gateway serving the shared port."""
    from beian.gateway._gateway import Gateway
    from beian.gateway._serve import configure_logging, make_server, serve_forever

    os.setpgrp()  # terminal signals go to the supervisor, which stops each worker once
    lock = threading.Lock()
    early: dict[str, Any] = {"gw": None, "server": None, "reload": False, "stop": False}

    def tell(*message: Any) -> None:
        with lock, contextlib.suppress(OSError):
            conn.send(message)

    # until serve_forever takes over: a reload waits for the gateway, a stop for the server
    def _hup(signum: int, frame: object) -> None:
        if early["gw"] is None:
            early["reload"] = True
        else:
            early["gw"].reload()

    def _term(signum: int, frame: object) -> None:
        early["stop"] = True
        if early["server"] is not None:
            early["server"].should_exit = True

    signal.signal(signal.SIGHUP, _hup)
    signal.signal(signal.SIGTERM, _term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)  # blocked by the supervisor at spawn
    configure_logging(spec.quiet)
    try:
        # bound, not listening yet: the kernel gives this worker connections only once it
        # accepts them (uvicorn listens when it starts serving)
        sock = _bound(spec.host, spec.port, share=True)
        gw = Gateway(spec.config)
    except BeianError as exc:
        tell("failed", exc.what, exc.where, exc.fix)
        sys.exit(2)
    except Exception as exc:  # reported to the supervisor, which stops the start
        tell("failed", f"工作进程 {spec.index} 无法启动：{type(exc).__name__}: {exc}", None, None)
        sys.exit(2)
    gw.version = spec.version
    gw.worker = (spec.index, spec.workers)
    gw.runs_purge = spec.index == 0  # one retention purge for the shared database
    waiting: dict[str, asyncio.Future[list[dict[str, Any]]]] = {}

    def after_reload(result: ReloadResult) -> None:
        if result.ok:
            tell("reloaded", spec.index, gw.config, gw.version)
        else:
            tell("reload_failed", spec.index, result.message, gw.version)

    async def reload_others() -> list[dict[str, Any]]:
        rid = uuid.uuid4().hex
        waiting[rid] = asyncio.get_running_loop().create_future()
        tell("forward", spec.index, rid)
        try:
            return await asyncio.wait_for(waiting[rid], RELOAD_WAIT_S)
        except TimeoutError:
            return [{"worker": None, "ok": False, "version": None,
                     "message": f"{RELOAD_WAIT_S:.0f} 秒内没有收到其他工作进程的答复"}]  # fmt: skip
        finally:
            waiting.pop(rid, None)

    def answered(rid: str, results: list[dict[str, Any]]) -> None:
        fut = waiting.get(rid)
        if fut is not None and not fut.done():
            fut.set_result(results)

    gw.after_reload = after_reload
    gw.reload_others = reload_others
    server = make_server(gw, spec.host, spec.port, on_started=lambda: tell("ready", spec.index))
    early["gw"], early["server"] = gw, server
    if early["stop"]:
        server.should_exit = True
    if early["reload"]:
        gw.reload()

    def watch_supervisor() -> None:
        with contextlib.suppress(EOFError, OSError):
            while True:
                msg = conn.recv()
                if msg[0] == "reload_done" and server.loop is not None:
                    server.loop.call_soon_threadsafe(answered, msg[1], msg[2])
        server.should_exit = True  # the supervisor is gone: finish what is in flight and stop

    threading.Thread(target=watch_supervisor, name="beian-supervisor-watch", daemon=True).start()
    serve_forever(gw, server, [sock])


@dataclass
class _Reload:
    """A reload one worker was asked for over /admin/reload, waiting for the others' answers."""

    requester: _Worker
    waiting: set[int]
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)


@dataclass
class _Worker:
    index: int
    process: BaseProcess
    conn: Connection
    ready: bool = False
    error: tuple[str, str | None, str | None] | None = None  # what it reported before exiting


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

    # -- starting ------------------------------------------------------------------------
    def spawn(self, index: int) -> _Worker:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(
            target=_worker,
            args=(replace(self.spec, index=index), child),
            name=f"beian-gateway-worker-{index}",
        )
        # the new process inherits the blocked signals and unblocks them once it handles them
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            proc.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child.close()
        return _Worker(index, proc, parent)

    def start(self) -> None:
        # a reload or stop asked while the workers are being created reaches all of them after
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for i in range(self.spec.workers):
                self.workers.append(self.spawn(i))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
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
    def events(self, timeout: float) -> list[tuple[_Worker, tuple[Any, ...] | None]]:
        """Messages from the workers, and ``(worker, None)`` for each that has exited."""
        by_conn = {id(w.conn): w for w in self.workers}
        by_sentinel = {w.process.sentinel: w for w in self.workers}
        out: list[tuple[_Worker, tuple[Any, ...] | None]] = []
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
            return WorkerStartError(w.error[0], where=w.error[1], fix=w.error[2])
        return WorkerStartError(
            f"工作进程 {w.index} 启动失败（退出码 {w.process.exitcode}）",
            where="--workers",
            fix="见上方该进程的错误输出",
        )

    def handle(self, w: _Worker, msg: tuple[Any, ...]) -> None:
        if msg[0] == "failed":
            w.error = (msg[1], msg[2], msg[3])
            log.error("工作进程 %d 无法启动：%s", w.index, msg[1])
        elif msg[0] == "reloaded":  # workers started later get what the workers now run
            self.spec = replace(self.spec, config=msg[2], version=msg[3])
            self.reported(w.index, True, "配置已重载", msg[3])
        elif msg[0] == "reload_failed":
            self.reported(w.index, False, msg[2], msg[3])
        elif msg[0] == "ready":
            w.ready = True
            self.start_failures.pop(w.index, None)
            if self.announced:
                log.info("工作进程 %d 已重新开始服务（pid %s）", w.index, w.process.pid)
            elif all(x.ready for x in self.workers):
                self.announced = True
                if self.on_ready is not None:
                    self.on_ready()
        elif msg[0] == "forward":  # a reload asked of one worker: the others reload too
            others = [x for x in self.workers if x is not w and x.process.is_alive()]
            self.reloads[msg[2]] = _Reload(w, {x.index for x in others})
            self.signal_all(signal.SIGHUP, but=w)
            self.settle_reloads()

    def reported(self, index: int, ok: bool, message: str, version: int | None) -> None:
        """One worker's reload outcome, for the reloads waiting on it."""
        entry = {"worker": index, "ok": ok, "version": version, "message": message}
        for r in self.reloads.values():
            if index in r.waiting:
                r.waiting.discard(index)
                r.results[index] = entry
        self.settle_reloads()

    def settle_reloads(self) -> None:
        """Answer the reloads every worker has answered (or that waited too long)."""
        for rid, r in list(self.reloads.items()):
            if r.waiting and time.monotonic() - r.started < 2 * RELOAD_WAIT_S:
                continue
            del self.reloads[rid]
            answer = [r.results[i] for i in sorted(r.results)]
            with contextlib.suppress(OSError):
                r.requester.conn.send(("reload_done", rid, answer))

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
        self.reported(
            w.index, False, f"工作进程在重载期间退出（退出码 {code}），替补按最新配置启动", None
        )
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
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for w in self.workers:
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                log.error("工作进程 %d 未能在 %.0f 秒内停止，强制结束", w.index, STOP_TIMEOUT_S)
                w.process.kill()
            self.forget(w)


def _prepare_database(config: GatewayConfig) -> None:
    """Create the records database (schema, WAL mode) and check the key ring, once."""
    from beian.crypto import KeyRing
    from beian.gateway._complaints import ComplaintDesk
    from beian.gateway._store import RecordStore

    r = config.records
    store = RecordStore(
        r.path, KeyRing.resolve(r.key_file), cipher=r.cipher, hash_algorithm=r.hash_algorithm
    )
    try:
        ComplaintDesk(r.path, store.cipher, config.complaints.handling_days).close()
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
) -> None:
    """Serve with ``workers`` processes until SIGTERM/SIGINT; ``on_ready(port)`` is called once
    every worker listens. Raises :class:`WorkerStartError` when workers cannot start or keep
    dying, and :class:`ConfigError` when the port cannot be had."""
    if workers < 1:
        raise ConfigError("工作进程数至少为 1", where="--workers", fix="例如 --workers 4")
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
    spec = _Spec(config, host, bound, 0, workers, quiet)
    sup = _Supervisor(spec, None if on_ready is None else lambda: on_ready(bound))

    def _stop(signum: int, frame: object) -> None:
        sup.stopping = True

    def _hup(signum: int, frame: object) -> None:
        sup.signal_all(signal.SIGHUP)

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
