"""Server-rendered Chinese web UI (Jinja2; static files served locally, no CDN, no scripts)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from beian.errors import BeianError, InputError
from beian.registry._auth import Actor, LoginRefused, RateLimited, csrf_ok
from beian.registry._errors import Busy, Forbidden, RegistryError, Unauthorized
from beian.registry.api._deps import COOKIE, Reg, get_registry, in_lane
from beian.registry.domain import ROLE_LABELS, STATE_LABELS, TRANSITIONS, Perm

__all__ = ["Csrf", "Reg", "back", "form_date", "page", "render_error", "router", "signed_in"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("beian.registry.web") / "templates"))

_ASPECTS = {"completeness": "完整性", "compliance": "合规性", "feasibility": "技术可行性"}
_SOURCES = {"package": "材料包", "finding": "检查结果", "assessment": "评估记录", "review": "人工"}
_STATUSES = {"open": "待核对", "ok": "通过", "issue": "有问题"}


DEVICE = "beian_device"  # trusted-device token (login back-off counted per device)
LOGIN_CSRF = "beian_login"  # pre-session token: no one can sign a visitor into their account
# what a user whose password must be changed may still open
_BEFORE_CHANGE = ("/account/password", "/logout")


def _actor(request: Request) -> Actor | None:
    token = request.cookies.get(COOKIE)
    return get_registry(request).accounts.actor_for(token) if token else None


def _flash_sig(request: Request, msg: str) -> str:
    core = get_registry(request).core
    key = hmac.new(core.ring.key(core.ring.active), b"beian-web-flash", hashlib.sha256).digest()
    return hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()[:32]


def _message(request: Request) -> str | None:
    """The ``?msg=`` of a redirect, shown only when this server wrote it (signed)."""
    msg, sig = request.query_params.get("msg"), request.query_params.get("sig", "")
    if not msg or not hmac.compare_digest(_flash_sig(request, msg).encode(),
                                          sig.encode("utf-8", "replace")):
        return None
    return msg


def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    actor = ctx.pop("actor", None) if "actor" in ctx else _actor(request)
    perms = {p.value for p in actor.perms} if actor else set()
    return templates.TemplateResponse(request, name, {
        "actor": actor, "perms": perms, "message": _message(request),
        "role_label": ROLE_LABELS[actor.role] if actor else "", **ctx}, status_code=status)


def render_error(request: Request, exc: BeianError) -> HTMLResponse:
    status = exc.status if isinstance(exc, RegistryError) else 400
    if status == 401:
        return _login_page(request, 401, error=exc.what)
    resp = page(request, "error.html", status, error=exc)
    if isinstance(exc, Busy):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def signed_in(request: Request, csrf: str | None = None) -> Actor:
    actor = _actor(request)
    if actor is None:
        raise Unauthorized("请先登录", fix="登录后再操作")
    if request.method == "POST" and not csrf_ok(actor.csrf, csrf):
        raise Forbidden("CSRF 校验失败", fix="请刷新页面后重试")
    if actor.must_change and request.url.path not in _BEFORE_CHANGE:
        raise Forbidden("须先修改初始密码或重置后的密码", where="password",
                        fix="请打开“修改密码”（/account/password）设置新密码")
    return actor


def form_date(value: str, field: str) -> dt.date | None:
    """An optional ``YYYY-MM-DD`` form field."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise InputError("日期格式错误", where=field, fix="写作 YYYY-MM-DD") from None


def back(request: Request, url: str, msg: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?msg={quote(msg)}&sig={_flash_sig(request, msg)}",
                            status_code=303)


Csrf = Annotated[str, Form(alias="csrf_token", max_length=64)]


@router.get("/", response_class=HTMLResponse)
@in_lane("read")
def home(request: Request, reg: Reg) -> HTMLResponse:
    return page(request, "home.html", notice_days=reg.policy.notice_working_days,
                cac=reg.policy.process == "cac")


def _login_page(request: Request, status: int = 200, **ctx: Any) -> HTMLResponse:
    """The login form with a fresh pre-session token in a cookie and a hidden field."""
    token = secrets.token_urlsafe(24)
    resp = page(request, "login.html", status, actor=None, login_token=token, **ctx)
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", max_age=3600)
    return resp


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


@router.get("/login", response_class=HTMLResponse)
@in_lane("read")
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_model=None)
@in_lane("login")
def login(request: Request, reg: Reg, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=200)],
          totp: Annotated[str, Form(max_length=10)] = "",
          login_token: Annotated[str, Form(max_length=64)] = "") -> Response:
    if not (_same_origin(request) and csrf_ok(request.cookies.get(LOGIN_CSRF, ""), login_token)):
        return _login_page(request, 403, error="登录表单已过期或来自其他网站，请重新登录")
    ip = request.client.host if request.client else "?"
    try:
        token, actor = reg.accounts.login(username, password, totp or None, ip,
                                          device=request.cookies.get(DEVICE))
    except LoginRefused:
        return _login_page(request, 401, error="用户名、密码或动态口令错误")
    except RateLimited as exc:
        return _login_page(request, 429, error=f"登录失败次数过多，请 {exc.retry_after} 秒后再试")
    resp = RedirectResponse("/account/password" if actor.must_change else "/applications",
                            status_code=303)
    secure = request.url.scheme == "https"
    resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure,
                    max_age=reg.policy.session_hours * 3600)
    resp.set_cookie(DEVICE, reg.accounts.device_token(actor.username), httponly=True,
                    samesite="strict", secure=secure, max_age=365 * 86400)
    resp.delete_cookie(LOGIN_CSRF)
    return resp


@router.get("/account/password", response_class=HTMLResponse)
@in_lane("read")
def account(request: Request) -> HTMLResponse:
    return page(request, "account.html", actor=signed_in(request))


@router.post("/account/password", response_class=HTMLResponse, response_model=None)
@in_lane("login")
def change_password(request: Request, reg: Reg, csrf: Csrf,
                    old_password: Annotated[str, Form(max_length=200)],
                    new_password: Annotated[str, Form(max_length=200)],
                    repeat: Annotated[str, Form(max_length=200)]) -> Response:
    actor = signed_in(request, csrf)
    if new_password != repeat:
        return page(request, "account.html", 400, actor=actor, error="两次输入的新密码不一致")
    ip = request.client.host if request.client else "?"
    try:
        n = reg.accounts.change_password(request.cookies.get(COOKIE, ""), old_password,
                                         new_password, ip)
    except LoginRefused:
        return page(request, "account.html", 400, actor=actor, error="原密码错误")
    except RateLimited as exc:
        return page(request, "account.html", 429, actor=actor,
                    error=f"尝试次数过多，请 {exc.retry_after} 秒后再试")
    return back(request, "/applications", f"密码已修改，其他 {n} 个会话已退出。")


@router.post("/account/sessions")
def revoke_mine(request: Request, reg: Reg, csrf: Csrf) -> RedirectResponse:
    actor = signed_in(request, csrf)
    reg.accounts.revoke_sessions(actor.username, by=actor)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.post("/logout")
def logout(request: Request, reg: Reg, csrf: Csrf) -> RedirectResponse:
    signed_in(request, csrf)
    reg.accounts.logout(request.cookies.get(COOKIE, ""))
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/notices", response_class=HTMLResponse)
@in_lane("read")
def notices(request: Request, reg: Reg) -> HTMLResponse:
    return page(request, "notices.html", notices=reg.public.notices())


@router.get("/notices/{app_id}", response_class=HTMLResponse)
@in_lane("read")
def notice(app_id: str, request: Request, reg: Reg) -> HTMLResponse:
    return page(request, "notice.html", n=reg.public.notice(app_id))


@router.post("/notices/{app_id}/objection")
def objection(app_id: str, request: Request, reg: Reg,
              name: Annotated[str, Form(max_length=80)],
              text: Annotated[str, Form(max_length=5000)],
              contact: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    reg.lifecycle.object(app_id, name, text, contact or None,
                         source=request.client.host if request.client else "")
    return back(request, f"/notices/{app_id}", "异议已提交，办理机关将复核。")


@router.get("/filed", response_class=HTMLResponse)
@in_lane("read")
def filed(request: Request, reg: Reg) -> HTMLResponse:
    return page(request, "filed.html", filed=reg.public.filed())


@router.get("/filed.csv")
@in_lane("read")
def filed_csv(reg: Reg) -> Response:
    return Response(reg.public.filed_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=filed.csv"})


WEB_PAGE = 50  # applications per page of /applications


def _pages(state: str, number: int, shown: int, total: int) -> dict[str, Any]:
    """Where page ``number`` of the list (``shown`` rows of ``total``) sits, and the links
    to the pages beside it, the state filter kept."""
    def href(n: int) -> str:
        return "/applications?" + urlencode({k: v for k, v in (("state", state), ("page", n)) if v})

    first = (number - 1) * WEB_PAGE
    # a page past the end (a bookmark; rows withdrawn meanwhile): back to the last page
    prev = number - 1 if shown else min(number - 1, max(1, -(-total // WEB_PAGE)))
    return {"first": first + 1, "last": first + shown, "total": total, "shown": shown,
            "prev": href(prev) if number > 1 else None,
            "next": href(number + 1) if shown and first + shown < total else None}


@router.get("/applications", response_class=HTMLResponse)
@in_lane("read")
def applications(request: Request, reg: Reg, state: str = "",
                 page_no: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1
                 ) -> HTMLResponse:
    actor = signed_in(request)
    chosen = state if state in STATE_LABELS else None
    apps, total = reg.applications.page_for(actor, chosen, limit=WEB_PAGE,
                                            offset=(page_no - 1) * WEB_PAGE)
    pages = _pages(chosen or "", page_no, len(apps), total)
    return page(request, "applications.html", actor=actor, state=chosen or "",
                states=STATE_LABELS, apps=apps, pages=pages)


@router.post("/applications")
@in_lane("upload")
def upload(request: Request, reg: Reg, csrf: Csrf, package: Annotated[UploadFile, File()],
           contact_name: Annotated[str, Form(max_length=80)] = "",
           contact_phone: Annotated[str, Form(max_length=40)] = "",
           contact_id_number: Annotated[str, Form(max_length=40)] = "",
           address: Annotated[str, Form(max_length=300)] = "") -> RedirectResponse:
    actor = signed_in(request, csrf)
    pid = reg.applications.create(actor, package.file, {
        "contact_name": contact_name, "contact_phone": contact_phone,
        "contact_id_number": contact_id_number, "address": address})
    return back(request, f"/applications/{pid}", "材料包已校验并保存为草稿，确认无误后请提交申请。")


@router.get("/applications/{app_id}", response_class=HTMLResponse)
@in_lane("read")
def application(app_id: str, request: Request, reg: Reg) -> HTMLResponse:
    actor = signed_in(request)
    apps = reg.applications
    a = apps.get(actor, app_id)
    return page(
        request, "application.html", actor=actor, a=a, checklist=apps.checklist(actor, app_id),
        materials=apps.materials(actor, app_id), events=apps.events(actor, app_id),
        objections=apps.objections(actor, app_id) if actor.can(Perm.READ_ALL) else None,
        can_check=actor.can(Perm.REVIEW) and a["state"] == "under_review",
        can_screen=actor.can(Perm.REVIEW),
        aspects=_ASPECTS, sources=_SOURCES, statuses=_STATUSES, state_labels=STATE_LABELS,
        labels={t.action: t.label for t in TRANSITIONS})


@router.get("/applications/{app_id}/contact", response_class=HTMLResponse)
def contact(app_id: str, request: Request, reg: Reg) -> HTMLResponse:
    actor = signed_in(request)
    return page(request, "contact.html", actor=actor, c=reg.applications.contact(actor, app_id),
                 app_id=app_id)


@router.post("/applications/{app_id}/act")
def act(app_id: str, request: Request, reg: Reg, csrf: Csrf,
        action: Annotated[str, Form(max_length=40)],
        note: Annotated[str, Form(max_length=5000)] = "",
        effective: Annotated[str, Form(max_length=10)] = "") -> RedirectResponse:
    actor = signed_in(request, csrf)
    r = reg.lifecycle.act(actor, app_id, action, note, effective=form_date(effective, "effective"))
    return back(request, f"/applications/{app_id}", f"已办理：{STATE_LABELS[r['to']]}")


@router.post("/applications/{app_id}/materials")
@in_lane("upload")
def materials(app_id: str, request: Request, reg: Reg, csrf: Csrf,
              files: Annotated[list[UploadFile], File()]) -> RedirectResponse:
    actor = signed_in(request, csrf)
    got = [(f.filename or "file", f.file.read(reg.policy.max_file_bytes + 1)) for f in files]
    rnd = reg.applications.add_materials(actor, app_id, got)
    return back(request, f"/applications/{app_id}", f"已上传第 {rnd} 轮材料 {len(got)} 个。")


@router.post("/applications/{app_id}/objections/{objection_id}")
def screen(app_id: str, objection_id: int, request: Request, reg: Reg, csrf: Csrf,
           decision: Annotated[str, Form(pattern="^(accept|reject)$")],
           note: Annotated[str, Form(min_length=1, max_length=5000)]) -> RedirectResponse:
    actor = signed_in(request, csrf)
    r = reg.lifecycle.screen_objection(actor, app_id, objection_id, decision == "accept", note)
    what = "已受理，转入异议复核" if r["status"] == "open" else "不予受理，公示继续"
    return back(request, f"/applications/{app_id}", f"异议{what}。")


@router.post("/applications/{app_id}/checklist/{item_id}")
def check(app_id: str, item_id: int, request: Request, reg: Reg, csrf: Csrf,
          status: Annotated[str, Form(max_length=10)],
          note: Annotated[str, Form(max_length=5000)] = "") -> RedirectResponse:
    actor = signed_in(request, csrf)
    reg.applications.set_check(actor, app_id, item_id, status, note)
    return back(request, f"/applications/{app_id}", "清单已保存。")
