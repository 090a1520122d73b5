"""`beian serve` enforces the connection limits of ``registry.server`` (real sockets against the
real command): idle and half-sent connections are closed, oversized headers get 431."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from beian._shared.http_limits import HttpLimits
from beian._shared.serve import ConnectionLimitsConfig
from tests.conftest import run_cli

HEADER_TIMEOUT_S = 1.5
IDLE_TIMEOUT_S = 0.3
CONFIG = f"""\
registry:
  policy:
    argon2_time_cost: 1
    argon2_memory_kib: 1024
  server:
    max_header_bytes: 4096
    max_headers: 20
    header_timeout_s: {HEADER_TIMEOUT_S}
    idle_timeout_s: {IDLE_TIMEOUT_S}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`beian serve` in its own process, configured by ``CONFIG``."""
    home = tmp_path_factory.mktemp("serve-limits")
    (home / "beian.yaml").write_text(CONFIG, "utf-8")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEIAN_")}
    with (home / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "beian", "--config", str(home / "beian.yaml"), "serve",
             "--port", str(port), "--tick-hours", "0", "--data-dir", str(home / "data")],
            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (home / "serve.log").read_text("utf-8")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            assert time.monotonic() < deadline, "beian serve did not start"
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def _connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(8)  # far longer than any configured timeout: a timeout here is a failure
    return s


def _until_closed(s: socket.socket) -> tuple[bytes, float | None]:
    """Everything the server sends, and when (monotonic) it closed the connection (None: it
    kept it open)."""
    out = b""
    try:
        while piece := s.recv(65536):
            out += piece
    except TimeoutError:
        return out, None
    except ConnectionResetError:
        pass
    return out, time.monotonic()


def _get(extra: str = "") -> bytes:
    return f"GET / HTTP/1.1\r\nhost: registry\r\n{extra}\r\n".encode()


def test_a_request_within_the_limits_is_served(port: int) -> None:
    with _connect(port) as s:
        s.sendall(_get("x-note: " + "v" * 1024 + "\r\n" + "connection: close\r\n"))
        got, closed = _until_closed(s)
    assert got.startswith(b"HTTP/1.1 200") and "备案登记系统".encode() in got
    assert closed is not None


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(port: int) -> None:
    with _connect(port) as s:
        s.sendall(_get())
        first = s.recv(65536)
        answered = time.monotonic()
        assert first.startswith(b"HTTP/1.1 200")
        _, closed = _until_closed(s)  # the rest of the page, then nothing until it is closed
    assert closed is not None, "the idle keep-alive connection was kept open"
    # closed by the idle timeout, well before the (longer) header timeout
    assert closed - answered < HEADER_TIMEOUT_S * 0.8


@pytest.mark.parametrize("sent", [
    b"",  # connects and sends nothing
    b"GET /api/v1/app",  # half a request line
    b"GET / HTTP/1.1\r\nhost: registry\r\nx-slow: ",  # half the headers
], ids=["nothing", "half-request-line", "half-header"])  # fmt: skip
def test_incomplete_request_is_closed_after_the_header_timeout(port: int, sent: bytes) -> None:
    with _connect(port) as s:
        t0 = time.monotonic()
        s.sendall(sent)
        got, closed = _until_closed(s)
    assert closed is not None, "the connection was kept open"
    assert got == b"" or got.startswith(b"HTTP/1.1 408"), got[:80]
    assert HEADER_TIMEOUT_S * 0.8 <= closed - t0 < HEADER_TIMEOUT_S + 3


@pytest.mark.parametrize("extra", [
    "cookie: " + "k" * 8192 + "\r\n",  # twice max_header_bytes
    "".join(f"x-h{i}: v\r\n" for i in range(40)),  # twice max_headers
], ids=["size", "count"])  # fmt: skip
def test_headers_over_the_limits_get_431(port: int, extra: str) -> None:
    with _connect(port) as s:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(_get(extra))
        got, closed = _until_closed(s)
    assert got.startswith(b"HTTP/1.1 431"), got[:80]
    assert closed is not None


def test_invalid_server_setting_is_refused_before_serving(tmp_path: Path) -> None:
    cfg = tmp_path / "beian.yaml"
    cfg.write_text("registry:\n  server:\n    header_timeout_s: 0\n    keep_alive: 3\n", "utf-8")
    r = run_cli("--config", str(cfg), "serve", "--data-dir", str(tmp_path / "data"), timeout=60)
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "备案登记系统配置无效" in out and "registry.server" in out
    assert "header_timeout_s" in out and "keep_alive" in out
    assert not (tmp_path / "data").exists()  # refused before the registry was opened


def test_documented_defaults_are_the_defaults() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "registry.md").read_text("utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", docs, re.S)]
    (server,) = [b["registry"]["server"] for b in blocks if "server" in b.get("registry", {})]
    assert server == ConnectionLimitsConfig().model_dump()
    assert ConnectionLimitsConfig().http_limits() == HttpLimits()
