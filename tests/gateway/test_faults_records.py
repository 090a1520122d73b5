"""Fault injection, records: every exchange is recorded when it arrives and completed however
it ends — lone surrogates, malformed streams, crashes, shutdown, kill -9, clients that give up."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from beian.crypto import KeyRing
from beian.gateway import Gateway, RecordStore, Screening, ScreeningConfig
from beian.gateway import serve_in_thread as serve_gateway

from .conftest import (
    KEYWORDS,
    PRODUCER,
    Behind,
    KeywordScanner,
    free_port,
    gateway_config,
    listens,
    records,
)
from .hostile import HostileUpstream, Received, chunk, completion, event, reply, sse_head

SUFFIX = "\n【本内容由人工智能生成】"


def chat(content: str = "你好", **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": content}], **extra}


def sse_events(text: str) -> list[Any]:
    return [b[6:] if b == "data: [DONE]" else json.loads(b[6:])
            for b in text.split("\n\n") if b.startswith("data: ")]  # fmt: skip


def wait_for(pred: Callable[[], bool], what: str, timeout: float = 4) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def slow_stream(pieces: int = 100, delay: float = 0.05) -> Any:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head()
        for _ in range(pieces):
            yield event(chunk(content="慢慢说"))
            yield delay
        yield event(chunk(finish="stop")) + event("[DONE]")

    return behave


# -- lone surrogates --------------------------------------------------------------------------
def test_blocked_probe_with_a_lone_surrogate_is_recorded(behind: Behind) -> None:
    g, up = behind(slow_stream())
    body = b'{"model": "m", "messages": [{"role": "user", "content": "\\u8fdd\\u7981\\u8bcd\\u8bed\\ud800"}]}'
    r = httpx.post(g.base_url + "/chat/completions", content=body)
    assert r.status_code == 200 and r.json()["beian"]["blocked"] == "input"
    (rec,) = records(g)
    assert rec.outcome == "blocked_input"
    assert rec.request["messages"][0]["content"] == "违禁词语\ufffd"
    assert g.gateway.store.write_errors == 0 and up.received == []


@pytest.mark.parametrize("stream", [False, True])
def test_lone_surrogate_from_upstream_is_answered_and_recorded(behind: Behind, stream: bool) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        if stream:
            yield sse_head()
            yield b'data: {"choices": [{"index": 0, "delta": {"content": "\\u597d\\udc00"}}]}\n\n'
            yield event(chunk(finish="stop")) + event("[DONE]")
        else:
            body = json.dumps(completion({"content": "X"})).replace('"X"', '"\\u597d\\udc00"')
            yield reply(200, body.encode())

    g, _ = behind(behave)
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=stream))
    assert r.status_code == 200 and "好\ufffd" in r.text
    (rec,) = records(g)
    assert rec.outcome == "ok" and rec.response == "好\ufffd" and rec.sent == "好\ufffd" + SUFFIX
    assert g.gateway.store.write_errors == 0


def test_store_keeps_a_record_with_lone_surrogates(tmp_path: Path) -> None:
    from beian.gateway import Exchange

    store = RecordStore(tmp_path / "r.db", KeyRing.generate())
    try:
        store.submit(Exchange(id="x", started=1.0, user="u\ud800", response="a\udfff",
                              error="e\ud800", request={"k\ud800": ["v\udc00"]}))  # fmt: skip
        store.flush()
        rec = store.get("x")
        assert rec is not None and rec.response == "a\ufffd" and rec.user == "u\ufffd"
        assert rec.request == {"k\ufffd": ["v\ufffd"]} and store.write_errors == 0
    finally:
        store.close()


# -- malformed streams ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad",
    [
        '{"choices": 5}',
        '{"choices": [{"index": 0, "delta": "text"}]}',
        "[]",
        '{"choices": [{"index": true, "delta": {}}]}',
        '{"choices": [{"index": 100000000, "delta": {"content": "x"}}]}',
        '{"choices": [{"index": 0, "delta": {"content": 5}}]}',
        '{"choices": [{"index": 0, "delta": {"tool_calls": "x"}}]}',
        "{not json",
    ],
    ids=["choices_number", "delta_string", "list", "index_bool", "index_huge", "content_number",
         "tool_calls_string", "not_json"],
)
def test_malformed_chunks_end_with_an_error_event_labels_and_a_record(
    behind: Behind, bad: str
) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head() + event(chunk(role="assistant", content="前面的话。"))
        yield 0.05
        yield event(bad)
        yield 0.05
        yield event(chunk(content="不该出现")) + event("[DONE]")

    g, _ = behind(behave)
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=True))
    events = sse_events(r.text)
    assert events[-1]["error"]["code"] == "upstream_malformed" and "不该出现" not in r.text
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1])
    # what was sent (all but the held-back tail) is labelled before the error event
    assert text.endswith(SUFFIX) and "前面的话。".startswith(text.removesuffix(SUFFIX))
    assert len(text) > len(SUFFIX)
    assert any("aigc_label" in e for e in events[:-1])
    (rec,) = records(g)
    assert rec.outcome == "upstream_error" and rec.sent == text


# -- arrival, crash, kill -9 ------------------------------------------------------------------
def test_record_is_written_when_the_request_arrives(behind: Behind) -> None:
    g, _ = behind(slow_stream(pieces=40))
    with httpx.stream("POST", g.base_url + "/chat/completions", json=chat("在吗", stream=True)) as r:
        body = r.iter_raw()
        next(body)
        wait_for(lambda: bool(records(g)), "the arrival record")
        (rec,) = records(g)
        assert rec.outcome == "in_progress" and rec.request["messages"][0]["content"] == "在吗"
        for _ in body:
            pass
    (rec,) = records(g)
    assert rec.outcome == "ok" and rec.sent.endswith(SUFFIX)


class FaultyScanner(KeywordScanner):
    """A scanner with a bug: any text with 故障 makes it raise (a crash, not a patch)."""

    def scan(self, text: str) -> list[Any]:
        if "故障" in text:
            raise RuntimeError("scanner bug")
        return super().scan(text)


def faulty(cfg: ScreeningConfig) -> Screening:
    return Screening(config=cfg, scanner=FaultyScanner(KEYWORDS), sources=["<faulty>"])


@pytest.mark.parametrize("stream", [False, True])
def test_a_crash_is_recorded_and_answered_cleanly(behind: Behind, stream: bool) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head() + event(chunk(content="正常")) + event(chunk(content="然后故障"))
        yield event(chunk(finish="stop")) + event("[DONE]")

    g, _ = behind(behave, factory=faulty, screening={"pii": "off"})
    prompt = "你好" if stream else "输入里的故障"
    r = httpx.post(g.base_url + "/chat/completions", json=chat(prompt, stream=stream))
    if stream:
        assert sse_events(r.text)[-1]["error"]["code"] == "internal_error"
    else:
        assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
    (rec,) = records(g)
    assert rec.outcome == "crash" and "scanner bug" in (rec.error or "")


@contextlib.contextmanager
def gateway_process(tmp: Path, base_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``beian gateway serve`` (one process) in front of ``base_url``; its root URL."""
    cfg = {"upstream": {"base_url": base_url},
           "records": {"path": "gw.db", "key_file": "keys.json"},
           "labels": {"content_producer": PRODUCER}, "limits": {"shutdown_grace_s": 0.5},
           "screening": {"pii": "off", "keywords": [{"keyword": "违禁词语", "risk": "A1a"}]}}
    (tmp / "gw.yaml").write_text(yaml.safe_dump({"gateway": cfg}, allow_unicode=True))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEIAN_KEY")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "beian", "gateway", "serve", "-f", "gw.yaml", "--port",
         str(port), "--quiet"], cwd=tmp, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: listens(root), "the gateway process", timeout=60)  # a busy machine
        yield proc, root
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_kill_9_leaves_records_that_the_next_start_marks_crash(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    ring.save(tmp_path / "keys.json")
    with HostileUpstream(slow_stream(pieces=200)) as up:
        with gateway_process(tmp_path, up.base_url) as (proc, root):
            streams = [_open_stream(root, {}) for _ in range(5)]
            wait_for(lambda: _in_progress(tmp_path) == 5, "5 arrival records")
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for s in streams:
            s.join(timeout=5)
        store = RecordStore(tmp_path / "gw.db", ring)
        try:
            assert store.recover() == 5
            got = list(store.exchanges())
            assert [r.outcome for r in got] == ["crash"] * 5
            assert all("意外退出" in (r.error or "") for r in got)
            assert store.recover() == 0
        finally:
            store.close()


def test_sigterm_ends_streams_with_an_error_event_labels_and_records(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    ring.save(tmp_path / "keys.json")
    got: dict[str, str] = {}
    with (
        HostileUpstream(slow_stream(pieces=200)) as up,
        gateway_process(tmp_path, up.base_url) as (proc, root),
    ):
        s = _open_stream(root, got)
        wait_for(lambda: "慢" in got.get("body", ""), "some text")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        s.join(timeout=5)
        assert proc.wait(timeout=10) == 0
        # limits.shutdown_grace_s (0.5 s here) bounds the stop, not the 10-second stream
        assert time.monotonic() - t0 < 5
    events = sse_events(got["body"])
    assert events[-1]["error"]["code"] == "shutdown"
    assert any("aigc_label" in e for e in events[:-1]) and "【本内容由人工智能生成】" in got["body"]
    store = RecordStore(tmp_path / "gw.db", ring)
    try:
        (rec,) = store.exchanges()
        assert rec.outcome == "shutdown" and rec.sent.endswith(SUFFIX)
    finally:
        store.close()


def _open_stream(root: str, got: dict[str, str]) -> threading.Thread:
    """A streamed chat in a thread; what arrives is put in ``got["body"]`` as it comes."""

    def run() -> None:
        try:
            with httpx.stream("POST", root + "/v1/chat/completions", json=chat(stream=True),
                              timeout=10) as r:  # fmt: skip
                for piece in r.iter_text():
                    got["body"] = got.get("body", "") + piece
        except httpx.HTTPError:
            pass

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _in_progress(tmp: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(tmp / "gw.db", timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM exchanges WHERE outcome = 'in_progress'").fetchone()[0])
    except sqlite3.Error:
        return 0


# -- shutdown and clients that give up --------------------------------------------------------
def _gateway(tmp: Path, base_url: str, **limits: Any) -> Gateway:
    from .conftest import keyword_screening

    cfg = gateway_config(tmp, base_url, limits=limits)
    return Gateway(cfg, ring=KeyRing.generate(), screening_factory=keyword_screening)


@pytest.mark.parametrize("stream", [False, True])
def test_shutdown_ends_what_is_in_flight_cleanly_and_records_it(
    tmp_path: Path, stream: bool
) -> None:
    got: dict[str, Any] = {}
    with HostileUpstream(slow_stream(pieces=200)) as up:
        slow_answer = up if stream else None
        if not stream:
            async def late(req: Received) -> AsyncIterator[bytes | float]:
                yield 10.0

            slow_answer = HostileUpstream(late).__enter__()
        assert slow_answer is not None
        gw = _gateway(tmp_path, slow_answer.base_url, shutdown_grace_s=0.3)
        with serve_gateway(gw) as g:
            started = threading.Event()

            def client() -> None:
                with httpx.stream("POST", g.base_url + "/chat/completions",
                                  json=chat(stream=stream), timeout=10) as r:  # fmt: skip
                    got["status"], body = r.status_code, b""
                    for piece in r.iter_raw():
                        body += piece
                        if "慢".encode() in body:
                            started.set()  # some text has left
                    got["body"] = body.decode()

            t = threading.Thread(target=client, daemon=True)
            t.start()
            if stream:
                assert started.wait(5)
            else:
                wait_for(lambda: bool(up.received or slow_answer.received), "the upstream call")
            t0 = time.monotonic()
        assert time.monotonic() - t0 < 3  # grace 0.3 s, not uvicorn's own timeout
        t.join(5)
        if not stream:
            slow_answer.__exit__(None, None, None)
    if stream:
        assert sse_events(got["body"])[-1]["error"]["code"] == "shutdown"
        assert "【本内容由人工智能生成】" in got["body"]  # what was sent is labelled
    else:
        assert got["status"] == 503 and json.loads(got["body"])["error"]["code"] == "shutdown"
    store = RecordStore(tmp_path / "gw.db", gw.ring)
    try:
        (rec,) = store.exchanges()
        assert rec.outcome == "shutdown"
    finally:
        store.close()


def test_non_stream_client_that_gives_up_is_recorded_as_timeout(behind: Behind) -> None:
    async def late(req: Received) -> AsyncIterator[bytes | float]:
        yield 1.0
        yield reply(200, json.dumps(completion({"content": "太晚了"})).encode())

    g, _ = behind(late)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(g.base_url + "/chat/completions", json=chat(), timeout=0.3)
    wait_for(lambda: bool(records(g)) and records(g)[0].outcome != "in_progress", "the record")
    (rec,) = records(g)
    assert rec.outcome == "timeout" and rec.sent == ""


def test_kill_9_of_a_worker_under_many_streams_leaves_every_record_with_an_outcome(
    tmp_path: Path,
) -> None:
    """``--workers 2`` under 40 streams; one worker is killed with SIGKILL. The supervisor starts
    a new worker, which on start marks the dead worker's exchanges ``crash`` (nobody calls
    ``recover`` here); the other worker's streams finish ``ok``. Every stream has a record with
    an outcome: none stays ``in_progress`` and none is missing."""
    from .test_workers import _children, _serve, _until, _workers_seen

    n = 40
    with HostileUpstream(slow_stream(pieces=120, delay=0.05)) as up:
        state = _serve(tmp_path, up.base_url)
        proc, root = state["proc"], state["root"]
        try:
            _workers_seen(root, lambda h: True)
            got: list[dict[str, str]] = [{} for _ in range(n)]
            streams = [_open_stream(root, g) for g in got]
            _until(lambda: all("慢" in g.get("body", "") for g in got), "text on every stream")
            _until(lambda: _in_progress(tmp_path) == n, f"{n} arrival records")
            by_pid = _inflight_pids(tmp_path)
            victim = max(by_pid, key=lambda p: by_pid[p])
            assert victim in _children(proc.pid) and len(by_pid) == 2  # both workers have streams
            os.kill(victim, signal.SIGKILL)
            for s in streams:
                s.join(timeout=30)
            _until(lambda: _outcomes(tmp_path).get("in_progress", 0) == 0, "the dead worker's "
                   "records marked by its successor", timeout=60)  # fmt: skip
            assert victim not in _children(proc.pid) and len(_children(proc.pid)) == 2
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=30)
    outcomes = _outcomes(tmp_path)
    assert outcomes == {"crash": by_pid[victim], "ok": n - by_pid[victim]}
    assert sum("[DONE]" in g.get("body", "") for g in got) == n - by_pid[victim]


def _inflight_pids(tmp: Path) -> dict[int, int]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(tmp / "gw.db", timeout=5)) as db:
        return dict(db.execute("SELECT pid, COUNT(*) FROM exchanges WHERE outcome = 'in_progress' GROUP BY pid").fetchall())


def _outcomes(tmp: Path) -> dict[str, int]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(tmp / "gw.db", timeout=5)) as db:
        return dict(db.execute("SELECT outcome, COUNT(*) FROM exchanges GROUP BY outcome").fetchall())
