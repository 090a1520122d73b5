"""Accounts: argon2 hashes, mandatory TOTP for registrar roles, rate limit, CSRF on cookies."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from beian.registry import LoginRefused, RateLimited
from beian.registry.api import create_app
from beian.registry.db import User
from tests.registry.conftest import PASSWORD, World, web_login


def test_passwords_are_argon2id(world: World) -> None:
    with world.reg.core.tx() as db:
        hashes = list(db.scalars(select(User.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_totp_mandatory_for_registrar_roles(world: World) -> None:
    reg = world.reg
    assert world.users["applicant"][1] is None  # applicants: password only
    token, actor = reg.accounts.login("applicant", PASSWORD, None, "10.0.0.1")
    assert actor.username == "applicant" and reg.accounts.actor_for(token) == actor
    with pytest.raises(LoginRefused):
        reg.accounts.login("reviewer", PASSWORD, None, "10.0.0.1")
    with pytest.raises(LoginRefused):
        reg.accounts.login("reviewer", PASSWORD, "000000", "10.0.0.1")
    secret = world.users["reviewer"][1]
    assert secret is not None
    token, actor = reg.accounts.login("reviewer", PASSWORD, pyotp.TOTP(secret).now(), "10.0.0.1")
    assert actor.role == "reviewer"
    reg.accounts.logout(token)
    assert reg.accounts.actor_for(token) is None


def test_login_backoff_answers_429_with_the_wait(world: World) -> None:
    reg = world.reg
    for _ in range(reg.policy.login_max_failures):
        with pytest.raises(LoginRefused):
            reg.accounts.login("applicant", "wrong-password!", None, "10.0.0.2")
    with pytest.raises(RateLimited) as exc:  # even the right password waits now
        reg.accounts.login("applicant", PASSWORD, None, "10.0.0.2")
    assert 1 <= exc.value.retry_after <= reg.policy.login_base_delay_seconds + 1
    client = TestClient(create_app(reg))
    r = client.post("/api/v1/auth/login", json={"username": "applicant", "password": PASSWORD})
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 2


def test_csrf_required_with_cookie_sessions(world: World) -> None:
    client = TestClient(create_app(world.reg))
    r = web_login(client, "applicant", PASSWORD)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "applicant"
    assert client.post("/api/v1/auth/logout").status_code == 403  # no CSRF header
    token = client.cookies["beian_session"]
    csrf = world.reg.accounts.actor_for(token)
    assert csrf is not None
    # web form without the hidden token is refused too
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/api/v1/auth/logout",
                       headers={"X-CSRF-Token": csrf.csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_bearer_tokens_do_not_need_csrf(world: World) -> None:
    client = TestClient(create_app(world.reg))
    r = client.post("/api/v1/auth/login", json={"username": "applicant", "password": PASSWORD})
    assert r.status_code == 200
    h = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401


def test_first_start_creates_admin_with_totp(registry: object) -> None:
    from beian.registry import Registry

    assert isinstance(registry, Registry)
    admin = registry.accounts.ensure_admin()
    assert admin is not None and admin.totp_secret and admin.totp_uri()
    assert registry.accounts.ensure_admin() is None
    _, actor = registry.accounts.login("admin", admin.password, pyotp.TOTP(admin.totp_secret).now(), "x")
    assert actor.can("admin")  # type: ignore[arg-type]


def test_security_headers(world: World) -> None:
    r = TestClient(create_app(world.reg)).get("/")
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "https://" not in r.text  # no CDN


def test_reviewer_queue_filter(world: World) -> None:
    from tests.registry.conftest import write_package, zip_dir

    reg, a = world.reg, world.actors
    pid = reg.applications.create(a["applicant"], zip_dir(write_package(reg.settings.data_dir / "p")))
    reg.lifecycle.act(a["applicant"], pid, "submit")
    client = TestClient(create_app(reg))
    secret = world.users["reviewer"][1]
    assert secret
    r = web_login(client, "reviewer", PASSWORD, pyotp.TOTP(secret).now())
    assert r.status_code == 303
    r = client.get(r.headers["location"])
    assert r.status_code == 200 and "深度求索对话" in r.text
    assert "深度求索对话" in client.get("/applications?state=submitted").text
    assert "深度求索对话" not in client.get("/applications?state=filed").text
