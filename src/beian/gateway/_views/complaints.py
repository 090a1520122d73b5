"""The complaint channel (投诉举报): the page, submitting, and a ticket's progress.

Submitting is limited per client (``complaints.rate_limit`` per ``rate_window_s``: 429 with
``Retry-After``), every field is capped (400) and so is the body (413, not read); a form post
must come from the gateway's own page (no cross-site post, the page's anti-forgery token).

A ticket's progress is shown for its access token (``?token=``, or the ``X-Beian-Ticket-Token``
header), or to the authenticated user who filed it (``identity.mode`` signed/header) with the
ticket number; the number alone (about 30 bits, guessable) opens nothing.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from beian.errors import InputError
from beian.gateway._complaints import TOKEN_PREFIX, Complaint, TooManyComplaints
from beian.gateway._forms import BodyTooLarge, form_token
from beian.gateway._identity import IdentityError
from beian.gateway._pages import render
from beian.gateway._upstream import error_body, error_response
from beian.gateway._views.common import (
    cross_site_refused,
    fields,
    form_token_refused,
    identity_error,
    input_error,
    page_ctx,
    text_field,
    too_large,
    too_many,
    wants_html,
)

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["TOKEN_HEADER", "complaint_status", "complaints_page", "complaints_submit"]

TITLE = "投诉举报"
PURPOSE = "complaint"
TOKEN_HEADER = "X-Beian-Ticket-Token"
_NOT_FOUND = "没有找到该投诉：请使用受理时给出的查询码（仅凭投诉编号不能查询）"


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
        user = gw.identity.vouched(request)  # signed/header: the filer may read it back
        # writes run off the event loop: another worker process may hold the write lock
        c = await asyncio.to_thread(
            gw.desk.submit,
            text_field(f, "content"),
            category=text_field(f, "category", "其他") or "其他",
            contact=text_field(f, "contact") or None,
            record_id=text_field(f, "record_id") or None,
            client=client,
            user_hash=gw.store.user_hash(user) if user else None,
        )
    except IdentityError as exc:
        return identity_error(gw, request, exc)
    except BodyTooLarge as exc:
        return too_large(gw, request, exc, back="complaints")
    except TooManyComplaints as exc:
        return too_many(gw, request, "投诉提交", exc.limit, exc.window_s, exc.retry_after, "complaints")
    except InputError as exc:
        if wants_html(request):
            ctx = page_ctx(gw, TITLE) | {"message": exc.render(), "back": "complaints"}
            return HTMLResponse(render("not_found", **ctx), status_code=400)
        return input_error(exc)
    gw.metrics.complaints.inc()
    if wants_html(request):
        return HTMLResponse(render("ticket", c=c.public(), token=c.token, created=True,
                                   **page_ctx(gw, TITLE)), 201)  # fmt: skip
    body = c.public() | {"token": c.token, "handling_days": gw.desk.handling_days}
    return JSONResponse(body, status_code=201)


def _find(gw: Gateway, request: Request) -> Complaint | None:
    """The ticket the request may read: by access token, or by number for the user who filed
    it; ``None`` for anything else (a guessed or old-style number included)."""
    q = request.query_params
    token = (q.get("token") or request.headers.get(TOKEN_HEADER) or "").strip()
    if token:
        return gw.desk.by_token(token)
    ticket = str(request.path_params.get("ticket") or q.get("ticket", "")).strip()[:32]
    if ticket.startswith(TOKEN_PREFIX):  # the token pasted where the number goes
        return gw.desk.by_token(ticket)
    user = gw.identity.vouched(request, q.get("user_token") or None)
    return gw.desk.of_user(ticket, gw.store.user_hash(user)) if ticket and user else None


async def complaint_status(gw: Gateway, request: Request) -> Response:
    html = "text/html" in request.headers.get("accept", "") or bool(
        {"ticket", "token"} & set(request.query_params)
    )
    try:
        c = await asyncio.to_thread(_find, gw, request)
    except IdentityError as exc:
        return identity_error(gw, request, exc)
    if c is None:
        if html:
            ctx = page_ctx(gw, TITLE) | {"message": _NOT_FOUND, "back": "../complaints"}
            return HTMLResponse(render("not_found", **ctx), status_code=404)
        return error_response(404, error_body(_NOT_FOUND, "not_found", "ticket_not_found"))
    if html:
        return HTMLResponse(
            render("ticket", c=c.public(), created=False, **page_ctx(gw, "投诉处理进度"))
        )
    return JSONResponse(c.public())
