"""Worker lanes and the write lock's bound (review of r18w, M4 and M5).

M4: uploads, logins and read-only web pages each have their own worker threads, so two slow
uploads or a login flood do not hold up logins, web pages or writes; a login beyond the queue
is answered 503 with ``Retry-After`` at once. M5: a writer waits for SQLite's write lock (first
behind this process's writers, then behind another process) at most the busy timeout, then
gets the busy error (503, ``Retry-After``, a Chinese message), rather than the Nth writer
waiting N times the timeout.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from beian._shared.serve import serve_in_thread
from beian.registry import Registry, Settings
from beian.registry._errors import Busy
from beian.registry.api import create_app
from tests.registry.conftest import PASSWORD, World, populate, write_lock_held

BOUND_S = 5.0  # what a login, page or write may take while the others are held (slow machine)


class _Held:
    """Stands in for a slow call (a 200 MiB package being parsed, an argon2 hash): each call
    signals that it entered and blocks until released."""

    def __init__(self, answer: Callable[..., Any]) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.answer = answer

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.release()
        self.release.wait(30)
        return self.answer(*args, **kwargs)


@contextmanager
def _served(reg: Registry) -> Iterator[str]:
    # lifespan on: the default worker threads are sized to write_workers as when deployed
    with serve_in_thread(create_app(reg), log_level="warning") as served:
        yield served.url


def _timed(fn: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    t = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t


def _login(url: str) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/auth/login", timeout=BOUND_S,
                      json={"username": "applicant", "password": PASSWORD})


def test_two_slow_uploads_hold_up_no_login_web_page_or_write(world: World,
                                                              package_zip: bytes) -> None:
    reg = world.reg
    assert reg.policy.write_workers == 2 and reg.policy.max_concurrent_uploads == 4
    token = world.login("applicant")[0]
    spare = world.login("applicant")[0]  # a session for the write (logout)
    held = _Held(reg.applications.create)
    reg.applications.create = held  # type: ignore[method-assign]
    h = {"Authorization": f"Bearer {token}"}
    with _served(reg) as url:
        codes: list[int] = []

        def upload() -> None:
            codes.append(httpx.post(f"{url}/api/v1/applications", headers=h, timeout=40,
                                    files={"package": ("p.zip", package_zip)}).status_code)

        uploads = [threading.Thread(target=upload) for _ in range(2)]
        try:
            for t in uploads:
                t.start()
            for _ in uploads:  # both are being "parsed": as many threads as write_workers
                assert held.entered.acquire(timeout=10)
            r, took = _timed(lambda: _login(url))
            assert r.status_code == 200 and took < BOUND_S, (r.status_code, took)
            for page in ("/", "/notices", "/filed", "/applications"):
                r, took = _timed(lambda page=page: httpx.get(
                    f"{url}{page}", cookies={"beian_session": token}, timeout=BOUND_S))
                assert r.status_code == 200 and "<html" in r.text and took < BOUND_S, page
            r, took = _timed(lambda: httpx.post(f"{url}/api/v1/auth/logout", timeout=BOUND_S,
                                                headers={"Authorization": f"Bearer {spare}"}))
            assert r.status_code == 204 and took < BOUND_S, (r.status_code, took)
            assert reg.accounts.actor_for(spare) is None  # the write was made
        finally:
            held.release.set()
            for t in uploads:
                t.join(40)
    assert codes == [201, 201]


def test_a_login_flood_holds_up_no_write_and_the_surplus_gets_503(world: World) -> None:
    reg = world.reg
    reg.policy.login_queue = 2
    workers = reg.policy.login_workers
    spare = world.login("applicant")[0]
    held = _Held(reg.accounts.login)
    reg.accounts.login = held  # type: ignore[method-assign]
    with _served(reg) as url:
        codes: list[int] = []
        logins = [threading.Thread(target=lambda: codes.append(_login_slow(url)))
                  for _ in range(workers + reg.policy.login_queue)]
        try:
            for t in logins:
                t.start()
            for _ in range(workers):
                assert held.entered.acquire(timeout=10)
            deadline = time.monotonic() + 10  # the rest are queued
            while time.monotonic() < deadline:
                r = _login(url)
                if r.status_code == 503:
                    break
                time.sleep(0.05)  # pragma: no cover - the queue was not full yet
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == str(reg.policy.login_retry_after_seconds)
            assert "登录" in r.json()["error"] and "重试" in r.json()["fix"]
            r, took = _timed(lambda: _login(url))  # fails fast, not after the others
            assert r.status_code == 503 and took < 1.5, took
            # the web form too (its page is a read, its post a login)
            with httpx.Client(base_url=url, timeout=BOUND_S) as browser:
                form = browser.get("/login")
                assert form.status_code == 200
                r = browser.post("/login", data={"username": "applicant", "password": PASSWORD,
                                                 "login_token": "x"})
                assert r.status_code in (403, 503)  # token check or full queue, never a wait
            r, took = _timed(lambda: httpx.post(f"{url}/api/v1/auth/logout", timeout=BOUND_S,
                                                headers={"Authorization": f"Bearer {spare}"}))
            assert r.status_code == 204 and took < BOUND_S, (r.status_code, took)
            r, took = _timed(lambda: httpx.get(f"{url}/notices", timeout=BOUND_S))
            assert r.status_code == 200 and took < BOUND_S
        finally:
            held.release.set()
            for t in logins:
                t.join(40)
    assert sorted(codes) == [200] * (workers + 2)  # the held and the queued got through


def _login_slow(url: str) -> int:
    return httpx.post(f"{url}/api/v1/auth/login", timeout=40,
                      json={"username": "applicant", "password": PASSWORD}).status_code


# --- M5: the write lock's wait is bounded -------------------------------------------------


@pytest.fixture
def quick(settings: Settings) -> Iterator[World]:
    """A registry whose writers wait at most 0.5 s for the write lock."""
    settings.busy_timeout_s = 0.5
    reg = Registry.open(settings)
    try:
        yield populate(reg)
    finally:
        reg.close()


@contextmanager
def _other_process_holds_the_write_lock(db: Path, seconds: float) -> Iterator[None]:
    """Another process (as a ``tick`` from cron or a sqlite3 shell would) in a write
    transaction on the registry's database for ``seconds``."""
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('held', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n"
            "c.execute('ROLLBACK')\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield
    finally:
        proc.kill()
        proc.wait(10)


def test_queued_writers_give_up_after_the_busy_timeout_not_one_after_another(
        quick: World) -> None:
    """Another process holds SQLite's write lock for 6 s; four of this process's writers
    (one waiting in SQLite's busy handler, three on the in-process lock) each fail with
    :class:`Busy` within about two busy timeouts (the lock, then SQLite's), not the fourth
    after four."""
    reg = quick.reg
    outcomes: list[tuple[str, float]] = []

    def write(i: int) -> None:
        t = time.perf_counter()
        try:
            with reg.core.tx() as db:
                db.execute(text("INSERT INTO counters (key, value) VALUES (:k, 1)"), {"k": f"w{i}"})
            outcomes.append(("ok", time.perf_counter() - t))
        except Busy as exc:
            assert "数据库正忙" in exc.what and exc.retry_after == 5
            outcomes.append(("busy", time.perf_counter() - t))

    with _other_process_holds_the_write_lock(reg.core.settings.data_dir / "registry.db", 6):
        writers = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for t in writers:
            t.start()
        for t in writers:
            t.join(20)
    assert [o for o, _ in outcomes] == ["busy"] * 4, outcomes
    assert max(s for _, s in outcomes) < 2 * 0.5 + 1.5, outcomes
    with reg.core.tx() as db:  # the lock is free again: writes go through
        db.execute(text("INSERT INTO counters (key, value) VALUES ('after', 1)"))


def test_a_write_while_another_process_holds_the_database_is_503_with_retry_after(
        quick: World) -> None:
    token = quick.login("applicant")[0]
    client = TestClient(create_app(quick.reg))
    with _other_process_holds_the_write_lock(
            quick.reg.core.settings.data_dir / "registry.db", 5):
        r = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 503
        assert r.headers["Retry-After"] == "5"
        body = r.json()
        assert "数据库正忙" in body["error"] and "稍后重试" in body["fix"]
        # reads go on (WAL): the session is still there, nothing was changed
        assert client.get("/api/v1/auth/me",
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert quick.reg.accounts.actor_for(token) is not None


def test_the_in_process_write_lock_gives_up_after_the_busy_timeout(quick: World) -> None:
    """A writer of this process holding the lock longer than the busy timeout: the next one
    gets :class:`Busy` after about the timeout instead of waiting for it."""
    with write_lock_held(quick.reg):
        started = time.perf_counter()
        with pytest.raises(Busy, match="数据库正忙"), quick.reg.core.tx():
            pass
        assert 0.4 < time.perf_counter() - started < 2.5
