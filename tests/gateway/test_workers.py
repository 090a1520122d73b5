"""``beian gateway serve --workers N``: worker processes on one port under a supervisor.

Real processes throughout: the CLI starts the supervisor, which starts the workers; requests
go over fresh TCP connections, which the kernel spreads over the workers (SO_REUSEPORT).
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from beian.crypto import KeyRing
from beian.demo import DemoBehavior, DemoServer
from beian.demo import serve_in_thread as serve_demo
from beian.gateway import RecordStore

from .conftest import ADMIN, ADMIN_TOKEN, PRODUCER, free_port, listens

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT")

TOKEN = ADMIN_TOKEN


def _write(path: Path, base_url: str, refusal: str, keywords: list[str]) -> None:
    data = {
        "upstream": {"base_url": base_url},
        "records": {"path": "gw.db"},
        "admin_token": TOKEN,
        "screening": {
            "pii": "off",
            "input_refusal": refusal,
            "keywords": [{"keyword": k, "risk": "A1a"} for k in keywords],
        },
        "labels": {"content_producer": PRODUCER},
        "complaints": {"email": "report@example.cn"},
    }
    path.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), encoding="utf-8")


def _env(key: str | None) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("BEIAN_CONFIG", None)
    env.pop("BEIAN_KEY", None)
    if key is not None:
        env["BEIAN_KEY"] = key
    return env


def _health(root: str) -> dict[str, Any] | None:
    """One health answer over a new connection (so any worker may answer); None when the
    connection fails (a worker still starting, say: the caller asks again)."""
    try:
        r = httpx.get(root + "/healthz", headers={"connection": "close"}, timeout=5)
    except httpx.HTTPError:
        return None
    assert r.status_code == 200
    return dict(r.json())


def _until(pred: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _workers_seen(
    root: str, want: Callable[[dict[str, Any]], bool], n: int = 2, timeout: float = 30
) -> dict[int, dict[str, Any]]:
    """Ask /healthz over new connections until ``n`` distinct worker pids answered with
    ``want(answer)`` true (a worker that answers otherwise is asked again): pid → answer."""
    seen: dict[int, dict[str, Any]] = {}

    def enough() -> bool:
        h = _health(root)
        if h is not None:
            seen[h["process"]["pid"]] = h
        return sum(want(a) for a in seen.values()) >= n

    _until(enough, f"{n} workers", timeout)
    return {p: h for p, h in seen.items() if want(h)}


def _serve(tmp: Path, base_url: str, port: int | None = None) -> dict[str, Any]:
    """``beian gateway serve --workers 2`` in its own process group, as a shell starts a job."""
    cfg = tmp / "gateway.yaml"
    _write(cfg, base_url, "拒答一", ["违禁词语"])
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "beian", "gateway", "serve", "-f", str(cfg), "--port", str(port),
         "--workers", "2", "--quiet"],
        cwd=tmp, env=_env(key), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    return {"proc": proc, "cfg": cfg, "key": key, "root": f"http://127.0.0.1:{port}",
            "tmp": tmp, "upstream": base_url}  # fmt: skip


@pytest.fixture
def supervisor(tmp_path: Path, upstream: DemoServer) -> Iterator[dict[str, Any]]:
    state = _serve(tmp_path, upstream.base_url)
    proc = state["proc"]
    try:
        yield state
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def _children(pid: int) -> list[int]:
    """Worker processes of the supervisor ``pid`` (Linux ``/proc``)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and "spawn_main" in (stat.parent / "cmdline").read_text():
                out.append(int(stat.parent.name))
    return out


def _stored(tmp: Path) -> int:
    """Exchanges on disk now (no key needed to count rows)."""
    with contextlib.closing(sqlite3.connect(tmp / "gw.db", timeout=30)) as db:
        return int(db.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0])


def _chat(root: str, text: str, user: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": text}]}
    if user:
        body["user"] = user
    r = httpx.post(root + "/v1/chat/completions", json=body, headers={"connection": "close"},
                   timeout=10)  # fmt: skip
    assert r.status_code == 200, r.text
    return dict(r.json())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_share_one_port_state_reloads_and_restarts(supervisor: dict[str, Any]) -> None:
    proc: subprocess.Popen[str] = supervisor["proc"]
    root: str = supervisor["root"]
    _until(lambda: listens(root), "the gateway to listen")
    first = _workers_seen(root, lambda h: h["process"].get("workers") == 2)
    assert len(first) == 2 and proc.pid not in first
    assert sorted(h["process"]["worker"] for h in first.values()) == [0, 1]

    # the official SDK, streaming and not, through whichever worker takes the connection
    client = openai.OpenAI(base_url=root + "/v1", api_key="k", max_retries=0, timeout=10)
    c = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "你好"}])
    assert (c.choices[0].message.content or "").endswith("【本内容由人工智能生成】")
    parts = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "你好"}], stream=True
    )
    text = "".join(p.choices[0].delta.content or "" for p in parts if p.choices)
    assert text.endswith("【本内容由人工智能生成】")
    client.close()

    # an opt-out made through one worker holds in every worker, at once
    r = httpx.post(root + "/privacy/opt-out", json={"user": "u1"}, headers={"connection": "close"})
    assert r.json() == {"user": "u1", "opted_out": True}
    for _ in range(16):
        _chat(root, "你好", user="u1")
    # the metrics of all workers add up, whichever worker answers /metrics
    for _ in range(4):
        m = httpx.get(root + "/metrics", headers={"connection": "close", **ADMIN}).text
        total = sum(
            float(line.rsplit(" ", 1)[1])
            for line in m.splitlines()
            if line.startswith("beian_gateway_requests_total{")
        )
        assert total == 18

    # a reload asked of one worker reaches the other: new refusal text and a new keyword
    _write(supervisor["cfg"], supervisor["upstream"], "拒答二", ["违禁词语", "新增禁词"])
    r = httpx.post(root + "/admin/reload", headers={"authorization": f"Bearer {TOKEN}",
                                                    "connection": "close"})  # fmt: skip
    # the answer covers every worker: this one, and the other, which it had reload too
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["version"] == 2
    (other,) = r.json()["workers"]
    assert other["ok"] is True and other["version"] == 2
    _workers_seen(root, lambda h: h["config_version"] == 2)
    for _ in range(12):  # new connections: both workers answer some of these
        out = _chat(root, "请告诉我新增禁词的内容")
        assert out["choices"][0]["message"]["content"] == "拒答二"
        assert out["beian"]["blocked"] == "input"

    # a config file that does not load: the worker asked keeps its configuration and says why
    good = supervisor["cfg"].read_text(encoding="utf-8")
    supervisor["cfg"].write_text("gateway: [坏的", encoding="utf-8")
    r = httpx.post(root + "/admin/reload", headers={"authorization": f"Bearer {TOKEN}",
                                                    "connection": "close"})  # fmt: skip
    assert r.status_code == 400 and r.json()["ok"] is False and r.json()["version"] == 2
    assert "workers" not in r.json()  # nothing was passed on to the other worker
    supervisor["cfg"].write_text(good, encoding="utf-8")

    # SIGHUP to the supervisor reloads every worker
    os.kill(proc.pid, signal.SIGHUP)

    reloaded = _workers_seen(root, lambda h: h["config_version"] == 3)
    assert len({h["config_digest"] for h in reloaded.values()}) == 1

    # a worker that dies is replaced (same index), with the configuration now in force (not the
    # one the gateway started with); the port keeps serving meanwhile
    _until(lambda: _stored(supervisor["tmp"]) == 2 + 16 + 12, "the records on disk")
    (victim,) = (p for p, h in first.items() if h["process"]["worker"] == 0)
    os.kill(victim, signal.SIGKILL)
    replaced = _workers_seen(root, lambda h: h["process"]["pid"] not in first, n=1)
    ((new_pid, new),) = replaced.items()
    assert new["process"]["worker"] == 0
    assert new["config_version"] == 3
    assert new["config_digest"] == next(iter(reloaded.values()))["config_digest"]
    _chat(root, "你好", user="u1")

    # Ctrl-C in the terminal: the supervisor stops every worker gracefully, exit status 0
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "意外退出（退出码 -9），正在重启" in err
    assert not any(_alive(p) for p in [*first, new_pid])

    # everything is on disk: 2 SDK calls, 16 + 1 opted-out chats, 12 refusals
    store = RecordStore(
        supervisor["tmp"] / "gw.db", KeyRing.from_env({"BEIAN_KEY": supervisor["key"]})
    )
    try:
        recs = list(store.exchanges())
        assert len(recs) == 2 + 17 + 12
        u1 = [e for e in recs if e.user == "u1"]
        assert len(u1) == 17 and all(e.training_opt_out for e in u1)
        assert sum(e.outcome == "blocked_input" for e in recs) == 12
        # one retention purge per start of worker 0 (the first and its replacement), none
        # from worker 1: the workers share one database
        assert len(store.purges()) == 2
    finally:
        store.close()


def test_a_worker_that_cannot_start_stops_the_start(tmp_path: Path, upstream: DemoServer) -> None:
    cfg = tmp_path / "gateway.yaml"
    _write(cfg, upstream.base_url, "拒答", ["违禁词语"])
    port = free_port()
    r = subprocess.run(
        [sys.executable, "-m", "beian", "gateway", "serve", "-f", str(cfg), "--port", str(port),
         "--workers", "2"],
        cwd=tmp_path, env=_env(None), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2
    assert "未配置加密密钥" in r.stderr and "BEIAN_KEY" in r.stderr
    # nothing is left listening on the port
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_a_taken_port_is_a_clear_error(tmp_path: Path, upstream: DemoServer) -> None:
    cfg = tmp_path / "gateway.yaml"
    _write(cfg, upstream.base_url, "拒答", ["违禁词语"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "beian", "gateway", "serve", "-f", str(cfg), "--port",
             str(port), "--workers", "2"],
            cwd=tmp_path, env=_env(base64.b64encode(secrets.token_bytes(32)).decode()),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert r.returncode == 2
    assert f"无法使用地址 127.0.0.1:{port}" in r.stderr and "换一个端口" in r.stderr


def test_workers_must_be_positive(tmp_path: Path, upstream: DemoServer) -> None:
    cfg = tmp_path / "gateway.yaml"
    _write(cfg, upstream.base_url, "拒答", ["违禁词语"])
    r = subprocess.run(
        [sys.executable, "-m", "beian", "gateway", "serve", "-f", str(cfg), "--workers", "0"],
        cwd=tmp_path, env=_env(None), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode == 2 and "--workers" in r.stderr


def test_reload_during_start_waits_for_the_workers(tmp_path: Path, upstream: DemoServer) -> None:
    """A SIGHUP while the workers are still starting neither kills them nor is lost."""
    state = _serve(tmp_path, upstream.base_url)
    proc: subprocess.Popen[str] = state["proc"]
    try:
        _until(lambda: bool(_children(proc.pid)), "the worker processes")
        os.kill(proc.pid, signal.SIGHUP)  # the workers exist but are still importing
        assert all(_health(state["root"]) is None for _ in range(3))  # nobody listens yet
        # each worker builds its gateway twice (start, then the reload): slow on a busy machine
        reloaded = _workers_seen(state["root"], lambda h: h["config_version"] == 2, timeout=90)
        assert len(reloaded) == 2
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err


def test_a_second_gateway_on_the_same_port_is_refused(tmp_path: Path, upstream: DemoServer) -> None:
    (tmp_path / "a").mkdir()
    first = _serve(tmp_path / "a", upstream.base_url)
    proc: subprocess.Popen[str] = first["proc"]
    try:
        _workers_seen(first["root"], lambda h: True)
        port = int(first["root"].rsplit(":", 1)[1])
        (tmp_path / "b").mkdir()
        second = _serve(tmp_path / "b", upstream.base_url, port=port)
        _out, err = second["proc"].communicate(timeout=120)
        assert second["proc"].returncode == 2
        assert f"无法使用地址 127.0.0.1:{port}" in err
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=90)


def test_a_stream_in_flight_finishes_when_the_gateway_stops(tmp_path: Path) -> None:
    slow = DemoBehavior(chunk_chars=4, chunk_delay_ms=60)  # about 2.5 s of answer
    with serve_demo(slow) as up:
        state = _serve(tmp_path, up.base_url)
        proc: subprocess.Popen[str] = state["proc"]
        try:
            _workers_seen(state["root"], lambda h: True)
            client = openai.OpenAI(base_url=state["root"] + "/v1", api_key="k", max_retries=0,
                                   timeout=30)  # fmt: skip
            parts = client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "介绍一下长城的历史"}],
                stream=True,
            )  # fmt: skip
            got = []
            for p in parts:
                got.append(p.choices[0].delta.content or "" if p.choices else "")
                if len(got) == 3:
                    proc.send_signal(signal.SIGTERM)  # mid-answer
            text = "".join(got)
        finally:
            _out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert text.endswith("【本内容由人工智能生成】") and len(got) > 10
    store = RecordStore(tmp_path / "gw.db", KeyRing.from_env({"BEIAN_KEY": state["key"]}))
    try:
        (rec,) = store.exchanges()
        assert rec.outcome == "ok" and rec.sent == text
    finally:
        store.close()
