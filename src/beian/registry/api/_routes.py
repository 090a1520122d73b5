"""REST API ``/api/v1``: everything the web UI does."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic_core import to_json

from beian.registry._accounts import NewUser
from beian.registry._auth import Actor
from beian.registry._errors import Forbidden
from beian.registry.api._deps import CurrentActor, Reg, SignedIn, in_lane, read_in_thread
from beian.registry.api._paging import (
    PAGE_DEFAULT,
    PAGE_HEADERS,
    PAGE_MAX,
    Before,
    Limit,
    Offset,
    page_headers,
)
from beian.registry.api._schemas import (
    ActionIn,
    AppOut,
    CalendarIn,
    CheckIn,
    LoginIn,
    LoginOut,
    Me,
    ObjectionIn,
    OrgIn,
    PasswordIn,
    PublicOut,
    ResetIn,
    ScreenIn,
    TickIn,
    UserIn,
)
from beian.registry.domain import TRANSITIONS, Perm, State, parse_schedule

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
AppId = Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="申请编号")]
Sha = Annotated[str, Path(pattern="^[0-9a-f]{64}$")]
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Username = Annotated[str, Path(min_length=1, max_length=80, description="用户名")]
ActionName = StrEnum(  # type: ignore[misc]
    "ActionName", {t.action: t.action for t in TRANSITIONS if not (t.public or t.screening)})


def _me(actor: Actor) -> Me:
    return Me(username=actor.username, role=actor.role, org=actor.org_name,
              org_kind=actor.org_kind, province=actor.province,
              permissions=sorted(p.value for p in actor.perms))


def _ip(request: Request) -> str:
    return request.client.host if request.client else "?"


# --- sessions ------------------------------------------------------------------------------
def _session_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else \
        request.cookies.get("beian_session", "")


@router.post("/auth/login", tags=["会话"], summary="登录（网信部门角色须提供动态口令）")
@in_lane("login")
def login(body: LoginIn, request: Request, reg: Reg) -> LoginOut:
    token, actor = reg.accounts.login(body.username, body.password, body.totp, _ip(request),
                                      device=body.device)
    return LoginOut(token=token, csrf=actor.csrf, user=_me(actor),
                    device=reg.accounts.device_token(actor.username))


@router.post("/auth/logout", tags=["会话"], summary="退出登录", status_code=204)
def logout(actor: CurrentActor, request: Request, reg: Reg) -> Response:
    reg.accounts.logout(_session_token(request))
    return Response(status_code=204)


@router.post("/auth/password", tags=["会话"], summary="修改密码（其他会话随即失效）")
@in_lane("login")
def change_password(body: PasswordIn, actor: CurrentActor, request: Request,
                    reg: Reg) -> dict[str, int]:
    n = reg.accounts.change_password(_session_token(request), body.old_password,
                                     body.new_password, _ip(request))
    return {"sessions_revoked": n}


@router.post("/auth/sessions/revoke", tags=["会话"], summary="注销本人全部会话（含当前会话）")
def revoke_mine(actor: CurrentActor, reg: Reg) -> dict[str, int]:
    return {"revoked": reg.accounts.revoke_sessions(actor.username, by=actor)}


@router.get("/auth/me", tags=["会话"], summary="当前用户")
async def me(actor: CurrentActor) -> Me:
    return _me(actor)


# --- applications --------------------------------------------------------------------------
# The busiest reads are ``async``: the session check and the library call are their one trip to
# a worker thread (``SignedIn``; a sync route with ``CurrentActor`` takes two, and one more to
# encode). Their answers are the library's plain values, encoded by pydantic-core as the
# response model would encode them (the same JSON, tested) without validating them again.
def _json(content: Any) -> Response:
    return Response(to_json(content), media_type="application/json")


@router.get("/applications", tags=["申请"], summary="申请列表（按权限范围，分页，最新的在前）",
            description=f"每页默认 {PAGE_DEFAULT} 条、最多 {PAGE_MAX} 条；总数在 `X-Total-Count`，"
                        "上一页 / 下一页在 `Link` 头（RFC 8288）。逐页读取全部申请时请跟随 "
                        "rel=\"next\" 链接（游标分页：翻页期间新增的申请不致重复或遗漏）。",
            response_model=list[AppOut], responses=PAGE_HEADERS)
async def list_apps(who: SignedIn, reg: Reg, request: Request, state: State | None = None,
                    limit: Limit = PAGE_DEFAULT, offset: Offset = 0,
                    before: Before = None) -> Response:
    # one row more than the page: whether a next page follows (the total counts from the top)
    rows, total = await read_in_thread(reg, lambda: reg.applications.page_for(
        who.actor(), state, limit=limit + 1, offset=offset, before=before))
    page = rows[:limit]
    response = _json(page)
    response.headers.update(page_headers(
        request.url.path, state=state.value if state else None, limit=limit, offset=offset,
        before=before, total=total, last_id=page[-1]["id"] if page else None,
        more=len(rows) > limit))
    return response


@router.post("/applications", tags=["申请"], summary="上传材料包（zip），创建草稿", status_code=201)
@in_lane("upload")
def create_app(
    actor: CurrentActor, reg: Reg,
    package: Annotated[UploadFile, File(description="beian build 生成的材料包目录的 zip")],
    contact_name: Annotated[str, Form(max_length=80)] = "",
    contact_phone: Annotated[str, Form(max_length=40)] = "",
    contact_id_number: Annotated[str, Form(max_length=40)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
) -> dict[str, str]:
    # the spooled file itself: each entry is read from it once (no copy of the whole zip)
    pid = reg.applications.create(actor, package.file, {
        "contact_name": contact_name, "contact_phone": contact_phone,
        "contact_id_number": contact_id_number, "address": address})
    return {"id": pid}


@router.get("/applications/{app_id}", tags=["申请"], summary="申请详情与可执行的操作",
            response_model=dict[str, Any])
async def get_app(app_id: AppId, who: SignedIn, reg: Reg) -> Response:
    return _json(await read_in_thread(reg, lambda: reg.applications.get(who.actor(), app_id)))


@router.get("/applications/{app_id}/events", tags=["申请"], summary="流转记录",
            response_model=list[dict[str, Any]])
async def events(app_id: AppId, who: SignedIn, reg: Reg) -> Response:
    return _json(await read_in_thread(reg, lambda: reg.applications.events(who.actor(), app_id)))


@router.get("/applications/{app_id}/materials", tags=["材料"], summary="材料列表")
@in_lane("read")
def materials(app_id: AppId, actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.applications.materials(actor, app_id)


@router.post("/applications/{app_id}/materials", tags=["材料"], summary="补充材料",
             status_code=201)
@in_lane("upload")
def add_materials(app_id: AppId, actor: CurrentActor, reg: Reg,
                  files: Annotated[list[UploadFile], File()]) -> dict[str, int]:
    got = [(f.filename or "file", f.file.read(reg.policy.max_file_bytes + 1)) for f in files]
    return {"round": reg.applications.add_materials(actor, app_id, got)}


@router.get("/applications/{app_id}/materials/{sha256}", tags=["材料"], summary="下载材料",
            response_class=Response)
def download(app_id: AppId, sha256: Sha, actor: CurrentActor, reg: Reg) -> Response:
    data, media, path = reg.applications.material(actor, app_id, sha256)
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(path)}",
        "X-Content-Type-Options": "nosniff"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name.rsplit("/", 1)[-1])


@router.get("/applications/{app_id}/checklist", tags=["审核"], summary="审核清单")
@in_lane("read")
def checklist(app_id: AppId, actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.applications.checklist(actor, app_id)


@router.put("/applications/{app_id}/checklist/{item_id}", tags=["审核"], summary="填写清单项",
            status_code=204)
def set_check(app_id: AppId, item_id: ItemId, body: CheckIn, actor: CurrentActor,
              reg: Reg) -> Response:
    reg.applications.set_check(actor, app_id, item_id, body.status, body.note)
    return Response(status_code=204)


@router.get("/applications/{app_id}/contact", tags=["申请"], summary="联系人敏感信息（审计）")
def contact(app_id: AppId, actor: CurrentActor, reg: Reg) -> dict[str, str | None]:
    return reg.applications.contact(actor, app_id)


@router.get("/applications/{app_id}/objections", tags=["审核"], summary="异议列表")
@in_lane("read")
def objections(app_id: AppId, actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.applications.objections(actor, app_id)


@router.post("/applications/{app_id}/objections/{objection_id}/screen", tags=["审核"],
             summary="甄别异议：受理（转入异议复核）或不予受理（继续公示）")
def screen_objection(app_id: AppId, objection_id: ItemId, body: ScreenIn, actor: CurrentActor,
                     reg: Reg) -> dict[str, Any]:
    return reg.lifecycle.screen_objection(actor, app_id, objection_id, body.accept, body.note)


@router.post("/applications/{app_id}/actions/{action}", tags=["审核"], summary="执行流转操作")
def act(app_id: AppId, action: ActionName, body: ActionIn, actor: CurrentActor,
        reg: Reg) -> dict[str, Any]:
    return reg.lifecycle.act(actor, app_id, str(action.value), body.note,
                             effective=body.effective)


# --- the public ----------------------------------------------------------------------------
@router.get("/public/notices", tags=["公示"], summary="公示列表", response_model=list[PublicOut])
async def notices(reg: Reg) -> Response:
    return _json(await read_in_thread(reg, reg.public.notices))


@router.get("/public/notices/{app_id}", tags=["公示"], summary="公示详情")
@in_lane("read")
def notice(app_id: AppId, reg: Reg) -> dict[str, Any]:
    return reg.public.notice(app_id)


@router.post("/public/notices/{app_id}/objections", tags=["公示"], summary="提出异议",
             status_code=201)
def raise_objection(app_id: AppId, body: ObjectionIn, request: Request,
                    reg: Reg) -> dict[str, int]:
    return {"id": reg.lifecycle.object(app_id, body.name, body.text, body.contact,
                                       source=_ip(request))}


@router.get("/public/filed", tags=["公示"], summary="已备案服务列表（可按备案日期取一批）",
            response_model=list[PublicOut])
async def filed(reg: Reg, since: dt.date | None = None,
                until: dt.date | None = None) -> Response:
    return _json(await read_in_thread(reg, lambda: reg.public.filed(since, until)))


@router.get("/public/filed.csv", tags=["公示"], summary="已备案服务列表（CSV，可按备案日期取一批）",
            response_class=Response)
@in_lane("read")
def filed_csv(reg: Reg, since: dt.date | None = None, until: dt.date | None = None) -> Response:
    return Response(reg.public.filed_csv(since, until), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=filed.csv"})


# --- administration ------------------------------------------------------------------------
def _admin(actor: Actor) -> None:
    if not actor.can(Perm.ADMIN):
        raise Forbidden("需要管理员权限", fix="请用管理员账号")


@router.get("/admin/users", tags=["管理"], summary="用户列表")
@in_lane("read")
def users(actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.accounts.list_users(actor)


@router.get("/admin/orgs", tags=["管理"], summary="机构列表")
@in_lane("read")
def orgs(actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.accounts.list_orgs(actor)


@router.post("/admin/orgs", tags=["管理"], summary="创建机构", status_code=201)
def create_org(body: OrgIn, actor: CurrentActor, reg: Reg) -> dict[str, int]:
    return {"id": reg.accounts.create_org(body.name, body.kind, body.province, body.uscc,
                                          by=actor)}


def _credentials(nu: NewUser) -> dict[str, str | None]:
    return {"username": nu.username, "password": nu.password, "totp_uri": nu.totp_uri()}


@router.post("/admin/users", tags=["管理"], summary="创建用户（返回初始密码与动态口令密钥）",
             status_code=201)
def create_user(body: UserIn, actor: CurrentActor, reg: Reg) -> dict[str, str | None]:
    return _credentials(reg.accounts.create_user(
        body.username, body.role, body.org_id, password=body.password,
        display_name=body.display_name, by=actor))


@router.post("/admin/users/{username}/reset", tags=["管理"],
             summary="重置密码（下次登录须修改；可同时重置动态口令），其会话全部失效")
def reset_user(username: Username, body: ResetIn, actor: CurrentActor,
               reg: Reg) -> dict[str, str | None]:
    return _credentials(reg.accounts.reset_password(username, by=actor,
                                                    reset_totp=body.reset_totp))


@router.post("/admin/users/{username}/disable", tags=["管理"], summary="停用用户（会话立即失效）")
def disable_user(username: Username, actor: CurrentActor, reg: Reg) -> dict[str, int]:
    return {"sessions_revoked": reg.accounts.set_active(username, False, by=actor)}


@router.post("/admin/users/{username}/enable", tags=["管理"], summary="启用用户")
def enable_user(username: Username, actor: CurrentActor, reg: Reg) -> dict[str, int]:
    return {"sessions_revoked": reg.accounts.set_active(username, True, by=actor)}


@router.delete("/admin/users/{username}/sessions", tags=["管理"], summary="注销用户的全部会话")
def revoke_user(username: Username, actor: CurrentActor, reg: Reg) -> dict[str, int]:
    return {"revoked": reg.accounts.revoke_sessions(username, by=actor)}


@router.post("/admin/tick", tags=["管理"], summary="处理到期事项（公示期满备案等）")
def tick(body: TickIn, actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.lifecycle.tick(body.date, actor=actor)


@router.get("/admin/calendar", tags=["管理"], summary="已导入的节假日安排")
@in_lane("read")
def calendars(actor: CurrentActor, reg: Reg) -> list[dict[str, Any]]:
    return reg.admin.calendar_years(actor)


@router.post("/admin/calendar", tags=["管理"], summary="导入某年节假日安排", status_code=204)
def calendar(body: CalendarIn, actor: CurrentActor, reg: Reg) -> Response:
    _admin(actor)
    reg.admin.load_calendar(parse_schedule(body.model_dump(), where="body"), actor=actor)
    return Response(status_code=204)


@router.get("/audit/verify", tags=["管理"], summary="核验审计日志哈希链与签名检查点")
def audit_verify(actor: CurrentActor, reg: Reg) -> dict[str, Any]:
    """``warnings``: what `beian registry audit verify` warns of (e.g. no checkpoint checked:
    rows deleted from the end of the chain would go unnoticed), no proof of tampering."""
    report = reg.admin.verify_audit_report(actor)
    return {"rows": report.rows, "ok": not report.problems, "checkpoints": report.checkpoints,
            "warnings": report.warnings,
            "problems": [{"seq": p.seq, "problem": p.problem} for p in report.problems]}
