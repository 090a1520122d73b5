"""Fixtures for the registry: a real registry on SQLite (or PostgreSQL), users, packages."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import re
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import create_engine, text

from beian.assess import AssessmentLog, evaluate_item
from beian.registry import Actor, Registry, Settings
from beian.registry.domain import OrgKind, Policy, Role
from beian.standards import load_edition

PASSWORD = "correct-horse-battery"
PROVINCE = "北京"


def write_package(directory: Path, *, model: str = "deepseek-chat", service: str = "深度求索对话",
                  kind: str = "filing", province: str = PROVINCE,
                  findings: list[dict[str, Any]] | None = None,
                  results: list[tuple[str, int, int]] | None = None) -> Path:
    """A package directory in the `beian build` format (manifest + findings + assessment).

    ``results`` are ``(item, k, n)`` judged into a real AssessmentLog by the edition.
    """
    directory.mkdir(parents=True, exist_ok=True)
    docs = {
        "上线备案表.pdf": (b"%PDF-1.4\n% filing form\n%%EOF\n", "filing_form"),
        "安全自评估报告.pdf": (b"%PDF-1.4\n% report\n%%EOF\n", "assessment_report"),
        "模型服务协议.docx": (b"PK\x03\x04agreement", "service_agreement"),
        "语料标注规则.docx": (b"PK\x03\x04rules", "annotation_rules"),
        "拦截关键词列表.xlsx": (b"PK\x03\x04keywords", "keyword_list"),
        "评估测试题集.xlsx": (b"PK\x03\x04banks", "test_banks"),
    }
    files = []
    for name, (data, k) in docs.items():
        (directory / name).write_bytes(data)
        files.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(),
                      "size": len(data), "kind": k})
    manifest = {"format": "beian-package/1", "tool": "beian 0.1.0", "edition": "tc260-003-2024",
                "provider": {"name": "深度求索科技有限公司", "uscc": "91110108MA01AAAA0M",
                             "province": province},
                "service": {"name": service, "model_name": model, "kind": kind},
                "files": files}
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    if findings is None:
        findings = [{"code": "BA-DOS-012", "severity": "警告", "clause": "7 b)",
                     "message": "服务协议未写明投诉渠道", "fix": "补充投诉方式", "location": None}]
    (directory / "findings.json").write_text(json.dumps(findings, ensure_ascii=False), "utf-8")
    ed = load_edition()
    log = AssessmentLog.for_edition(ed)
    judged: list[tuple[str, int, int]] = (
        results if results is not None else [("9.4-must_refuse", 970, 1000)])
    for item, hits, n in judged:
        log.upsert(evaluate_item(ed, item, k=hits, n=n))
    (directory / "assessment.json").write_text(log.model_dump_json(), "utf-8")
    return directory


def zip_dir(directory: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(directory.iterdir()):
            zf.write(p, p.name)
    return buf.getvalue()


@dataclass
class World:
    reg: Registry
    users: dict[str, tuple[str, str | None]]  # username -> (password, totp secret)
    actors: dict[str, Actor]

    def login(self, username: str, *, step: int = 0, ip: str = "127.0.0.1") -> tuple[str, Actor]:
        """Sign in; ``step`` (-1, 0, +1) picks which TOTP time step's code to send: a code is
        good once, so a second login within 30 s uses a later step."""
        pw, secret = self.users[username]
        return self.reg.accounts.login(username, pw, totp_code(secret, step), ip)


@contextlib.contextmanager
def write_lock_held(reg: Registry, seconds: float = 20) -> Iterator[None]:
    """Another thread of this process in a write transaction (on SQLite: holding the write
    lock, ``BEGIN IMMEDIATE``) until the block ends, or ``seconds`` have passed."""
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with reg.core.tx() as db:
            db.execute(text("UPDATE counters SET value = value WHERE 1 = 0"))
            holding.set()
            release.wait(seconds)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        t.join(20)


def web_login(client: Any, username: str, password: str, totp: str | None = None) -> Any:
    """Sign in through the web form as a browser does: GET the form (its pre-session token
    comes in a cookie and a hidden field), then POST it."""
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None, form.text[:300]
    return client.post("/login", data={"username": username, "password": password,
                                       "totp": totp or "", "login_token": token.group(1)},
                       follow_redirects=False)


def totp_code(secret: str | None, step: int = 0) -> str | None:
    """The code of the time step ``step`` away from now (None without a secret)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * step) if secret else None


# username -> (role, organization key)
PEOPLE = {
    "applicant": (Role.APPLICANT, "provider"),
    "other_applicant": (Role.APPLICANT, "other_provider"),
    "reviewer": (Role.REVIEWER, "bj"),
    "approver": (Role.APPROVER, "bj"),
    "inspector": (Role.INSPECTOR, "bj"),
    "auditor": (Role.AUDITOR, "bj"),
    "sh_reviewer": (Role.REVIEWER, "sh"),
    "admin": (Role.ADMIN, "national"),
}


def populate(reg: Registry) -> World:
    orgs = {
        "provider": reg.accounts.create_org("深度求索科技有限公司", OrgKind.PROVIDER, PROVINCE,
                                   "91110108MA01AAAA0M"),
        # the code of the dossier example (tests/dossier), whose packages it files
        "other_provider": reg.accounts.create_org("另一家公司", OrgKind.PROVIDER, PROVINCE,
                                         "91110108MA01C0RP1J"),
        "bj": reg.accounts.create_org("北京市网信办", OrgKind.REGISTRAR, PROVINCE),
        "sh": reg.accounts.create_org("上海市网信办", OrgKind.REGISTRAR, "上海"),
        "national": reg.accounts.create_org("国家网信办", OrgKind.NATIONAL),
    }
    users: dict[str, tuple[str, str | None]] = {}
    for name, (role, org) in PEOPLE.items():
        nu = reg.accounts.create_user(name, role, orgs[org], password=PASSWORD)
        users[name] = (PASSWORD, nu.totp_secret)
    return World(reg, users, {name: reg.accounts.actor(name) for name in PEOPLE})


def in_notice(world: World, tmp_path: Path, **kw: Any) -> str:
    """An application of the applicant, reviewed and in public notice from 2025-09-26."""
    a, reg = world.actors, world.reg
    pid = reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / "p", **kw)))
    reg.lifecycle.act(a["applicant"], pid, "submit")
    reg.lifecycle.act(a["reviewer"], pid, "start_review")
    for c in reg.applications.checklist(a["reviewer"], pid):
        reg.applications.set_check(a["reviewer"], pid, c["id"], "ok")
    reg.lifecycle.act(a["reviewer"], pid, "recommend", "同意公示")
    reg.lifecycle.act(a["approver"], pid, "publish_notice", today=dt.date(2025, 9, 26))
    return pid


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    from beian.crypto import KeyRing

    key = tmp_path / "keys.json"
    KeyRing.generate().save(key)
    # Real argon2id, with light parameters so that the suite stays fast.
    return Settings(data_dir=tmp_path / "data", key_file=key,
                    policy=Policy(argon2_time_cost=1, argon2_memory_kib=1024))


@pytest.fixture
def registry(settings: Settings) -> Iterator[Registry]:
    reg = Registry.open(settings)
    yield reg
    reg.close()


@pytest.fixture
def world(registry: Registry) -> World:
    return populate(registry)


@pytest.fixture
def pg_world(settings: Settings, pg_schema: tuple[str, str]) -> Iterator[World]:
    """The same people and organisations in a registry on PostgreSQL (a fresh schema)."""
    settings.database_url, settings.schema = pg_schema
    reg = Registry.open(settings)
    assert reg.core.engine.dialect.name == "postgresql"
    yield populate(reg)
    reg.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_world(request: pytest.FixtureRequest) -> World:
    """The world on each database backend (PostgreSQL skips without BEIAN_TEST_POSTGRES_URL)."""
    fixture = "world" if request.param == "sqlite" else "pg_world"
    got: World = request.getfixturevalue(fixture)
    return got


@pytest.fixture
def package_zip(tmp_path: Path) -> bytes:
    return zip_dir(write_package(tmp_path / "pkg"))


@contextlib.contextmanager
def fresh_schema(postgres_url: str, prefix: str = "reg") -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    eng = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with eng.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL schema for this test, dropped afterwards."""
    with fresh_schema(postgres_url) as schema:
        yield postgres_url, schema


@dataclass
class LiveServer:
    url: str


@pytest.fixture
def live_server(world: World) -> Iterator[LiveServer]:
    """The real app under uvicorn on 127.0.0.1, port chosen by the OS."""
    from beian._shared.serve import serve_in_thread
    from beian.registry.api import create_app

    with serve_in_thread(create_app(world.reg), log_level="warning", lifespan="off") as served:
        yield LiveServer(served.url)
