"""Server-rendered Chinese web UI (Jinja2; static files served locally, no CDN, no scripts)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from beian.errors import BeianError, InputError
from beian.registry._auth import Actor, LoginRefused, RateLimited, csrf_ok
from beian.registry._errors import Forbidden, RegistryError, Unauthorized
from beian.registry._registry import Registry
from beian.registry.api._deps import COOKIE, get_registry
from beian.registry.domain import ROLE_LABELS, STATE_LABELS, TRANSITIONS, Perm, Role

__all__ = ["render_error", "router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("beian.registry.web") / "templates"))
Reg = Annotated[Registry, Depends(get_registry)]

_ASPECTS = {"completeness": "完整性", "compliance": "合规性", "feasibility": "技术可行性"}
_SOURCES = {"package": "材料包", "finding": "检查结果", "assessment": "评估记录", "review": "人工"}
_STATUSES = {"open": "待核对", "ok": "通过", "issue": "有问题"}


def _actor(request: Request) -> Actor | None:
    token = request.cookies.get(COOKIE)
    return get_registry(request).accounts.actor_for(token) if token else None


def _page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    actor = ctx.pop("actor", None) if "actor" in ctx else _actor(request)
    perms = {p.value for p in actor.perms} if actor else set()
    return templates.TemplateResponse(request, name, {
        "actor": actor, "perms": perms, "message": request.query_params.get("msg"),
        "role_label": ROLE_LABELS[actor.role] if actor else "", **ctx}, status_code=status)


def render_error(request: Request, exc: BeianError) -> HTMLResponse:
    status = exc.status if isinstance(exc, RegistryError) else 400
    if status == 401:
        return _page(request, "login.html", 401, error=exc.what)
    return _page(request, "error.html", status, error=exc)


def _signed_in(request: Request, csrf: str | None = None) -> Actor:
    actor = _actor(request)
    if actor is None:
        raise Unauthorized("请先登录", fix="登录后再操作")
    if request.method == "POST" and not csrf_ok(actor.csrf, csrf):
        raise Forbidden("CSRF 校验失败", fix="请刷新页面后重试")
    return actor


def _back(url: str, msg: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?msg={quote(msg)}", status_code=303)


Csrf = Annotated[str, Form(alias="csrf_token", max_length=64)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, reg: Reg) -> HTMLResponse:
    return _page(request, "home.html", notice_days=reg.policy.notice_working_days)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _page(request, "login.html")


@router.post("/login", response_model=None)
def login(request: Request, reg: Reg, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=200)],
          totp: Annotated[str, Form(max_length=10)] = "") -> Response:
    ip = request.client.host if request.client else "?"
    try:
        token, _ = reg.accounts.login(username, password, totp or None, ip)
    except LoginRefused:
        return _page(request, "login.html", 401, actor=None, error="用户名、密码或动态口令错误")
    except RateLimited:
        return _page(request, "login.html", 429, actor=None, error="登录失败次数过多，请 15 分钟后再试")
    resp = RedirectResponse("/applications", status_code=303)
    resp.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", max_age=reg.policy.session_hours * 3600)
    return resp


@router.post("/logout")
def logout(request: Request, reg: Reg, csrf: Csrf) -> RedirectResponse:
    _signed_in(request, csrf)
    reg.accounts.logout(request.cookies.get(COOKIE, ""))
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/notices", response_class=HTMLResponse)
def notices(request: Request, reg: Reg) -> HTMLResponse:
    return _page(request, "notices.html", notices=reg.public.notices())


@router.get("/notices/{app_id}", response_class=HTMLResponse)
def notice(app_id: str, request: Request, reg: Reg) -> HTMLResponse:
    return _page(request, "notice.html", n=reg.public.notice(app_id))


@router.post("/notices/{app_id}/objection")
def objection(app_id: str, request: Request, reg: Reg,
              name: Annotated[str, Form(max_length=80)],
              text: Annotated[str, Form(max_length=5000)],
              contact: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    reg.lifecycle.object(app_id, name, text, contact or None,
                         source=request.client.host if request.client else "")
    return _back(f"/notices/{app_id}", "异议已提交，办理机关将复核。")


@router.get("/filed", response_class=HTMLResponse)
def filed(request: Request, reg: Reg) -> HTMLResponse:
    return _page(request, "filed.html", filed=reg.public.filed())


@router.get("/filed.csv")
def filed_csv(reg: Reg) -> Response:
    return Response(reg.public.filed_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=filed.csv"})


@router.get("/applications", response_class=HTMLResponse)
def applications(request: Request, reg: Reg, state: str = "") -> HTMLResponse:
    actor = _signed_in(request)
    chosen = state if state in STATE_LABELS else None
    return _page(request, "applications.html", actor=actor, state=chosen or "",
                 states=STATE_LABELS, apps=reg.applications.list_for(actor, chosen))


@router.post("/applications")
def upload(request: Request, reg: Reg, csrf: Csrf, package: Annotated[UploadFile, File()],
           contact_name: Annotated[str, Form(max_length=80)] = "",
           contact_phone: Annotated[str, Form(max_length=40)] = "",
           contact_id_number: Annotated[str, Form(max_length=40)] = "",
           address: Annotated[str, Form(max_length=300)] = "") -> RedirectResponse:
    actor = _signed_in(request, csrf)
    pid = reg.applications.create(actor, package.file.read(reg.policy.max_package_bytes + 1), {
        "contact_name": contact_name, "contact_phone": contact_phone,
        "contact_id_number": contact_id_number, "address": address})
    return _back(f"/applications/{pid}", "材料包已校验并保存为草稿，确认无误后请提交申请。")


@router.get("/applications/{app_id}", response_class=HTMLResponse)
def application(app_id: str, request: Request, reg: Reg) -> HTMLResponse:
    actor = _signed_in(request)
    apps = reg.applications
    a = apps.get(actor, app_id)
    return _page(
        request, "application.html", actor=actor, a=a, checklist=apps.checklist(actor, app_id),
        materials=apps.materials(actor, app_id), events=apps.events(actor, app_id),
        objections=apps.objections(actor, app_id) if actor.can(Perm.READ_ALL) else None,
        can_check=actor.can(Perm.REVIEW) and a["state"] == "under_review",
        aspects=_ASPECTS, sources=_SOURCES, statuses=_STATUSES, state_labels=STATE_LABELS,
        labels={t.action: t.label for t in TRANSITIONS})


@router.get("/applications/{app_id}/contact", response_class=HTMLResponse)
def contact(app_id: str, request: Request, reg: Reg) -> HTMLResponse:
    actor = _signed_in(request)
    return _page(request, "contact.html", actor=actor, c=reg.applications.contact(actor, app_id),
                 app_id=app_id)


@router.post("/applications/{app_id}/act")
def act(app_id: str, request: Request, reg: Reg, csrf: Csrf,
        action: Annotated[str, Form(max_length=40)],
        note: Annotated[str, Form(max_length=5000)] = "") -> RedirectResponse:
    actor = _signed_in(request, csrf)
    r = reg.lifecycle.act(actor, app_id, action, note)
    return _back(f"/applications/{app_id}", f"已办理：{STATE_LABELS[r['to']]}")


@router.post("/applications/{app_id}/materials")
def materials(app_id: str, request: Request, reg: Reg, csrf: Csrf,
              files: Annotated[list[UploadFile], File()]) -> RedirectResponse:
    actor = _signed_in(request, csrf)
    got = [(f.filename or "file", f.file.read(reg.policy.max_file_bytes + 1)) for f in files]
    rnd = reg.applications.add_materials(actor, app_id, got)
    return _back(f"/applications/{app_id}", f"已上传第 {rnd} 轮材料 {len(got)} 个。")


@router.post("/applications/{app_id}/checklist/{item_id}")
def check(app_id: str, item_id: int, request: Request, reg: Reg, csrf: Csrf,
          status: Annotated[str, Form(max_length=10)],
          note: Annotated[str, Form(max_length=5000)] = "") -> RedirectResponse:
    actor = _signed_in(request, csrf)
    reg.applications.set_check(actor, app_id, item_id, status, note)
    return _back(f"/applications/{app_id}", "清单已保存。")


def _admin_page(request: Request, reg: Reg, actor: Actor,
                tick: list[dict[str, Any]] | None = None) -> HTMLResponse:
    return _page(request, "admin.html", actor=actor, users=reg.accounts.list_users(actor),
                 audit=reg.admin.verify_audit(actor), tick=tick,
                 role_labels={r.value: ROLE_LABELS[r] for r in Role})


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, reg: Reg) -> HTMLResponse:
    actor = _signed_in(request)
    if not actor.can(Perm.ADMIN):
        raise Forbidden("需要管理员权限", fix="请用管理员账号")
    return _admin_page(request, reg, actor)


@router.post("/admin/tick", response_class=HTMLResponse)
def tick(request: Request, reg: Reg, csrf: Csrf,
         date: Annotated[str, Form(max_length=10)] = "") -> HTMLResponse:
    actor = _signed_in(request, csrf)
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise InputError("日期格式错误", where="date", fix="写作 YYYY-MM-DD") from None
    return _admin_page(request, reg, actor, reg.lifecycle.tick(day, actor=actor))
