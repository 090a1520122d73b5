"""训练数据使用设置: a user's one-click opt-out of training use, as a page and an API.

Whose choice a request reads or changes follows ``identity.mode``: with ``signed`` only the
holder of a token the provider signed for that user (``?token=`` on the page, the token header
on the API), with ``header`` the user the provider's proxy names; with ``off`` the ``user`` given.
Posts from other sites are refused and a form must carry its page's anti-forgery token.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from beian.gateway._forms import form_token
from beian.gateway._identity import IdentityError
from beian.gateway._pages import render
from beian.gateway._views.common import (
    identity_error,
    page_ctx,
    request_user,
    user_post,
    wants_html,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["opt_out_page", "opt_out_set"]

PURPOSE = "opt-out"
MAX_BODY = 8192


async def opt_out_page(gw: Gateway, request: Request) -> Response:
    q = request.query_params
    try:
        user = request_user(gw, request, q.get("user"), q.get("token"))
    except IdentityError as exc:
        return identity_error(gw, request, exc)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:  # the API: the current choice
        opted = await asyncio.to_thread(gw.store.is_opted_out, user)
        return JSONResponse({"user": user, "opted_out": opted})
    ttl = gw.config.identity.form_token_ttl_s
    ctx = page_ctx(gw, "训练数据使用设置") | {
        "user": user if gw.identity.mode == "off" else "",
        "token": q.get("token", "") if gw.identity.mode == "signed" else "",
        "form_token": form_token(gw.form_key, PURPOSE, user, ttl),
        # off the event loop: a database round trip (see beian.gateway._optouts)
        "opted_out": await asyncio.to_thread(gw.store.is_opted_out, user),
        "rights": gw.identity.mode != "off",  # the rights page serves authenticated users only
    }
    return HTMLResponse(render("opt_out", **ctx))


def _opted(value: Any) -> bool:
    return value not in (False, 0, "0", "false", "no")


async def opt_out_set(gw: Gateway, request: Request) -> Response:
    got = await user_post(gw, request, MAX_BODY, PURPOSE,
                          lambda f: request_user(gw, request, f.get("user"), f.get("token")))  # fmt: skip
    if isinstance(got, Response):
        return got
    user, f = got
    opted = _opted(f.get("opted_out", True))
    await asyncio.to_thread(
        gw.store.set_opt_out, user, opted, via="web" if wants_html(request) else "api"
    )
    if wants_html(request):
        mode, token = gw.identity.mode, f.get("token")
        back = {"user": user} if mode == "off" else {"token": token} if mode == "signed" and token else {}
        return RedirectResponse("opt-out" + (f"?{urlencode(back)}" if back else ""), 303)
    return JSONResponse({"user": user, "opted_out": opted})
