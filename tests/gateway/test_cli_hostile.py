"""The operator CLI against hostile data: what users wrote (complaints, user ids, answers) is
printed as text, never read as Rich markup; the bind check; user tokens (issue 20, item 4)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from beian.crypto import FieldCipher, KeyRing
from beian.gateway import ComplaintDesk, Exchange, RecordStore, verify_user_token

from ..conftest import run_cli
from .conftest import PRODUCER

# a closing tag with nothing open made Rich raise MarkupError; the others styled the output
HOSTILE = ["[/x]", "[bold]粗体[/bold]", "[link=https://evil.example]点我[/link]", "[red]", "\\[esc]"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    ring = KeyRing.generate()
    ring.save(tmp_path / "keys.json")
    cfg = tmp_path / "gateway.yaml"
    data = {"upstream": {"base_url": "http://127.0.0.1:9/v1"},
            "records": {"path": "gw.db", "key_file": "keys.json"},
            "labels": {"content_producer": PRODUCER}}  # fmt: skip
    cfg.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), encoding="utf-8")
    return cfg


@pytest.mark.parametrize("text", HOSTILE)
def test_records_print_user_data_as_text(config: Path, text: str) -> None:
    ring = KeyRing.load(config.parent / "keys.json")
    store = RecordStore(config.parent / "gw.db", ring)
    store.submit(Exchange(id="r" * 32, started=time.time(), user=text, sent=text,
                          outcome="blocked_output"))  # fmt: skip
    store.close()
    r = run_cli("gateway", "records", "-f", str(config))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(text) == 2  # the user column and the answer column, as written
    assert "\x1b[" not in r.stdout


@pytest.mark.parametrize("text", HOSTILE)
def test_complaints_print_contents_as_text(config: Path, text: str) -> None:
    ring = KeyRing.load(config.parent / "keys.json")
    desk = ComplaintDesk(config.parent / "gw.db", FieldCipher(ring), 15)
    desk.submit(f"投诉{text}内容", contact=text)
    desk.close()
    r = run_cli("gateway", "complaints", "-f", str(config))
    assert r.returncode == 0, r.stderr
    assert f"投诉{text}内容" in r.stdout and "\x1b[" not in r.stdout
    r = run_cli("gateway", "complaints", "-f", str(config), "--format", "json")
    assert json.loads(r.stdout)[0]["contact"] == text


def test_opt_out_prints_the_user_id_as_text(config: Path) -> None:
    r = run_cli("gateway", "opt-out", "[/x]", "-f", str(config))
    assert r.returncode == 0, r.stderr
    assert "用户 [/x]：不用于训练" in r.stdout


def test_check_names_the_config_value_as_text(config: Path) -> None:
    data = yaml.safe_load(config.read_text("utf-8"))
    data["gateway"]["screening"] = {"lexicon": ["[/x]词库.txt"]}  # a missing file, named as is
    config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    r = run_cli("gateway", "check", "-f", str(config))
    assert r.returncode == 1, r.stderr
    assert "[/x]词库.txt" in r.stdout


@pytest.mark.parametrize(
    ("name", "host", "identity", "expected"),
    [
        ("loopback, unsigned", "127.0.0.1", {}, None),
        ("localhost, unsigned", "localhost", {}, None),
        ("IPv6 loopback", "::1", {}, None),
        ("every address, unsigned", "0.0.0.0", {}, "BA-GW-011"),
        ("every address, off written out", "0.0.0.0", {"mode": "off"}, "BA-GW-011"),
        ("a public address, unsigned", "203.0.113.7", {}, "BA-GW-011"),
        ("a host name, unsigned", "gw.provider.example", {}, "BA-GW-011"),
        ("every address, trusted header", "0.0.0.0", {"mode": "header"}, "BA-GW-014"),
        ("every address, signed", "0.0.0.0", {"mode": "signed", "key_env": "GW_ID_KEY"}, None),
    ],
)  # fmt: skip
def test_check_flags_unverified_identities_on_a_public_bind(
    config: Path, name: str, host: str, identity: dict[str, str], expected: str | None
) -> None:
    """The default (``off``: the client's word) on a public bind is a blocking finding (the
    gateway refuses to start so); the authenticating proxy's header is a warning."""
    data = yaml.safe_load(config.read_text("utf-8"))
    data["gateway"]["identity"] = identity
    config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    env = {"GW_ID_KEY": "k" * 43}
    r = run_cli("gateway", "check", "-f", str(config), "--host", host, "--format", "json", env=env)
    codes = {f["code"]: f for f in json.loads(r.stdout)}
    assert {"BA-GW-011", "BA-GW-014"} & set(codes) == ({expected} if expected else set())
    if expected:
        assert host in codes[expected]["message"]
        assert codes[expected]["severity"] == ("阻断" if expected == "BA-GW-011" else "警告")


def test_serve_on_a_public_address_refuses_unverified_identities(config: Path) -> None:
    """``serve --host 0.0.0.0`` with the default identity mode exits with the Chinese error
    instead of listening (a loopback start of the same config is tested everywhere else)."""
    for workers in ("1", "2"):
        r = run_cli("gateway", "serve", "-f", str(config), "--host", "0.0.0.0", "--port", "0",
                    "--workers", workers, timeout=60)  # fmt: skip
        assert r.returncode == 2 and "拒绝启动" in r.stderr and "identity.mode" in r.stderr


def test_check_reports_a_weak_admin_token_and_a_missing_identity_key(config: Path) -> None:
    data = yaml.safe_load(config.read_text("utf-8"))
    data["gateway"] |= {"admin_token": "short-token", "identity": {"mode": "signed", "key_env": "NO_SUCH_KEY"}}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    r = run_cli("gateway", "check", "-f", str(config), "--format", "json", env={"NO_SUCH_KEY": ""})
    codes = {f["code"]: f for f in json.loads(r.stdout)}
    assert r.returncode == 1
    assert "强度不足" in codes["BA-GW-012"]["message"] and codes["BA-GW-012"]["severity"] == "阻断"
    assert codes["BA-GW-013"]["location"]["field"] == "identity.key_env"
    # and serving refuses to start, with the Chinese error
    r = run_cli("gateway", "serve", "-f", str(config), "--port", "0", env={"NO_SUCH_KEY": ""}, timeout=60)
    assert r.returncode == 2 and "admin_token 强度不足" in r.stderr


def test_user_token_command(config: Path) -> None:
    key = "k" * 43
    data = yaml.safe_load(config.read_text("utf-8"))
    data["gateway"]["identity"] = {"mode": "signed", "key_env": "GW_ID_KEY"}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    r = run_cli("gateway", "user-token", "alice", "-f", str(config), "--ttl", "600", env={"GW_ID_KEY": key})
    assert r.returncode == 0, r.stderr
    assert verify_user_token(key.encode(), r.stdout.strip()) == "alice"
    bad = run_cli("gateway", "user-token", "[/x]", "-f", str(config), env={"GW_ID_KEY": key})
    assert bad.returncode == 2 and "不允许的字符" in bad.stderr
