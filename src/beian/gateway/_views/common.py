"""What several views share: request fields, the 400 answer, page context, the admin check."""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from beian.errors import InputError
from beian.gateway._complaints import CATEGORIES
from beian.gateway._upstream import error_body, error_response

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["admin_ok", "denied", "fields", "input_error", "page_ctx", "user_required",
           "wants_html"]  # fmt: skip


def wants_html(request: Request) -> bool:
    ctype = request.headers.get("content-type", "")
    return "form" in ctype or "text/html" in request.headers.get("accept", "")


async def fields(request: Request) -> dict[str, Any]:
    """The submitted fields: a form, or a JSON object."""
    if "form" in request.headers.get("content-type", ""):
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        raise InputError("请求体不是有效的 JSON", where="body", fix="请发送 JSON 对象") from None
    if not isinstance(data, dict):
        raise InputError("请求体应为 JSON 对象", where="body", fix="请发送 JSON 对象")
    return data


def input_error(exc: InputError) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "message": exc.what,
                "param": exc.where,
                "fix": exc.fix,
                "type": "invalid_request_error",
            }
        },
        status_code=400,
    )


def user_required() -> Response:
    return error_response(
        400, error_body("缺少用户标识", "invalid_request_error", "user_required")
    )


def page_ctx(gw: Gateway, title: str) -> dict[str, Any]:
    c = gw.config.complaints
    return {"title": title, "provider": c.provider_name, "handling_days": c.handling_days,
            "phone": c.phone, "email": c.email, "categories": CATEGORIES}  # fmt: skip


def admin_ok(gw: Gateway, request: Request) -> bool:
    token = gw.config.admin_token
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), str(token).encode())


def denied() -> Response:
    return error_response(
        401,
        error_body("需要管理令牌（admin_token）", "invalid_request_error", "admin_required"),
    )
