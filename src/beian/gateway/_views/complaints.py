"""The complaint channel (投诉举报): the page, submitting, and a ticket's progress.

Submitting is limited per client (``complaints.rate_limit`` per ``rate_window_s``: 429 with
``Retry-After``), every field is capped (400) and so is the body (413, not read); a form post
must come from the gateway's own page (no cross-site post, the page's anti-forgery token).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from beian.errors import InputError
from beian.gateway._complaints import TooManyComplaints
from beian.gateway._forms import BodyTooLarge, form_token
from beian.gateway._pages import render
from beian.gateway._upstream import error_body, error_response
from beian.gateway._views.common import (
    cross_site_refused,
    fields,
    form_token_refused,
    input_error,
    page_ctx,
    problem,
    text_field,
    too_large,
    wants_html,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["complaint_status", "complaints_page", "complaints_submit"]

TITLE = "投诉举报"
PURPOSE = "complaint"


async def complaints_page(gw: Gateway, request: Request) -> Response:
    token = form_token(gw.form_key, PURPOSE, "", gw.config.identity.form_token_ttl_s)
    return HTMLResponse(render("complaints", form_token=token, **page_ctx(gw, TITLE)))


async def complaints_submit(gw: Gateway, request: Request) -> Response:
    if (refused := cross_site_refused(gw, request)) is not None:
        return refused
    try:
        f = await fields(request, gw.config.complaints.max_body_bytes)
        if (refused := form_token_refused(gw, request, f, PURPOSE, "")) is not None:
            return refused
        client = gw.store.user_hash("\x00complaint-client\x00" + gw.client(request))
        # writes run off the event loop: another worker process may hold the write lock
        c = await asyncio.to_thread(
            gw.desk.submit,
            text_field(f, "content"),
            category=text_field(f, "category", "其他") or "其他",
            contact=text_field(f, "contact") or None,
            record_id=text_field(f, "record_id") or None,
            client=client,
        )
    except BodyTooLarge as exc:
        return too_large(gw, request, exc, back="complaints")
    except TooManyComplaints as exc:
        return problem(
            gw, request, 429,
            f"投诉提交过于频繁（每 {exc.window_s:g} 秒至多 {exc.limit} 件），请 {exc.retry_after} 秒后再试",
            "rate_limited", etype="rate_limit_error", back="complaints",
            headers={"Retry-After": str(exc.retry_after)},
        )  # fmt: skip
    except InputError as exc:
        if wants_html(request):
            ctx = page_ctx(gw, TITLE) | {"message": exc.render(), "back": "complaints"}
            return HTMLResponse(render("not_found", **ctx), status_code=400)
        return input_error(exc)
    gw.metrics.complaints.inc()
    if wants_html(request):
        return HTMLResponse(render("ticket", c=c.public(), created=True, **page_ctx(gw, TITLE)), 201)
    return JSONResponse(c.public() | {"handling_days": gw.desk.handling_days}, status_code=201)


async def complaint_status(gw: Gateway, request: Request) -> Response:
    ticket = str(request.path_params.get("ticket") or request.query_params.get("ticket", ""))
    c = gw.desk.get(ticket.strip()[:32])
    html = "text/html" in request.headers.get("accept", "") or "ticket" in request.query_params
    if c is None:
        if html:
            ctx = page_ctx(gw, TITLE) | {
                "message": f"没有编号为 {ticket[:32]} 的投诉",
                "back": "../complaints",
            }
            return HTMLResponse(render("not_found", **ctx), status_code=404)
        return error_response(404, error_body("没有该编号的投诉", "not_found", "ticket_not_found"))
    if html:
        return HTMLResponse(
            render("ticket", c=c.public(), created=False, **page_ctx(gw, "投诉处理进度"))
        )
    return JSONResponse(c.public())
