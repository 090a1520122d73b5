"""The CLI: `beian serve` from zero configuration, `beian registry …` commands."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from beian.registry import LoginRefused, Registry, Settings
from beian.registry.db import AuditRow
from tests.conftest import run_cli
from tests.registry.conftest import PASSWORD, LiveServer, World, write_package


def test_serve_zero_configuration_creates_admin(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEIAN_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "beian", "serve", "--port", str(port)], cwd=tmp_path,
        env={**env, "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "访问" in line:
                break
        out = "".join(lines)
        assert "用户名：admin" in out and "otpauth://totp/" in out
        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 200 and "备案登记系统" in r.text
        # a client cannot choose the address its failures are counted on
        r = httpx.post(f"http://127.0.0.1:{port}/api/v1/auth/login",
                       json={"username": "admin", "password": "not-the-password"},
                       headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status_code == 401
        assert (tmp_path / "beian-registry" / "registry.db").exists()
        assert oct((tmp_path / "beian-registry" / "keys.json").stat().st_mode & 0o777) == "0o600"
    finally:
        proc.terminate()
        proc.wait(10)
    with sqlite3.connect(tmp_path / "beian-registry" / "registry.db") as db:
        assert db.execute("SELECT ip FROM login_attempts").fetchall() == [("127.0.0.1",)]


def test_submit_uploads_and_submits(world: World, live_server: LiveServer,
                                    tmp_path: Path) -> None:
    pkg = write_package(tmp_path / "pkg")
    r = run_cli("registry", "submit", str(pkg), "--url", live_server.url, "--user", "applicant",
                env={"BEIAN_REGISTRY_PASSWORD": PASSWORD})
    assert r.returncode == 0, r.stderr
    apps = world.reg.applications.list_for(world.actors["reviewer"])
    assert len(apps) == 1 and apps[0]["state"] == "submitted" and apps[0]["id"] in r.stdout
    (pkg / "模型服务协议.docx").write_bytes(b"PK\x03\x04tampered")
    r = run_cli("registry", "submit", str(pkg), "--url", live_server.url, "--user", "applicant",
                env={"BEIAN_REGISTRY_PASSWORD": PASSWORD})
    assert r.returncode == 2 and "SHA-256" in r.stderr and "模型服务协议.docx" in r.stderr
    r = run_cli("registry", "submit", str(pkg), "--url", live_server.url, "--user", "applicant",
                env={"BEIAN_REGISTRY_PASSWORD": "wrong-password"})
    assert r.returncode == 2 and "HTTP 401" in r.stderr


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    return {"BEIAN_DATA_DIR": str(settings.data_dir), "BEIAN_KEY_FILE": str(settings.key_file)}


@pytest.mark.slow
def test_admin_commands(world: World, settings: Settings, cli_env: dict[str, str],
                        tmp_path: Path) -> None:
    r = run_cli("registry", "audit", "verify", env=cli_env)
    assert r.returncode == 0 and "哈希链校验通过" in r.stdout, r.stderr
    assert "警告：未核对任何签名检查点" in r.stdout and "未核对签名检查点" in r.stdout
    r = run_cli("registry", "audit", "verify", "--require-checkpoints", env=cli_env)
    assert r.returncode == 1 and "未核对任何签名检查点" in r.stdout
    cps = str(tmp_path / "cp.jsonl")
    r = run_cli("registry", "audit", "verify", env={**cli_env, "BEIAN_AUDIT_CHECKPOINTS": cps})
    assert r.returncode == 1 and "已配置的审计检查点文件" in r.stdout and "不存在" in r.stdout
    assert f"检查点文件：{cps}" in r.stdout.replace("\n", "")  # the CLI names the path
    assert "整个日志：" in r.stdout and "第 0 行" not in r.stdout
    r = run_cli("registry", "audit", "checkpoint", "--checkpoints", cps, env=cli_env)
    assert r.returncode == 0 and "检查点" in r.stdout, r.stderr
    r = run_cli("registry", "audit", "verify", "--checkpoints", cps, "--require-checkpoints",
                env=cli_env)
    assert r.returncode == 0 and "1 个签名检查点核对无误" in r.stdout, r.stdout
    cal = tmp_path / "2027.yaml"
    cal.write_text("year: 2027\nholidays: [2027-01-01]\n", encoding="utf-8")
    r = run_cli("registry", "calendar", "load", str(cal), env=cli_env)
    assert r.returncode == 0 and "2027" in r.stdout, r.stderr
    with world.reg.core.tx() as db:
        assert world.reg.core.calendar(db).covers(2027)
    r = run_cli("registry", "tick", "--date", "2025-10-14", "--format", "json", env=cli_env)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
    r = run_cli("registry", "tick", "--date", "14/10/2025", env=cli_env)
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    r = run_cli("registry", "rotate-keys", env=cli_env)
    assert r.returncode == 0 and "k2" in r.stdout, r.stderr
    r = run_cli("registry", "backup", str(tmp_path / "bk"), env=cli_env)
    assert r.returncode == 0 and (tmp_path / "bk" / "registry.sqlite3").exists(), r.stderr
    r = run_cli("registry", "restore", str(tmp_path / "bk"), env=cli_env)
    assert r.returncode == 0 and "与备份一致" in r.stdout, r.stderr
    with world.reg.core.engine.begin() as conn:
        conn.execute(update(AuditRow).where(AuditRow.seq == 2).values(detail="{}"))
    r = run_cli("registry", "audit", "verify", env=cli_env)
    assert r.returncode == 1 and "第 2 行" in r.stdout


def test_user_add(settings: Settings, cli_env: dict[str, str]) -> None:
    r = run_cli("registry", "user", "add", "bj_reviewer", "--role", "reviewer", "--org",
                "北京市网信办", "--org-kind", "registrar", "--province", "北京", env=cli_env)
    assert r.returncode == 0 and "otpauth://" in r.stdout, r.stderr
    reg = Registry.open(settings)
    try:
        assert reg.accounts.actor("bj_reviewer").province == "北京"
    finally:
        reg.close()
    r = run_cli("registry", "user", "add", "zhang", "--role", "applicant", "--org", "某公司",
                "--province", "北京", env=cli_env)
    assert r.returncode == 2 and "统一社会信用代码" in r.stderr, r.stdout
    r = run_cli("registry", "user", "add", "zhang", "--role", "applicant", "--org", "某公司",
                "--province", "北京", "--uscc", "91110000600037341L", env=cli_env)
    assert r.returncode == 0, r.stderr


def test_user_commands(world: World, cli_env: dict[str, str]) -> None:
    r = run_cli("registry", "user", "list", "--format", "json", env=cli_env)
    assert r.returncode == 0 and '"username": "reviewer"' in r.stdout, r.stderr
    token, _ = world.login("applicant")
    r = run_cli("registry", "user", "disable", "applicant", env=cli_env)
    assert r.returncode == 0 and "已停用 applicant，1 个会话已退出" in r.stdout, r.stderr
    assert world.reg.accounts.actor_for(token) is None
    with pytest.raises(LoginRefused):
        world.reg.accounts.login("applicant", PASSWORD, None, "10.0.0.1")
    assert run_cli("registry", "user", "enable", "applicant", env=cli_env).returncode == 0
    r = run_cli("registry", "user", "reset", "applicant", env=cli_env)
    assert r.returncode == 0 and "临时密码" in r.stdout, r.stderr
    temp = r.stdout.split("临时密码 ")[1].split("（")[0]
    assert world.reg.accounts.login("applicant", temp, None, "10.0.0.1")[1].must_change
    r = run_cli("registry", "user", "revoke", "applicant", env=cli_env)
    assert r.returncode == 0 and "1 个会话" in r.stdout, r.stderr
    r = run_cli("registry", "user", "disable", "nobody", env=cli_env)
    assert r.returncode == 2 and "用户不存在" in r.stderr
