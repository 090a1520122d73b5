"""The administration pages (Chinese): organisations, users (create, reset, disable, sessions),
holiday calendars; a new user changes the initial password on the web first."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient

from beian.registry._admin import CHECKPOINT_LAG_WARN
from beian.registry.api import create_app
from tests.registry.conftest import PASSWORD, World, web_login

NEW = "a-new-office-passphrase"


def _admin_client(world: World) -> tuple[TestClient, str]:
    client = TestClient(create_app(world.reg))
    secret = world.users["admin"][1]
    assert secret
    assert web_login(client, "admin", PASSWORD, pyotp.TOTP(secret).now()).status_code == 303
    actor = world.reg.accounts.actor_for(client.cookies["beian_session"])
    assert actor is not None
    return client, actor.csrf


def test_admin_pages_are_for_admins_only(world: World) -> None:
    client = TestClient(create_app(world.reg))
    assert web_login(client, "applicant", PASSWORD).status_code == 303
    for url in ("/admin", "/admin/users", "/admin/orgs", "/admin/calendar"):
        assert client.get(url).status_code == 403


def test_organisations_page(world: World) -> None:
    client, csrf = _admin_client(world)
    page = client.get("/admin/orgs")
    assert page.status_code == 200 and "北京市网信办" in page.text and "新建机构" in page.text
    r = client.post("/admin/orgs", data={"csrf_token": csrf, "name": "杭州某科技有限公司",
                                         "kind": "provider", "province": "浙江省",
                                         "uscc": "91330100MA2AAAAA1E"})
    assert r.status_code == 200 and "已创建机构：杭州某科技有限公司" in r.text
    row = re.search(r"<tr><td>\d+</td><td>杭州某科技有限公司</td><td>(.*?)</td><td>(.*?)</td>", r.text)
    assert row is not None and row.groups() == ("服务提供者", "浙江")


def test_users_page_create_reset_disable(world: World) -> None:
    client, csrf = _admin_client(world)
    org = world.actors["applicant"].org_id
    made = client.post("/admin/users", data={"csrf_token": csrf, "username": "zhangsan",
                                             "display_name": "张三", "role": "applicant",
                                             "org_id": str(org)})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    password = re.search(r'<code id="password">([^<]+)</code>', made.text)
    assert password is not None and "只显示这一次" in made.text
    # the new user must change the initial password before anything else
    user = TestClient(create_app(world.reg))
    r = web_login(user, "zhangsan", password.group(1))
    assert r.status_code == 303 and r.headers["location"] == "/account/password"
    assert user.get("/applications").status_code == 403
    ucsrf = world.reg.accounts.actor_for(user.cookies["beian_session"]).csrf  # type: ignore[union-attr]
    changed = user.post("/account/password", data={
        "csrf_token": ucsrf, "old_password": password.group(1), "new_password": NEW,
        "repeat": NEW})
    assert changed.status_code == 200 and "密码已修改" in changed.text
    assert user.get("/applications").status_code == 200
    # the administrator disables the user: the open session ends at once
    off = client.post("/admin/users/zhangsan/active", data={"csrf_token": csrf, "active": "0"})
    assert "zhangsan：已停用（1 个会话已退出）" in off.text
    assert user.get("/applications").status_code == 401
    assert re.search(r'data-user="zhangsan">.*?已停用', off.text, re.S)
    on = client.post("/admin/users/zhangsan/active", data={"csrf_token": csrf, "active": "1"})
    assert "zhangsan：已启用" in on.text
    reset = client.post("/admin/users/reviewer/reset", data={"csrf_token": csrf,
                                                            "reset_totp": "1"})
    assert reset.status_code == 200 and 'id="totp"' in reset.text
    assert reset.headers["cache-control"] == "no-store"


def test_revoke_sessions_from_the_users_page(world: World) -> None:
    client, csrf = _admin_client(world)
    token, _ = world.login("applicant")
    r = client.post("/admin/users/applicant/sessions", data={"csrf_token": csrf})
    assert "applicant：已注销 1 个会话" in r.text
    assert world.reg.accounts.actor_for(token) is None


def test_calendar_page_loads_a_year(world: World) -> None:
    client, csrf = _admin_client(world)
    assert "尚未导入" in client.get("/admin/calendar").text
    body = "year: 2031\nsource: 国务院办公厅通知（测试）\nholidays: [2031-01-01, 2031-10-01..2031-10-07]\n"
    r = client.post("/admin/calendar", data={"csrf_token": csrf},
                    files={"file": ("2031.yaml", body.encode(), "application/yaml")})
    assert r.status_code == 200 and "已导入 2031 年安排" in r.text
    assert re.search(r"<td>2031</td><td>国务院办公厅通知（测试）</td><td>8</td>", r.text)
    bad = client.post("/admin/calendar", data={"csrf_token": csrf},
                      files={"file": ("x.yaml", b"- 1\n- 2\n", "application/yaml")})
    assert bad.status_code == 400 and "映射" in bad.text


def test_admin_forms_need_the_csrf_token(world: World) -> None:
    client, _ = _admin_client(world)
    r = client.post("/admin/users/applicant/active", data={"csrf_token": "forged",
                                                           "active": "0"})
    assert r.status_code == 403
    assert world.reg.accounts.login("applicant", PASSWORD, None, "10.0.0.1")[1]


def test_audit_verification_warns_without_checkpoints_on_the_page_and_the_api(
        world: World) -> None:
    """The admin page and GET /api/v1/audit/verify warn as `beian registry audit verify` does
    when no signed checkpoint was checked, and stop once one is written."""
    client, _ = _admin_client(world)
    token, _actor = world.login("admin", step=1)
    api = {"Authorization": f"Bearer {token}"}
    path = world.reg.core.settings.checkpoint_file
    assert not path.exists()
    page = client.get("/admin").text
    assert "哈希链完整" in page and "未核对签名检查点" in page
    assert re.search(r'class="warning audit-warning">警告：未核对任何签名检查点', page)
    got = client.get("/api/v1/audit/verify", headers=api).json()
    assert got["ok"] and got["checkpoints"] == 0
    assert len(got["warnings"]) == 1 and got["warnings"][0].startswith("未核对任何签名检查点")
    world.reg.admin.checkpoint()
    page = client.get("/admin").text
    assert "1 个签名检查点核对无误" in page and "audit-warning" not in page
    got = client.get("/api/v1/audit/verify", headers=api).json()
    assert got["ok"] and got["checkpoints"] == 1 and got["warnings"] == []


def test_audit_answer_hides_the_checkpoint_path_and_says_whole_log(any_world: World,
                                                                   tmp_path: Path) -> None:
    """A configured checkpoint file that is missing, or malformed, is a problem of the whole
    log (seq 0: 整个日志, not 第 0 行) on the page and in the API, which never name the
    server's path (the CLI does)."""
    client, _ = _admin_client(any_world)
    api = {"Authorization": f"Bearer {any_world.login('admin', step=1)[0]}"}
    path = tmp_path / "秘密目录" / "cp.jsonl"
    any_world.reg.core.settings.audit_checkpoints = path
    for expect in ("不存在", "第 1 行无法读取"):
        page = client.get("/admin").text
        got = client.get("/api/v1/audit/verify", headers=api).json()
        assert not got["ok"] and got["problems"][0]["seq"] == 0
        assert expect in got["problems"][0]["problem"] and expect in page
        assert "整个日志：" in page and "第 0 行" not in page
        assert "秘密目录" not in page and "秘密目录" not in str(got)
        path.parent.mkdir(exist_ok=True)
        path.write_text("not json\n", "utf-8")
    assert "秘密目录" in str(any_world.reg.admin.verify_audit_report().checkpoint_file)


def test_audit_warns_when_the_newest_checkpoint_lags_the_head(any_world: World) -> None:
    """Rows after the newest checkpoint are not covered by it: counted always, and a warning
    once they reach CHECKPOINT_LAG_WARN (checkpoints stopped being written)."""
    client, _ = _admin_client(any_world)
    any_world.reg.admin.checkpoint()
    report = any_world.reg.admin.verify_audit_report()
    assert report.uncovered == 0 and report.warnings == []
    with any_world.reg.core.tx() as db:
        for i in range(CHECKPOINT_LAG_WARN):
            any_world.reg.core.audit(db, "test", "test.row", f"row:{i}")
    report = any_world.reg.admin.verify_audit_report()
    assert not report.problems and report.uncovered == CHECKPOINT_LAG_WARN
    assert f"其后 {CHECKPOINT_LAG_WARN} 行未被检查点覆盖" in report.warnings[0]
    page = client.get("/admin").text
    assert f"其后 {CHECKPOINT_LAG_WARN} 行未被检查点覆盖" in page
    assert f"最新检查点之后 {CHECKPOINT_LAG_WARN} 行" in page
    any_world.reg.admin.checkpoint()
    assert any_world.reg.admin.verify_audit_report().warnings == []
