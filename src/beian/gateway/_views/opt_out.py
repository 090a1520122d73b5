"""训练数据使用设置: a user's one-click opt-out of training use, as a page and an API."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from beian.errors import InputError
from beian.gateway._pages import render
from beian.gateway._views.common import fields, input_error, page_ctx, user_required, wants_html

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["opt_out_page", "opt_out_set"]


async def opt_out_page(gw: Gateway, request: Request) -> Response:
    user = request.query_params.get("user") or request.headers.get(gw.config.user_header)
    if not user:
        return user_required()
    ctx = page_ctx(gw, "训练数据使用设置") | {
        "user": user,
        "opted_out": gw.store.is_opted_out(user),
    }
    return HTMLResponse(render("opt_out", **ctx))


async def opt_out_set(gw: Gateway, request: Request) -> Response:
    try:
        f = await fields(request)
    except InputError as exc:
        return input_error(exc)
    user = str(f.get("user") or request.headers.get(gw.config.user_header) or "")
    if not user:
        return user_required()
    value = f.get("opted_out", True)
    opted = value not in (False, 0, "0", "false", "no")
    await asyncio.to_thread(
        gw.store.set_opt_out, user, opted, via="web" if wants_html(request) else "api"
    )
    if wants_html(request):
        return RedirectResponse(f"opt-out?user={quote(user)}", status_code=303)
    return JSONResponse({"user": user, "opted_out": opted})
