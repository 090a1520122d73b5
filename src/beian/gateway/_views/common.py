"""What several views share: request fields, error answers, page context, the admin check."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from beian.errors import InputError
from beian.gateway._complaints import CATEGORIES
from beian.gateway._forms import BodyTooLarge, cross_site, form_token_ok, read_body
from beian.gateway._identity import IdentityError
from beian.gateway._pages import render
from beian.gateway._upstream import error_body, error_response

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["admin_denied", "cross_site_refused", "fields", "form_token_refused", "identity_error", "input_error", "is_form", "page_ctx",
           "problem", "request_user", "text_field", "too_large", "too_many", "user_post", "wants_html"]  # fmt: skip


def wants_html(request: Request) -> bool:
    ctype = request.headers.get("content-type", "")
    return "form" in ctype or "text/html" in request.headers.get("accept", "")


def is_form(request: Request) -> bool:
    return "form" in request.headers.get("content-type", "")


async def fields(request: Request, limit: int) -> dict[str, Any]:
    """The submitted fields: a form, or a JSON object; a body over ``limit`` bytes is refused
    (:class:`BodyTooLarge`) before it is read."""
    raw = await read_body(request, limit)
    if is_form(request):

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": raw, "more_body": False}

        form = await Request(request.scope, replay).form(max_files=0, max_fields=50)
        return {k: v for k, v in form.items() if isinstance(v, str)}
    ctype = request.headers.get("content-type", "")
    if ctype and "json" not in ctype:  # e.g. text/plain: what a cross-site form can send
        raise InputError(
            f"不支持的请求体类型 {ctype[:60]}", where="content-type",
            fix="请发送 JSON（Content-Type: application/json）或表单",
        )  # fmt: skip
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise InputError("请求体不是有效的 JSON", where="body", fix="请发送 JSON 对象") from None
    if not isinstance(data, dict):
        raise InputError("请求体应为 JSON 对象", where="body", fix="请发送 JSON 对象")
    return data


def text_field(f: dict[str, Any], name: str, default: str = "") -> str:
    """A string field (``default`` when absent); anything else is an :class:`InputError`."""
    value = f.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InputError(f"字段 {name} 应为字符串", where=name, fix="请发送字符串")
    return value


def problem(
    gw: Gateway, request: Request, status: int, message: str, code: str, *,
    param: str | None = None, etype: str = "invalid_request_error", back: str = "",
    headers: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """An error in the form the client asked for: a Chinese page, or OpenAI-style JSON."""
    if wants_html(request):
        ctx = page_ctx(gw, "出错了") | {"message": message, "back": back or "."}
        return HTMLResponse(render("not_found", **ctx), status_code=status, headers=headers)
    body = error_body(message, etype, code)
    body["error"]["param"] = param
    return error_response(status, body, headers)


def input_error(exc: InputError) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "message": exc.what,
                "param": exc.where,
                "fix": exc.fix,
                "type": "invalid_request_error",
                "code": "invalid_field",
            }
        },
        status_code=400,
    )


def too_large(gw: Gateway, request: Request, exc: BodyTooLarge, back: str = "") -> Response:
    return problem(
        gw, request, 413, f"请求体过大（上限 {exc.limit} 字节），请精简后再提交",
        "request_too_large", back=back,
    )  # fmt: skip


def identity_error(gw: Gateway, request: Request, exc: IdentityError) -> Response:
    if not wants_html(request):
        return exc.response()
    return problem(gw, request, exc.status, exc.message, exc.code)


def page_ctx(gw: Gateway, title: str) -> dict[str, Any]:
    c = gw.config.complaints
    return {"title": title, "provider": c.provider_name, "handling_days": c.handling_days,
            "phone": c.phone, "email": c.email, "categories": CATEGORIES,
            "max_content_chars": c.max_content_chars,
            "max_contact_chars": c.max_contact_chars}  # fmt: skip


async def admin_denied(
    gw: Gateway, request: Request, *, metrics: bool = False
) -> Response | None:
    """``None`` when the request carries the admin token (or, with ``metrics``, the metrics
    token); else the 401, or the 429 of a client locked out after repeated wrong tokens. The
    lockout is checked (and a wrong token counted) in the records database, in a thread: never
    a query on the event loop."""
    auth = request.headers.get("authorization")
    given = auth.removeprefix("Bearer ").strip() if auth is not None else None
    access = gw.config.access
    tokens = (gw.config.admin_token, access.metrics_token if metrics else None)
    verdict = await asyncio.to_thread(
        gw.admin_guard.check, tokens, given, gw.client(request), access
    )
    if verdict.ok:
        return None
    if verdict.retry_after:
        return error_response(
            429,
            error_body(f"管理令牌错误次数过多，请 {verdict.retry_after} 秒后再试",
                       "rate_limit_error", "admin_locked_out"),
            {"Retry-After": str(verdict.retry_after)},
        )  # fmt: skip
    return error_response(
        401,
        error_body("需要管理令牌（admin_token）", "authentication_error", "admin_required"),
    )


def cross_site_refused(gw: Gateway, request: Request) -> Response | None:
    """The 403 of a post a browser sent from another site's page; else ``None``."""
    if not cross_site(request, gw.config.identity.allowed_origins):
        return None
    return problem(gw, request, 403, "拒绝来自其他网站的提交", "cross_site_request",
                   etype="permission_error")  # fmt: skip


def form_token_refused(
    gw: Gateway, request: Request, f: dict[str, Any], purpose: str, subject: str
) -> Response | None:
    """The 403 of a form posted without the token of the page it belongs to; else ``None``
    (JSON posts carry no form token: a browser cannot send them from another site)."""
    if not is_form(request) or form_token_ok(gw.form_key, purpose, subject, f.get("form_token")):
        return None
    return problem(gw, request, 403, "表单已过期或不是从本站页面提交的，请刷新页面后重新提交",
                   "invalid_form_token", param="form_token", etype="permission_error")  # fmt: skip


def request_user(gw: Gateway, request: Request, claimed: object, token: object) -> str:
    """Whose setting this is; :class:`IdentityError` when the request does not show it."""
    ident = gw.identity
    user = ident.resolve(request, claimed, "user", token if isinstance(token, str) else None)
    if user is not None:
        return user
    if ident.mode == "signed":
        raise IdentityError(401, "user_token_required",
                            "需要服务方签发的用户令牌（页面链接中的 token 或请求头 "
                            f"{gw.config.identity.token_header}）")  # fmt: skip
    if ident.mode == "header":
        raise IdentityError(401, "user_required", f"缺少经认证的用户标识（{gw.config.user_header}）")
    raise IdentityError(400, "user_required", "缺少用户标识（user）", "user")


async def user_post(
    gw: Gateway, request: Request, limit: int, purpose: str,
    who: Callable[[dict[str, Any]], str], back: str = "",
) -> tuple[str, dict[str, Any]] | Response:  # fmt: skip
    """The user (``who(fields)``) and fields of a form or JSON post on a user's behalf, or the
    answer to send instead: a cross-site post, a body over ``limit`` bytes, a bad identity, or a
    form without its page's anti-forgery token for ``purpose``."""
    if (refused := cross_site_refused(gw, request)) is not None:
        return refused
    try:
        f = await fields(request, limit)
        user = who(f)
    except BodyTooLarge as exc:
        return too_large(gw, request, exc, back=back)
    except InputError as exc:
        return input_error(exc)
    except IdentityError as exc:
        return identity_error(gw, request, exc)
    if (refused := form_token_refused(gw, request, f, purpose, user)) is not None:
        return refused
    return user, f


def too_many(
    gw: Gateway, request: Request, what: str, limit: int, window_s: float, retry_after: int, back: str
) -> Response:
    """The 429 of a client or user over a submission limit, with ``Retry-After``."""
    return problem(
        gw, request, 429,
        f"{what}过于频繁（每 {window_s:g} 秒至多 {limit} 件），请 {retry_after} 秒后再试",
        "rate_limited", etype="rate_limit_error", back=back,
        headers={"Retry-After": str(retry_after)},
    )  # fmt: skip
