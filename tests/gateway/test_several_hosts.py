"""Several gateway hosts, one record (issue 21 item 5): two ``beian gateway serve`` processes on
different ports share one PostgreSQL database, as hosts behind a load balancer would."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from beian.crypto import KeyRing
from beian.demo import DemoBehavior, serve_in_thread

from .conftest import ADMIN, ADMIN_TOKEN, PRODUCER, free_port, listens

pytestmark = pytest.mark.postgres
URL_ENV = "BEIAN_TEST_GATEWAY_DB"


def _until(pred: object, what: str, timeout: float = 90) -> None:  # slow starts on a busy machine
    deadline = time.monotonic() + timeout
    while not pred():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@contextlib.contextmanager
def _serve(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """One gateway process (``gw.yaml`` in ``tmp``) on a port of its own; its root URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "beian", "gateway", "serve", "-f", "gw.yaml", "--port", str(port),
         "--quiet"], cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: listens(root) or proc.poll() is not None, "the gateway process")
        assert proc.poll() is None, proc.communicate(timeout=10)[1].decode()[-2000:]
        yield root
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=10)


def _records(tmp: Path, env: dict[str, str]) -> list[dict[str, object]]:
    out = subprocess.run(
        [sys.executable, "-m", "beian", "gateway", "records", "-f", "gw.yaml", "--format", "json"],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    got: list[dict[str, object]] = json.loads(out.stdout)
    return got


def test_two_gateways_share_records_opt_outs_complaints_and_lockouts(
    tmp_path: Path, pg_database: str
) -> None:
    KeyRing.generate().save(tmp_path / "keys.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEIAN_KEY")}
    env[URL_ENV] = pg_database  # the password-bearing URL stays out of the file
    with serve_in_thread(DemoBehavior(chunk_chars=3)) as upstream:
        cfg = {"upstream": {"base_url": upstream.base_url},
               "records": {"url_env": URL_ENV, "key_file": "keys.json"},
               "labels": {"content_producer": PRODUCER}, "admin_token": ADMIN_TOKEN,
               "access": {"admin_max_failures": 4},
               "screening": {"pii": "off", "keywords": [{"keyword": "违禁词语", "risk": "A1a"}]}}  # fmt: skip
        (tmp_path / "gw.yaml").write_text(yaml.safe_dump({"gateway": cfg}, allow_unicode=True))
        with _serve(tmp_path, env) as a, _serve(tmp_path, env) as b:
            for root, user in ((a, "ann"), (b, "bob")):
                sdk = openai.OpenAI(base_url=root + "/v1", api_key="sk-test", max_retries=0)
                sdk.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": f"{user} 你好"}], user=user
                )
            # an opt-out set through A is honoured by B
            r = httpx.post(a + "/privacy/opt-out", json={"user": "carl", "opted_out": True})
            assert r.status_code == 200
            page = httpx.get(b + "/privacy/opt-out", params={"user": "carl"})
            assert "不用于训练" in page.text
            sdk_b = openai.OpenAI(base_url=b + "/v1", api_key="sk-test", max_retries=0)
            sdk_b.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "carl 你好"}], user="carl"
            )
            # a complaint filed on A is listed and closed through B, its holder sees it on A
            filed = httpx.post(a + "/complaints", json={"content": "回答有问题", "category": "其他"})
            assert filed.status_code == 201
            ticket, token = filed.json()["ticket"], filed.json()["token"]
            listed = httpx.get(b + "/admin/complaints", headers=ADMIN).json()
            assert [c["ticket"] for c in listed] == [ticket]
            done = httpx.post(b + f"/admin/complaints/{ticket}", headers=ADMIN,
                              json={"status": "已办结", "note": "已在 B 处理"})  # fmt: skip
            assert done.status_code == 200
            seen = httpx.get(a + "/complaints/status", headers={"X-Beian-Ticket-Token": token})
            assert seen.json()["status"] == "已办结"
            # the admin lockout counts wrong tokens across both
            wrong = {"Authorization": "Bearer not-the-admin-token-at-all-0123"}
            codes = [httpx.get(root + "/admin/complaints", headers=wrong).status_code
                     for root in (a, b, a, b)]  # fmt: skip
            assert codes[:3] == [401, 401, 401] and codes[3] == 429
            assert httpx.get(a + "/admin/complaints", headers=ADMIN).status_code == 429
            # one records listing: both conversations, and B's record of carl opted out
            _until(lambda: len(_records(tmp_path, env)) == 3, "three records", timeout=30)
    got = {r["user"]: r for r in _records(tmp_path, env)}
    assert set(got) == {"ann", "bob", "carl"}
    assert all(r["outcome"] == "ok" for r in got.values())
    assert got["carl"]["training_opt_out"] is True and got["ann"]["training_opt_out"] is False
