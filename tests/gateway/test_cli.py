"""``beian gateway``: serve (real process), reload on SIGHUP, records after restart, check, etc."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import yaml

from beian.demo import DemoServer

from ..conftest import run_cli
from .conftest import PRODUCER, free_port


def _write(path: Path, **over: object) -> None:
    screening = {"pii": "off", "input_refusal": over.pop("refusal", "拒答一")}
    if "lexicon" in over:
        screening["lexicon"] = over.pop("lexicon")
    data = {"upstream": {"base_url": over.pop("base_url")}, "records": {"path": "gw.db"},
            "screening": screening,
            "labels": {"content_producer": over.pop("producer", PRODUCER)},
            "complaints": {"email": "ts@provider.com.cn"}}  # fmt: skip
    path.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), encoding="utf-8")


def test_serve_reload_and_records_after_restart(tmp_path: Path, upstream: DemoServer) -> None:
    cfg = tmp_path / "gateway.yaml"
    _write(cfg, base_url=upstream.base_url)
    env = {
        **os.environ,
        "BEIAN_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "NO_COLOR": "1",
    }
    env.pop("BEIAN_CONFIG", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "beian", "gateway", "serve", "-f", str(cfg), "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        root = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if httpx.get(root + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = openai.OpenAI(base_url=root + "/v1", api_key="k", max_retries=0, timeout=10)
        c = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "你好"}], user="u1"
        )
        assert (c.choices[0].message.content or "").endswith("【本内容由人工智能生成】")
        _write(cfg, base_url=upstream.base_url, refusal="拒答二")
        proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while httpx.get(root + "/healthz").json()["config_version"] != 2 and time.time() < deadline:
            time.sleep(0.05)
        assert httpx.get(root + "/healthz").json()["config_version"] == 2
        t = httpx.post(root + "/complaints", json={"content": "有问题"}).json()["ticket"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    access = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert access and access[0]["outcome"] == "ok"
    # the process is gone: the records are on disk and readable with the key
    r = run_cli("gateway", "records", "-f", str(cfg), "--format", "json", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (rec,) = json.loads(r.stdout)
    assert rec["user"] == "u1" and rec["request"]["messages"][0]["content"] == "你好"
    r = run_cli("gateway", "complaints", "-f", str(cfg), "--update", t, "--to", "已办结", env=env)
    assert r.returncode == 0 and "已办结" in r.stdout
    r = run_cli("gateway", "opt-out", "u1", "-f", str(cfg), env=env)
    assert r.returncode == 0
    out = tmp_path / "train.jsonl"
    r = run_cli("gateway", "export-training", "-f", str(cfg), "-o", str(out), env=env)
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == ""  # u1 opted out
    r = run_cli("gateway", "purge", "-f", str(cfg), env=env)
    assert r.returncode == 0 and "已清除 0 条" in r.stdout


def test_check_exit_codes(tmp_path: Path) -> None:
    cfg = tmp_path / "g.yaml"
    _write(cfg, base_url="http://127.0.0.1:9/v1")
    no_key = {"BEIAN_KEY": "", "BEIAN_KEYS": "", "BEIAN_KEY_FILE": ""}
    r = run_cli("gateway", "check", "-f", str(cfg), "--format", "json", cwd=tmp_path, env=no_key)
    assert r.returncode == 1  # no keyword library: BA-GW-002 blocks; no key: BA-GW-009
    assert {f["code"] for f in json.loads(r.stdout)} == {"BA-GW-002", "BA-GW-004", "BA-GW-009"}
    # placeholders and missing files are reported, not "检查通过"
    _write(cfg, base_url="http://127.0.0.1:9/v1", producer="DEMO-NOT-A-REAL-PRODUCER",
           lexicon=["关键词.txt"])  # fmt: skip
    r = run_cli("gateway", "check", "-f", str(cfg), cwd=tmp_path, env={"BEIAN_KEY": base64.b64encode(secrets.token_bytes(32)).decode()})
    assert r.returncode == 1 and "检查通过" not in r.stdout
    assert "BA-GW-007" in r.stdout and "BA-GW-008" in r.stdout and "关键词.txt" in r.stdout
    r = run_cli("gateway", "records", cwd=tmp_path)
    assert r.returncode == 2 and "网关配置" in r.stderr
