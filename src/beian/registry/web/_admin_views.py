"""Administration pages: deadlines and the audit chain, organisations, users, calendars."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from beian.errors import InputError
from beian.io import decode_bytes, parse_yaml
from beian.registry._accounts import NewUser
from beian.registry._auth import Actor
from beian.registry._errors import Forbidden
from beian.registry.api._deps import in_lane
from beian.registry.domain import ROLE_LABELS, OrgKind, Perm, Role, parse_schedule
from beian.registry.web._views import Csrf, Reg, back, form_date, page, signed_in

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_KINDS = {OrgKind.PROVIDER.value: "服务提供者", OrgKind.REGISTRAR.value: "省级网信部门",
          OrgKind.NATIONAL.value: "国家网信部门"}
Name = Annotated[str, Form(min_length=1, max_length=200)]


def _admin(request: Request, csrf: str | None = None) -> Actor:
    actor = signed_in(request, csrf)
    if not actor.can(Perm.ADMIN):
        raise Forbidden("需要管理员权限", fix="请用管理员账号")
    return actor


def _overview(request: Request, reg: Reg, actor: Actor,
              tick: list[dict[str, Any]] | None = None) -> HTMLResponse:
    return page(request, "admin.html", actor=actor, audit=reg.admin.verify_audit_report(actor),
                tick=tick)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, reg: Reg) -> HTMLResponse:
    return _overview(request, reg, _admin(request))


@router.post("/admin/tick", response_class=HTMLResponse)
def tick(request: Request, reg: Reg, csrf: Csrf,
         date: Annotated[str, Form(max_length=10)] = "") -> HTMLResponse:
    actor = signed_in(request, csrf)
    return _overview(request, reg, actor, reg.lifecycle.tick(form_date(date, "date"), actor=actor))


# --- organisations -------------------------------------------------------------------------
@router.get("/admin/orgs", response_class=HTMLResponse)
@in_lane("read")
def orgs(request: Request, reg: Reg) -> HTMLResponse:
    actor = _admin(request)
    return page(request, "admin_orgs.html", actor=actor, orgs=reg.accounts.list_orgs(actor),
                kinds=_KINDS)


@router.post("/admin/orgs")
def create_org(request: Request, reg: Reg, csrf: Csrf, name: Name,
               kind: Annotated[OrgKind, Form()],
               province: Annotated[str, Form(max_length=40)] = "",
               uscc: Annotated[str, Form(max_length=18)] = "") -> RedirectResponse:
    actor = _admin(request, csrf)
    reg.accounts.create_org(name.strip(), kind, province.strip() or None, uscc.strip() or None,
                            by=actor)
    return back(request, "/admin/orgs", f"已创建机构：{name.strip()}")


# --- users ---------------------------------------------------------------------------------
@router.get("/admin/users", response_class=HTMLResponse)
@in_lane("read")
def users(request: Request, reg: Reg) -> HTMLResponse:
    actor = _admin(request)
    return page(request, "admin_users.html", actor=actor, users=reg.accounts.list_users(actor),
                orgs=reg.accounts.list_orgs(actor),
                role_labels={r.value: ROLE_LABELS[r] for r in Role})


def _credentials(request: Request, actor: Actor, nu: NewUser, what: str) -> HTMLResponse:
    """The one page that shows a password or TOTP secret: never cached, never redirected."""
    resp = page(request, "credentials.html", actor=actor, nu=nu, what=what, uri=nu.totp_uri())
    resp.headers["Cache-Control"] = "no-store"
    return resp


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(request: Request, reg: Reg, csrf: Csrf,
                username: Annotated[str, Form(min_length=1, max_length=80,
                                              pattern=r"^[A-Za-z0-9_.\-]+$")],
                role: Annotated[Role, Form()], org_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
                display_name: Annotated[str, Form(max_length=120)] = "") -> HTMLResponse:
    actor = _admin(request, csrf)
    nu = reg.accounts.create_user(username, role, org_id, display_name=display_name or None,
                                  by=actor)
    return _credentials(request, actor, nu, "已创建用户")


@router.post("/admin/users/{username}/reset", response_class=HTMLResponse)
def reset(username: str, request: Request, reg: Reg, csrf: Csrf,
          reset_totp: Annotated[str, Form(max_length=3)] = "") -> HTMLResponse:
    actor = _admin(request, csrf)
    nu = reg.accounts.reset_password(username, by=actor, reset_totp=bool(reset_totp))
    return _credentials(request, actor, nu, "已重置密码")


@router.post("/admin/users/{username}/active")
def set_active(username: str, request: Request, reg: Reg, csrf: Csrf,
               active: Annotated[int, Form(ge=0, le=1)]) -> RedirectResponse:
    actor = _admin(request, csrf)
    n = reg.accounts.set_active(username, bool(active), by=actor)
    what = "已启用" if active else f"已停用（{n} 个会话已退出）"
    return back(request, "/admin/users", f"{username}：{what}")


@router.post("/admin/users/{username}/sessions")
def revoke(username: str, request: Request, reg: Reg, csrf: Csrf) -> RedirectResponse:
    actor = _admin(request, csrf)
    n = reg.accounts.revoke_sessions(username, by=actor)
    return back(request, "/admin/users", f"{username}：已注销 {n} 个会话")


# --- calendars -----------------------------------------------------------------------------
@router.get("/admin/calendar", response_class=HTMLResponse)
@in_lane("read")
def calendars(request: Request, reg: Reg) -> HTMLResponse:
    actor = _admin(request)
    return page(request, "admin_calendar.html", actor=actor,
                years=reg.admin.calendar_years(actor))


@router.post("/admin/calendar")
def load_calendar(request: Request, reg: Reg, csrf: Csrf,
                  file: Annotated[UploadFile, File()]) -> RedirectResponse:
    actor = _admin(request, csrf)
    name = file.filename or "calendar.yaml"
    text, _ = decode_bytes(file.file.read(), where=name)
    data = parse_yaml(text, where=name)
    if not isinstance(data, dict):
        raise InputError("节假日安排应为 YAML/JSON 映射", where=name,
                         fix="顶层写 year、source、holidays、workdays")
    schedule = parse_schedule(data, where=name)
    reg.admin.load_calendar(schedule, actor=actor)
    return back(request, "/admin/calendar", f"已导入 {schedule.year} 年安排")
