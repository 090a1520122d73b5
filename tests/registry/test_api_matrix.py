"""Every API route, called as every role and anonymously, against the expected matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from beian.registry.api import create_app
from tests.registry.conftest import (
    PASSWORD,
    PEOPLE,
    World,
    totp_code,
    write_package,
    zip_dir,
)

ANON = "anonymous"
NEW = "a-new-office-passphrase"
EVERYONE = {ANON, *PEOPLE}
SIGNED_IN = set(PEOPLE)
IN_SCOPE = {"applicant", "reviewer", "approver", "inspector", "auditor", "admin"}
REGISTRAR_IN_SCOPE = {"reviewer", "approver", "inspector", "auditor", "admin"}

# route -> (roles allowed, state the application is prepared in, request builder)
Req = Callable[[dict[str, Any]], dict[str, Any]]


def _pkg(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"files": {"package": ("p.zip", ctx["zip"], "application/zip")}}


MATRIX: dict[str, tuple[set[str], str, Req]] = {
    "POST /api/v1/auth/login": (EVERYONE, "submitted",
                                lambda c: {"json": {"username": "applicant", "password": PASSWORD}}),
    "GET /api/v1/auth/me": (SIGNED_IN, "submitted", lambda c: {}),
    "GET /api/v1/applications": (SIGNED_IN, "submitted", lambda c: {}),
    "POST /api/v1/applications": ({"applicant", "other_applicant"}, "submitted", _pkg),
    "GET /api/v1/applications/{app_id}": (IN_SCOPE, "submitted", lambda c: {}),
    "GET /api/v1/applications/{app_id}/events": (IN_SCOPE, "submitted", lambda c: {}),
    "GET /api/v1/applications/{app_id}/materials": (IN_SCOPE, "submitted", lambda c: {}),
    "POST /api/v1/applications/{app_id}/materials": (
        {"applicant"}, "submitted",
        lambda c: {"files": [("files", ("note.txt", b"supplement", "text/plain"))]}),
    "GET /api/v1/applications/{app_id}/materials/{sha256}": (IN_SCOPE, "submitted", lambda c: {}),
    "GET /api/v1/applications/{app_id}/checklist": (IN_SCOPE, "submitted", lambda c: {}),
    "PUT /api/v1/applications/{app_id}/checklist/{item_id}": (
        {"reviewer"}, "under_review", lambda c: {"json": {"status": "ok", "note": "核对"}}),
    "GET /api/v1/applications/{app_id}/contact": (
        {"applicant", "reviewer", "approver"}, "submitted", lambda c: {}),
    "GET /api/v1/applications/{app_id}/objections": (REGISTRAR_IN_SCOPE, "submitted",
                                                     lambda c: {}),
    "POST /api/v1/applications/{app_id}/objections/{objection_id}/screen": (
        {"reviewer"}, "notice", lambda c: {"json": {"accept": False, "note": "与本申请无关"}}),
    "POST /api/v1/applications/{app_id}/actions/{action}": (
        {"reviewer"}, "submitted", lambda c: {"json": {"note": ""}}),
    "GET /api/v1/public/notices": (EVERYONE, "notice", lambda c: {}),
    "GET /api/v1/public/notices/{app_id}": (EVERYONE, "notice", lambda c: {}),
    "POST /api/v1/public/notices/{app_id}/objections": (
        EVERYONE, "notice", lambda c: {"json": {"name": "公众", "text": "异议理由"}}),
    "GET /api/v1/public/filed": (EVERYONE, "submitted", lambda c: {}),
    "GET /api/v1/public/filed.csv": (EVERYONE, "submitted", lambda c: {}),
    "GET /api/v1/admin/users": ({"admin"}, "submitted", lambda c: {}),
    "GET /api/v1/admin/orgs": ({"admin"}, "submitted", lambda c: {}),
    "GET /api/v1/admin/calendar": ({"admin"}, "submitted", lambda c: {}),
    "POST /api/v1/admin/users/{username}/reset": ({"admin"}, "submitted",
                                                  lambda c: {"json": {"reset_totp": False}}),
    "POST /api/v1/admin/users/{username}/disable": ({"admin"}, "submitted", lambda c: {}),
    "POST /api/v1/admin/users/{username}/enable": ({"admin"}, "submitted", lambda c: {}),
    "DELETE /api/v1/admin/users/{username}/sessions": ({"admin"}, "submitted", lambda c: {}),
    "POST /api/v1/auth/password": (SIGNED_IN, "submitted", lambda c: {"json": {
        "old_password": PASSWORD, "new_password": NEW}}),
    "POST /api/v1/admin/orgs": ({"admin"}, "submitted", lambda c: {
        "json": {"name": f"机构{c['n']}", "kind": "provider", "province": "北京",
                 "uscc": "91110000600037341L"}}),
    "POST /api/v1/admin/users": ({"admin"}, "submitted", lambda c: {
        "json": {"username": f"new{c['n']}", "role": "applicant", "org_id": c["org_id"]}}),
    "POST /api/v1/admin/tick": ({"admin"}, "submitted", lambda c: {"json": {"date": None}}),
    "POST /api/v1/admin/calendar": ({"admin"}, "submitted", lambda c: {"json": {
        "year": 2027, "holidays": ["2027-01-01"], "workdays": []}}),
    "GET /api/v1/audit/verify": ({"auditor", "admin"}, "submitted", lambda c: {}),
    # these two end sessions: last, and the second with fresh tokens (new password)
    "POST /api/v1/auth/logout": (SIGNED_IN, "submitted", lambda c: {}),
    "POST /api/v1/auth/sessions/revoke": (SIGNED_IN, "submitted", lambda c: {}),
}


def _prepare(world: World, tmp_path: Path, state: str, n: int) -> dict[str, Any]:
    reg, a = world.reg, world.actors
    z = zip_dir(write_package(tmp_path / f"p{n}"))
    pid = reg.applications.create(a["applicant"], z)
    reg.lifecycle.act(a["applicant"], pid, "submit")
    if state in ("under_review", "notice"):
        reg.lifecycle.act(a["reviewer"], pid, "start_review")
    if state == "notice":
        for c in reg.applications.checklist(a["reviewer"], pid):
            reg.applications.set_check(a["reviewer"], pid, c["id"], "ok", "")
        reg.lifecycle.act(a["reviewer"], pid, "recommend", "同意")
        reg.lifecycle.act(a["approver"], pid, "publish_notice", today=dt.date(2025, 9, 26))
    objection = reg.lifecycle.object(pid, "公众", f"理由{n}") if state == "notice" else 1
    checklist = reg.applications.checklist(a["reviewer"], pid)
    victim = reg.accounts.create_user(f"victim{n}", "applicant", a["applicant"].org_id)
    return {"app_id": pid, "zip": z, "n": n, "item_id": checklist[0]["id"],
            "username": victim.username, "objection_id": objection,
            "sha256": reg.applications.materials(a["reviewer"], pid)[0]["sha256"], "action": "start_review",
            "org_id": a["applicant"].org_id}


def _tokens(world: World, step: int = 0, password: str | None = None) -> dict[str, str]:
    """A session per user; ``step`` picks the TOTP time step (each code is good once)."""
    return {name: world.reg.accounts.login(name, password or pw, totp_code(secret, step),
                                           "127.0.0.1")[0]
            for name, (pw, secret) in world.users.items()}


def test_every_api_route_against_the_matrix(world: World, tmp_path: Path) -> None:
    app = create_app(world.reg)
    routes = {f"{m.upper()} {path}" for path, ops in app.openapi()["paths"].items()
              for m in ops}
    assert routes == set(MATRIX), "a route was added or removed: update the matrix"
    client = TestClient(app)
    tokens = _tokens(world, -1)
    failures = []
    for n, (route, (allowed, state, build)) in enumerate(MATRIX.items()):
        ctx = _prepare(world, tmp_path, state, n)
        method, path = route.split(" ", 1)
        url = path.format(**ctx)
        # denied callers first, so that a state change by an allowed caller cannot hide a denial
        for who in sorted(EVERYONE, key=lambda w: (w in allowed, w)):
            if route.endswith("sessions/revoke") and who == ANON:
                tokens = _tokens(world, 0, NEW)  # the password route changed every password
            token = tokens.get(who)
            headers = {} if who == ANON else {"Authorization": f"Bearer {token}"}
            r = client.request(method, url, headers=headers, **build(ctx))
            denied = r.status_code in (401, 403, 404)
            if r.status_code >= 500 or denied == (who in allowed):
                failures.append(f"{route} as {who}: {r.status_code} {r.text[:120]}")
            if who == ANON and not r.status_code < 400 and r.status_code != 401:
                failures.append(f"{route} anonymous should get 401, got {r.status_code}")
    assert failures == []


@pytest.mark.parametrize("who", ["other_applicant", "sh_reviewer"])
def test_out_of_scope_users_see_nothing(world: World, tmp_path: Path, who: str) -> None:
    ctx = _prepare(world, tmp_path, "submitted", 0)
    token = _tokens(world)[who]
    client = TestClient(create_app(world.reg))
    r = client.get(f"/api/v1/applications/{ctx['app_id']}",
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404
    listed = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and listed.json() == []


@pytest.mark.parametrize(("file", "bad", "where"), [
    ("findings.json", '[{"code": "BA-DOS-012", "severity": "严重"}]', "findings.json:0.severity"),
    ("assessment.json", '{"edition": "tc260-003-2024", "results": [{"item": "9.3-keyword"}]}',
     "assessment.json: results.0"),
    ("manifest.json", "{", "manifest.json:1"),
])
def test_a_malformed_package_file_is_a_400_naming_file_and_field(
    world: World, tmp_path: Path, file: str, bad: str, where: str
) -> None:
    d = write_package(tmp_path / "p")
    (d / file).write_text(bad, "utf-8")
    client = TestClient(create_app(world.reg))
    token = _tokens(world)["applicant"]
    r = client.post("/api/v1/applications", headers={"Authorization": f"Bearer {token}"},
                    files={"package": ("p.zip", zip_dir(d), "application/zip")})
    assert r.status_code == 400, r.text
    assert r.json()["where"].startswith(where)
