"""The application list is paged: in SQL (``LIMIT``/``OFFSET`` or a keyset cursor), with the
total, ``Link`` headers and a web pager, the scope of each reader unchanged."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from beian.errors import InputError
from beian.registry.api import create_app
from beian.registry.db import Application
from tests.registry.conftest import PASSWORD, World, totp_code, web_login, write_package, zip_dir


def _submitted(world: World, tmp_path: Path, name: str = "p") -> str:
    a, reg = world.actors, world.reg
    pid = reg.applications.create(a["applicant"], zip_dir(write_package(tmp_path / name)))
    reg.lifecycle.act(a["applicant"], pid, "submit")
    return pid


def _clone(world: World, pid: str, n: int) -> list[str]:
    """``n`` more applications like ``pid`` (same organisation, province and state), newest
    last: rows enough for several pages without building a package for each."""
    with world.reg.core.tx() as db:
        src = db.scalar(select(Application).where(Application.public_id == pid))
        assert src is not None
        cols = {
            c.name: getattr(src, c.name)
            for c in Application.__table__.c
            if c.name not in ("id", "public_id", "number")
        }
        ids = [uuid.uuid4().hex for _ in range(n)]
        db.execute(insert(Application), [{**cols, "public_id": i} for i in ids])
    return ids


def _links(header: str | None) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header or "")}


def test_pages_cover_every_row_once_in_scope(any_world: World, tmp_path: Path) -> None:
    reg, a = any_world.reg, any_world.actors
    apps = reg.applications
    draft = apps.create(a["applicant"], zip_dir(write_package(tmp_path / "draft")))
    first = _submitted(any_world, tmp_path)
    initial = [*_clone(any_world, first, 11)[::-1], first]  # newest first
    assert apps.count_for(a["reviewer"]) == 12 and apps.count_for(a["applicant"]) == 13
    assert apps.count_for(a["reviewer"], "draft") == 0
    assert apps.count_for(a["applicant"], "draft") == 1
    assert apps.count_for(a["other_applicant"]) == apps.count_for(a["sh_reviewer"]) == 0
    page, total = apps.page_for(a["applicant"], limit=5, offset=10)
    assert [x["id"] for x in page] == [*initial[10:], draft] and total == 13
    # offsets: the pages in order, the applicant's draft among them, nobody else's rows
    by_offset = [
        x["id"] for o in range(0, 13, 4) for x in apps.list_for(a["applicant"], limit=4, offset=o)
    ]
    assert by_offset == [x["id"] for x in apps.list_for(a["applicant"])] == [*initial, draft]
    assert [
        x["id"] for x in apps.list_for(a["reviewer"], "submitted", limit=5, offset=10)
    ] == initial[10:]
    for who in ("other_applicant", "sh_reviewer"):
        assert apps.list_for(a[who], limit=5) == []
    # the keyset cursor: rows added, and the draft submitted, between page reads shift no page
    seen: list[str] = []
    cursor: str | None = None
    while page := apps.list_for(a["reviewer"], limit=5, before=cursor):
        seen += [x["id"] for x in page]
        cursor = page[-1]["id"]
        _clone(any_world, first, 2)
        if len(seen) == 5:
            reg.lifecycle.act(a["applicant"], draft, "submit")
    assert seen == [*initial, draft]  # each once, in order; the draft is older than them all
    # offsets alone would have read some rows twice (the caveat the cursor is for)
    before_adding = [x["id"] for x in apps.list_for(a["reviewer"], limit=5)]
    _clone(any_world, first, 2)
    again = [x["id"] for x in apps.list_for(a["reviewer"], limit=5, offset=5)[:2]]
    assert again == before_adding[3:]
    with pytest.raises(InputError):
        apps.list_for(a["reviewer"], limit=0)
    with pytest.raises(InputError, match="游标"):
        apps.list_for(a["sh_reviewer"], limit=5, before=first)  # not in its scope


def test_api_pages_with_total_and_links(any_world: World, tmp_path: Path) -> None:
    reg = any_world.reg
    first = _submitted(any_world, tmp_path)
    ids = [*_clone(any_world, first, 104)[::-1], first]  # 105, newest first
    client = TestClient(create_app(reg))
    h = {"Authorization": f"Bearer {any_world.login('reviewer')[0]}"}
    r = client.get("/api/v1/applications", headers=h)
    assert r.status_code == 200 and isinstance(r.json(), list)
    assert [x["id"] for x in r.json()] == ids[:100]  # the default page: 100
    assert r.headers["X-Total-Count"] == "105"
    assert _links(r.headers["Link"]) == {"next": f"/api/v1/applications?limit=100&before={ids[99]}"}
    # following rel="next" while applications arrive: every row once, then no next page
    _clone(any_world, first, 3)
    r = client.get(_links(r.headers["Link"])["next"], headers=h)
    assert [x["id"] for x in r.json()] == ids[100:] and r.headers["X-Total-Count"] == "108"
    assert _links(r.headers["Link"]) == {"first": "/api/v1/applications?limit=100"}
    # offsets, the state filter kept in every link
    r = client.get("/api/v1/applications?state=submitted&limit=10&offset=20", headers=h)
    assert len(r.json()) == 10 and r.headers["X-Total-Count"] == "108"
    links = _links(r.headers["Link"])
    assert links["prev"] == "/api/v1/applications?state=submitted&limit=10&offset=10"
    assert links["next"] == (
        f"/api/v1/applications?state=submitted&limit=10&before={r.json()[-1]['id']}"
    )
    assert links["first"] == "/api/v1/applications?state=submitted&limit=10"
    r = client.get("/api/v1/applications?limit=500", headers=h)
    assert len(r.json()) == 108 and "Link" not in r.headers
    r = client.get("/api/v1/applications?state=draft", headers=h)
    assert r.json() == [] and r.headers["X-Total-Count"] == "0" and "Link" not in r.headers
    # out of range: 422 in Chinese, like the other parameters
    for query, fix in (
        ("limit=0", "应不小于 1"),
        ("limit=501", "应不大于 500"),
        ("offset=-1", "应不小于 0"),
        ("limit=ten", "应为整数"),
        ("before=nothex", "格式不符"),
    ):
        r = client.get(f"/api/v1/applications?{query}", headers=h)
        assert r.status_code == 422, query
        assert r.json()["error"] == "请求参数无效" and fix in r.json()["fix"], (query, r.json())
    r = client.get(f"/api/v1/applications?before={uuid.uuid4().hex}", headers=h)
    assert r.status_code == 400 and "游标" in r.json()["error"]
    # another province's reviewer: nothing on any page, a total of 0
    sh = {"Authorization": f"Bearer {any_world.login('sh_reviewer')[0]}"}
    r = client.get("/api/v1/applications?limit=1&offset=1", headers=sh)
    assert r.json() == [] and r.headers["X-Total-Count"] == "0"


def test_openapi_documents_the_paging(world: World) -> None:
    spec = TestClient(create_app(world.reg)).get("/openapi.json").json()
    op = spec["paths"]["/api/v1/applications"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    assert params["limit"]["maximum"] == 500 and params["limit"]["minimum"] == 1
    assert params["limit"]["default"] == 100 and params["offset"]["minimum"] == 0
    assert {"state", "before"} <= set(params)
    assert set(op["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}


def _rows(html: str) -> list[str]:
    return re.findall(r'<a href="/applications/([0-9a-f]{32})">', html)


def test_web_list_has_a_pager(world: World, tmp_path: Path) -> None:
    first = _submitted(world, tmp_path)
    ids = [*_clone(world, first, 119)[::-1], first]
    client = TestClient(create_app(world.reg))
    assert (
        web_login(client, "reviewer", PASSWORD, totp_code(world.users["reviewer"][1])).status_code
        == 303
    )

    def get(url: str) -> Any:
        r = client.get(url)
        assert r.status_code == 200, r.text[:300]
        return r.text

    page = get("/applications")
    assert _rows(page) == ids[:50] and "第 1–50 条，共 120 条" in page
    assert '<a href="/applications?page=2" rel="next">下一页</a>' in page and "上一页" not in page
    page = get("/applications?state=submitted&page=3")
    assert _rows(page) == ids[100:] and "第 101–120 条，共 120 条" in page
    assert '<a href="/applications?state=submitted&amp;page=2" rel="prev">上一页</a>' in page
    assert "下一页" not in page
    page = get("/applications?state=submitted&page=9")  # past the end: back to the last page
    assert _rows(page) == [] and "本页没有申请，共 120 条" in page
    assert 'href="/applications?state=submitted&amp;page=3" rel="prev"' in page
    assert client.get("/applications?page=0").status_code == 422
