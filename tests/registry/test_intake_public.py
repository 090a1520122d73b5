"""Issue 18, finding 4 (and material names): intake takes the provider from the account,
public outputs are safe, objections are bounded and kept from the applicant."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from beian.errors import InputError
from beian.registry import Forbidden
from beian.registry._public import csv_safe
from beian.registry.api import create_app
from beian.registry.db import Application, Organization
from beian.registry.domain import OrgKind, canonical_province
from tests.registry.conftest import World, in_notice, write_package, zip_dir

D = dt.date


def test_provider_comes_from_the_account(world: World, tmp_path: Path) -> None:
    d = write_package(tmp_path / "p")
    m = json.loads((d / "manifest.json").read_text("utf-8"))
    m["provider"]["name"] = "别人家的公司"
    (d / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), "utf-8")
    pid = world.reg.applications.create(world.actors["applicant"], zip_dir(d))
    got = world.reg.applications.get(world.actors["applicant"], pid)
    assert got["provider_name"] == "深度求索科技有限公司"
    m["provider"]["uscc"] = "91310000MA1FL00000"
    (d / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), "utf-8")
    with pytest.raises(InputError) as exc:
        world.reg.applications.create(world.actors["applicant"], zip_dir(d))
    assert exc.value.where == "manifest.json:provider.uscc"


def test_org_without_uscc_cannot_file_under_the_package_uscc(any_world: World,
                                                             tmp_path: Path) -> None:
    """An organisation kept from before USCCs were required: the package's code is no
    fallback; a package with another organisation's code is refused too."""
    world = any_world
    org = world.actors["applicant"].org_id
    with world.reg.core.engine.begin() as conn:
        conn.execute(update(Organization).where(Organization.id == org).values(uscc=None))
    with pytest.raises(InputError) as exc:
        world.reg.applications.create(world.actors["applicant"],
                                      zip_dir(write_package(tmp_path / "p")))
    assert "未登记统一社会信用代码" in str(exc.value)
    with world.reg.core.engine.begin() as conn:
        conn.execute(update(Organization).where(Organization.id == org)
                     .values(uscc="91110108MA01BBBB1E"))
    with pytest.raises(InputError) as exc:
        world.reg.applications.create(world.actors["applicant"],
                                      zip_dir(write_package(tmp_path / "q")))
    assert exc.value.where == "manifest.json:provider.uscc"
    with world.reg.core.tx() as db:
        assert db.scalar(select(func.count()).select_from(Application)) == 0


@pytest.mark.parametrize(("uscc", "why"), [
    (None, "须登记统一社会信用代码"), ("", "须登记统一社会信用代码"),
    ("91110108MA01AAAA0X", "校验位不正确"), ("9111010", "长度应为 18 位"),
])
def test_provider_org_needs_a_valid_uscc(world: World, uscc: str | None, why: str) -> None:
    with pytest.raises(InputError) as exc:
        world.reg.accounts.create_org("新公司", OrgKind.PROVIDER, "北京", uscc)
    assert why in str(exc.value) and exc.value.where == "uscc"
    # the same code with spaces and lower case is stored compact
    org = world.reg.accounts.create_org("新公司", OrgKind.PROVIDER, "北京", "91110108ma01aaaa0m ")
    assert {o["id"]: o["uscc"] for o in world.reg.accounts.list_orgs(
        world.actors["admin"])}[org] == "91110108MA01AAAA0M"


def test_provider_org_uscc_checked_in_api_and_web(world: World) -> None:
    from tests.registry.test_limits import web_client
    client, csrf = web_client(world, "admin")
    r = client.post("/admin/orgs", data={"csrf_token": csrf, "name": "无码公司",
                                         "kind": "provider", "province": "北京"})
    assert r.status_code == 400 and "统一社会信用代码" in r.text
    r = client.post("/api/v1/admin/orgs", headers={"X-CSRF-Token": csrf},
                    json={"name": "无码公司", "kind": "provider", "province": "北京",
                          "uscc": "91110108MA01AAAA0X"})
    assert r.status_code == 400 and "校验位不正确" in r.text
    assert "无码公司" not in {o["name"] for o in world.reg.accounts.list_orgs(
        world.actors["admin"])}


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM", "'@SUM"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("北京", "北京"), ("Beijing-X-2025", "Beijing-X-2025"),
    (None, ""),
])
def test_csv_cells_neutralised(cell: str | None, safe: str) -> None:
    assert csv_safe(cell) == safe


def test_filed_csv_has_no_formula(world: World, tmp_path: Path) -> None:
    org = world.reg.accounts.create_org("=cmd|' /C calc'!A0", OrgKind.PROVIDER, "北京",
                                     "91110108MA01AAAA0M")
    world.reg.accounts.create_user("evil", "applicant", org, password="correct-horse-battery")
    world.actors["applicant"] = world.reg.accounts.actor("evil")
    in_notice(world, tmp_path)
    world.reg.lifecycle.tick(D(2025, 10, 14))
    rows = list(csv.reader(io.StringIO(world.reg.public.filed_csv().lstrip("\ufeff"))))
    assert rows[1][3] == "'=cmd|' /C calc'!A0"


def test_objector_is_hidden_from_the_applicant(world: World, tmp_path: Path) -> None:
    pid = in_notice(world, tmp_path)
    oid = world.reg.lifecycle.object(pid, "张三", "我的理由与电话 13800138000")
    world.reg.lifecycle.screen_objection(world.actors["reviewer"], pid, oid, True, "受理")
    events = world.reg.applications.events(world.actors["applicant"], pid)
    assert "13800138000" not in json.dumps(events, ensure_ascii=False, default=str)
    assert "张三" not in json.dumps(events, ensure_ascii=False, default=str)
    assert events[-1]["action"] == "accept_objection"
    with pytest.raises(Forbidden):
        world.reg.applications.objections(world.actors["applicant"], pid)
    full = world.reg.applications.objections(world.actors["reviewer"], pid)
    assert full[0]["name"] == "张三" and "13800138000" in full[0]["text"]


def test_objections_deduped_and_rate_limited(any_world: World, tmp_path: Path) -> None:
    pid = in_notice(any_world, tmp_path)
    client = TestClient(create_app(any_world.reg))
    url = f"/api/v1/public/notices/{pid}/objections"
    first = client.post(url, json={"name": "张三", "text": "理由"})
    again = client.post(url, json={"name": "张三", "text": "理由"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    codes = [client.post(url, json={"name": f"人{i}", "text": f"理由{i}"}).status_code
             for i in range(10)]
    assert codes.count(201) == any_world.reg.policy.objections_per_hour - 1 and 429 in codes
    assert len(any_world.reg.applications.objections(any_world.actors["reviewer"], pid)) == 5


def test_web_objection_field_is_capped(world: World, tmp_path: Path) -> None:
    pid = in_notice(world, tmp_path)
    client = TestClient(create_app(world.reg))
    r = client.post(f"/notices/{pid}/objection", data={"name": "张三", "text": "x" * 100_000})
    assert r.status_code == 422
    assert world.reg.applications.objections(world.actors["reviewer"], pid) == []


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("北京", "北京"), ("北京市", "北京"), (" 浙江省", "浙江"), ("广西壮族自治区", "广西"),
    ("新疆维吾尔自治区", "新疆"), ("新疆生产建设兵团", "新疆生产建设兵团"), ("内蒙古自治区", "内蒙古"),
])
def test_province_spellings(spelling: str, canonical: str) -> None:
    assert canonical_province(spelling) == canonical


def test_province_normalised_at_intake(world: World, tmp_path: Path) -> None:
    org = world.reg.accounts.create_org("北京某公司", OrgKind.PROVIDER, "北京市",
                                        "91110108MA01AAAA0M")
    world.reg.accounts.create_user("bj2", "applicant", org, password="correct-horse-battery")
    actor = world.reg.accounts.actor("bj2")
    assert actor.province == "北京"
    pid = world.reg.applications.create(
        actor, zip_dir(write_package(tmp_path / "p", province="北京市")))
    assert world.reg.applications.get(actor, pid)["province"] == "北京"
    # and a Beijing reviewer sees it
    world.reg.lifecycle.act(actor, pid, "submit")
    assert any(a["id"] == pid for a in world.reg.applications.list_for(world.actors["reviewer"]))


def test_too_long_manifest_field_is_a_400(any_world: World, tmp_path: Path) -> None:
    blob = zip_dir(write_package(tmp_path / "p", service="服" * 201))
    with pytest.raises(InputError) as exc:
        any_world.reg.applications.create(any_world.actors["applicant"], blob)
    assert exc.value.where == "manifest.json:service.name"


@pytest.mark.parametrize(("name", "data"), [
    ("../../etc/x.txt", b"text"), ("a\\b.txt", b"text"), ("tool.exe", b"PK\x03\x04zip"),
    ("x" * 300 + ".txt", b"t"), ("noext", b"text"),
])
def test_material_names_checked(world: World, tmp_path: Path, name: str, data: bytes) -> None:
    pid = world.reg.applications.create(world.actors["applicant"],
                                        zip_dir(write_package(tmp_path / "p")))
    with pytest.raises(InputError):
        world.reg.applications.add_materials(world.actors["applicant"], pid, [(name, data)])


def test_migration_normalises_stored_provinces(any_world: World, tmp_path: Path) -> None:
    """A database written before intake normalised provinces: an office's registrar saw
    none of its applications."""
    from sqlalchemy import text

    from beian.registry import Registry
    world = any_world
    pid = world.reg.applications.create(world.actors["applicant"],
                                        zip_dir(write_package(tmp_path / "p")))
    org = world.actors["applicant"].org_id
    with world.reg.core.engine.begin() as conn:
        conn.execute(update(Application).values(province="北京市"))
        conn.execute(update(Organization).where(Organization.id == org).values(province="北京市"))
        conn.execute(update(Organization).where(Organization.province == "上海")
                     .values(province="上海市"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    reg = Registry.open(world.reg.core.settings)
    try:
        with reg.core.tx() as db:
            assert set(db.scalars(select(Application.province))) == {"北京"}
            assert set(db.scalars(select(Organization.province))) == {"北京", "上海", None}
        world.reg.lifecycle.act(world.actors["applicant"], pid, "submit")
        listed = reg.applications.list_for(reg.accounts.actor("reviewer"))
        assert [a["id"] for a in listed] == [pid]
    finally:
        reg.close()
