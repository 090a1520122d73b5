"""Issue 18, the Low findings: no caching of pages with ID numbers, no text injection through
``?msg=``, no Swagger UI from a CDN, files of the registry readable by its owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from beian.registry import Registry, Settings, backup
from beian.registry.api import create_app
from tests.registry.conftest import PASSWORD, World, web_login, write_package, zip_dir


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_pages_and_answers_with_personal_data_are_not_stored(world: World) -> None:
    reg = world.reg
    pid = reg.applications.create(world.actors["applicant"],
                                  zip_dir(write_package(reg.settings.data_dir / "p")),
                                  {"contact_id_number": "110101199003077777"})
    client = TestClient(create_app(reg))
    web_login(client, "applicant", PASSWORD)
    page = client.get(f"/applications/{pid}/contact")
    assert "110101199003077777" in page.text and page.headers["cache-control"] == "no-store"
    api = client.get(f"/api/v1/applications/{pid}/contact")
    assert api.status_code == 200 and api.headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("cache-control", "")


def test_msg_parameter_cannot_inject_text(world: World) -> None:
    client = TestClient(create_app(world.reg))
    forged = "您的备案已被撤销，请致电 400-000-0000 缴纳罚款"
    r = client.get(f"/notices?msg={quote(forged)}")
    assert r.status_code == 200 and "400-000-0000" not in r.text
    r = client.get(f"/notices?msg={quote(forged)}&sig=0123456789abcdef0123456789abcdef")
    assert "400-000-0000" not in r.text
    # a message the server wrote is still shown
    web_login(client, "applicant", PASSWORD)
    pid = world.reg.applications.create(world.actors["applicant"],
                                        zip_dir(write_package(world.reg.settings.data_dir / "p")))
    csrf = world.reg.accounts.actor_for(client.cookies["beian_session"]).csrf  # type: ignore[union-attr]
    r = client.post(f"/applications/{pid}/act", data={"csrf_token": csrf, "action": "submit"})
    assert "已办理：已提交" in r.text


def test_no_swagger_ui_from_a_cdn(world: World) -> None:
    client = TestClient(create_app(world.reg))
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and "/api/v1/auth/login" in spec.json()["paths"]
    assert "content-security-policy" in spec.headers
    for url in ("/", "/login", "/notices", "/filed"):
        assert "cdn" not in client.get(url).text.lower()


def test_database_and_blobs_are_owner_only(world: World, tmp_path: Path) -> None:
    reg = world.reg
    reg.applications.create(world.actors["applicant"], zip_dir(write_package(tmp_path / "p")))
    data = reg.settings.data_dir
    assert _mode(data) == 0o700
    for name in ("registry.db", "registry.db-wal", "registry.db-shm"):
        if (data / name).exists():
            assert _mode(data / name) == 0o600, name
    blobs = [p for p in (data / "blobs").rglob("*")]
    assert blobs and all(_mode(p) == (0o700 if p.is_dir() else 0o600) for p in blobs)
    assert _mode(data / "blobs") == 0o700
    meta = backup(reg.settings, tmp_path / "bk")
    assert meta["blobs"] > 0 and _mode(tmp_path / "bk") == 0o700
    assert _mode(tmp_path / "bk" / "registry.sqlite3") == 0o600


def test_an_existing_world_readable_database_is_closed_on_open(settings: Settings) -> None:
    Registry.open(settings).close()
    db = settings.data_dir / "registry.db"
    os.chmod(db, 0o644)
    os.chmod(settings.data_dir, 0o755)
    Registry.open(settings).close()
    assert _mode(db) == 0o600 and _mode(settings.data_dir) == 0o700


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "tool.exe"])
def test_material_names_refused_over_http(world: World, name: str) -> None:
    pid = world.reg.applications.create(world.actors["applicant"],
                                        zip_dir(write_package(world.reg.settings.data_dir / "p")))
    token, _ = world.login("applicant")
    r = TestClient(create_app(world.reg)).post(
        f"/api/v1/applications/{pid}/materials", headers={"Authorization": f"Bearer {token}"},
        files=[("files", (name, b"PK\x03\x04 an executable in a zip's clothes", "x/y"))])
    assert r.status_code == 400
    assert [m["round"] for m in world.reg.applications.materials(world.actors["applicant"], pid)
            ].count(2) == 0
