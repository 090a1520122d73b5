"""The complaint channel (投诉举报): the page, submitting, and a ticket's progress."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from beian.errors import InputError
from beian.gateway._pages import render
from beian.gateway._upstream import error_body, error_response
from beian.gateway._views.common import fields, input_error, page_ctx, wants_html

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["complaint_status", "complaints_page", "complaints_submit"]

TITLE = "投诉举报"


async def complaints_page(gw: Gateway, request: Request) -> Response:
    return HTMLResponse(render("complaints", **page_ctx(gw, TITLE)))


async def complaints_submit(gw: Gateway, request: Request) -> Response:
    try:
        f = await fields(request)
        # writes run off the event loop: another worker process may hold the write lock
        c = await asyncio.to_thread(
            gw.desk.submit,
            str(f.get("content") or ""),
            category=str(f.get("category") or "其他"),
            contact=str(f.get("contact") or "") or None,
            record_id=str(f.get("record_id") or "") or None,
        )
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
    ticket = request.path_params.get("ticket") or request.query_params.get("ticket", "")
    c = gw.desk.get(str(ticket).strip())
    html = "text/html" in request.headers.get("accept", "") or "ticket" in request.query_params
    if c is None:
        if html:
            ctx = page_ctx(gw, TITLE) | {
                "message": f"没有编号为 {ticket} 的投诉",
                "back": "../complaints",
            }
            return HTMLResponse(render("not_found", **ctx), status_code=404)
        return error_response(404, error_body("没有该编号的投诉", "not_found", "ticket_not_found"))
    if html:
        return HTMLResponse(
            render("ticket", c=c.public(), created=False, **page_ctx(gw, "投诉处理进度"))
        )
    return JSONResponse(c.public())
