"""我的数据: a user's rights over their conversations and their consent, as pages and an API.

The user is who the provider vouches for (``identity.mode`` signed: the token on the page link or
in the token header; header: the trusted header). With ``identity.mode: off`` these routes are
closed (403): a claimed user id is no proof, and a copy of someone's conversations is exactly
what must not go to whoever claims it. Posts from other sites are refused and a form must carry
its page's anti-forgery token. Every export, deletion, correction and withdrawal gets a ticket
(see :mod:`beian.gateway._rights`).

- ``GET /privacy/data``: the page (HTML) or ``{"conversations": [...], "consent": ..., "requests":
  [...]}`` (JSON).
- ``POST /privacy/data/export`` ``{"format": "json" | "csv"}``: the file.
- ``POST /privacy/data/delete`` ``{"record_ids": [...]}`` or ``{"all": true}``.
- ``POST /privacy/data/correct`` ``{"record_id", "text"}``.
- ``GET|POST /privacy/consent`` ``{"action": "accept" | "withdraw", "notice_version"}``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from beian.errors import InputError
from beian.gateway._forms import form_token
from beian.gateway._identity import IdentityError
from beian.gateway._pages import render
from beian.gateway._rights import CST, TooManyRequests
from beian.gateway._rights_export import export_csv, question_text, user_conversations, user_export
from beian.gateway._views.common import (
    identity_error,
    input_error,
    is_form,
    page_ctx,
    request_user,
    too_many,
    user_post,
    wants_html,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["consent_get", "consent_set", "data_correct", "data_delete", "data_export", "data_page"]

PURPOSE = "rights"
TITLE = "我的数据"
# what a form post's redirect may announce on the page (a code, never text from the link)
DONE = {
    "deleted": "已删除所选对话记录的内容，工单见下方“我的请求”",
    "busy": "部分对话尚未结束，未能删除，请稍后再删",
    "corrected": "已受理更正请求，工单见下方“我的请求”",
    "withdrawn": "已撤回同意，您的输入不再用于训练",
    "accepted": "已记录您的同意",
}


def _user(gw: Gateway, request: Request, token: object) -> str:
    if gw.identity.mode == "off":
        raise IdentityError(403, "identity_required",
                            "个人数据查阅、导出与删除需要服务方认证的身份（identity.mode: signed 或 header）")  # fmt: skip
    return request_user(gw, request, None, token)


def _beijing(iso: str | None) -> str:
    """An exchange's UTC time as the user reads it: Beijing time to the minute."""
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).astimezone(CST).strftime("%Y-%m-%d %H:%M")


def _page(gw: Gateway, request: Request, user: str, token: str, message: str = "") -> Response:
    desk = gw.rights
    convs = user_conversations(desk, user, desk.rules.max_export_records)
    for c in convs:
        c["question"] = question_text(c["messages"])
        c["shown"] = _beijing(c["started"])
    ctx = page_ctx(gw, TITLE) | {
        "working_days": desk.rules.handling_working_days, "message": message,
        "token": token if gw.identity.mode == "signed" else "",
        "form_token": form_token(gw.form_key, PURPOSE, user, gw.config.identity.form_token_ttl_s),
        "conversations": convs, "consent": desk.consent_state(user),
        "requests": [r.public() for r in desk.requests(user=user)],
        "max_correction_chars": desk.rules.max_correction_chars,
    }  # fmt: skip
    return HTMLResponse(render("rights", **ctx))


async def data_page(gw: Gateway, request: Request) -> Response:
    q = request.query_params
    try:
        user = _user(gw, request, q.get("token"))
    except IdentityError as exc:
        return identity_error(gw, request, exc)
    if "text/html" in request.headers.get("accept", ""):
        message = DONE.get(q.get("done", ""), "")
        return await asyncio.to_thread(_page, gw, request, user, q.get("token", ""), message)
    desk = gw.rights
    body = {
        "conversations": await asyncio.to_thread(user_conversations, desk, user, desk.rules.max_export_records),
        "consent": desk.consent_state(user),
        "requests": [r.public() for r in desk.requests(user=user)],
        "handling_working_days": desk.rules.handling_working_days,
    }  # fmt: skip
    return JSONResponse(body)


async def _accept(gw: Gateway, request: Request) -> tuple[str, dict[str, Any]] | Response:
    """The user and fields of a rights post, or the refusal to send instead."""
    limit = gw.config.rights.max_body_bytes
    return await user_post(gw, request, limit, PURPOSE, lambda f: _user(gw, request, f.get("token")), "data")


def _back(gw: Gateway, f: dict[str, Any], done: str, page: str = "../data") -> Response:
    """A form post's answer: back to the page (``page``, relative to the post's path), with
    the outcome shown there."""
    token = f.get("token")
    back = {"done": done} | ({"token": token} if gw.identity.mode == "signed" and token else {})
    return RedirectResponse(f"{page}?{urlencode(back)}", 303)


def _failed(gw: Gateway, request: Request, exc: InputError | TooManyRequests) -> Response:
    if isinstance(exc, TooManyRequests):
        return too_many(gw, request, "请求", exc.limit, exc.window_s, exc.retry_after, "data")
    if wants_html(request):
        ctx = page_ctx(gw, TITLE) | {"message": exc.render(), "back": "data"}
        return HTMLResponse(render("not_found", **ctx), status_code=400)
    return input_error(exc)


async def data_export(gw: Gateway, request: Request) -> Response:
    got = await _accept(gw, request)
    if isinstance(got, Response):
        return got
    user, f = got
    fmt = f.get("format", "json")
    if fmt not in ("json", "csv"):
        return _failed(
            gw,
            request,
            InputError(f"未知的导出格式 {str(fmt)[:10]}", where="format", fix="json 或 csv"),
        )
    try:
        req = await asyncio.to_thread(
            gw.rights.open_request, user, "export", {"format": fmt}, status="已办结",
            result=f"已导出（{fmt.upper()}）",
        )  # fmt: skip
    except TooManyRequests as exc:
        return _failed(gw, request, exc)
    data = await asyncio.to_thread(user_export, gw.rights, user, gw.desk)
    name = f"beian-data-{req.ticket}.{fmt}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Beian-Rights-Ticket": req.ticket,
    }
    if fmt == "csv":
        return Response(export_csv(data), media_type="text/csv; charset=utf-8", headers=headers)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(text, media_type="application/json; charset=utf-8", headers=headers)


def _record_ids(f: dict[str, Any]) -> list[str] | None:
    """Which records a deletion names (``None``: all of them)."""
    if f.get("all") in (True, "1", "true"):
        return None
    ids = f.get("record_ids", [f["record_id"]] if "record_id" in f else None)
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise InputError("没有指明要删除的对话记录", where="record_ids",
                         fix='发送 {"record_ids": ["…"]}，或 {"all": true} 删除全部')  # fmt: skip
    return [i[:64] for i in ids[:10_000]]


async def data_delete(gw: Gateway, request: Request) -> Response:
    got = await _accept(gw, request)
    if isinstance(got, Response):
        return got
    user, f = got
    try:
        done = await asyncio.to_thread(gw.rights.erase, user, _record_ids(f))
    except (InputError, TooManyRequests) as exc:
        return _failed(gw, request, exc)
    if is_form(request):
        return _back(gw, f, "busy" if done.in_progress else "deleted")
    req = gw.rights.get(done.ticket)
    assert req is not None
    return JSONResponse(
        {"ticket": req.public(), "erased": done.erased, "in_progress": done.in_progress}
    )


async def data_correct(gw: Gateway, request: Request) -> Response:
    got = await _accept(gw, request)
    if isinstance(got, Response):
        return got
    user, f = got
    try:
        rid, text = f.get("record_id"), f.get("text")
        if not isinstance(rid, str) or not isinstance(text, str):
            raise InputError(
                "需要记录编号与更正内容", where="record_id/text", fix="两项都应为字符串"
            )
        req = await asyncio.to_thread(gw.rights.correct, user, rid[:64], text)
    except (InputError, TooManyRequests) as exc:
        return _failed(gw, request, exc)
    if is_form(request):
        return _back(gw, f, "corrected")
    return JSONResponse(req.public(), status_code=201)


async def consent_get(gw: Gateway, request: Request) -> Response:
    try:
        user = _user(gw, request, request.query_params.get("token"))
    except IdentityError as exc:
        return identity_error(gw, request, exc)
    return JSONResponse(gw.rights.consent_state(user) | {"ledger": gw.rights.consents(user)})


async def consent_set(gw: Gateway, request: Request) -> Response:
    got = await _accept(gw, request)
    if isinstance(got, Response):
        return got
    user, f = got
    via = "web" if is_form(request) else "api"
    version = f.get("notice_version")
    try:
        req = await asyncio.to_thread(
            gw.rights.consent, user, str(f.get("action", "")), version if isinstance(version, str) else None, via=via
        )  # fmt: skip
    except (InputError, TooManyRequests) as exc:
        return _failed(gw, request, exc)
    if is_form(request):
        return _back(gw, f, "withdrawn" if req else "accepted", page="data")
    body = gw.rights.consent_state(user) | {"ticket": req.public() if req else None}
    return JSONResponse(body)
