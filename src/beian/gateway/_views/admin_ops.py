"""``/admin/*`` for the safety operations team (behind ``admin_token``): overdue complaints,
complaints turned into candidate keywords or test questions, and users' rights requests."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from beian.errors import ConfigError, InputError
from beian.gateway._complaints import Complaint
from beian.gateway._feedback import open_feedback
from beian.gateway._forms import BodyTooLarge
from beian.gateway._views.common import admin_denied, fields, input_error, text_field, too_large

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = [
    "admin_complaint_detail",
    "admin_complaint_keyword",
    "admin_complaint_question",
    "admin_complaints_overdue",
    "admin_rights",
    "admin_rights_update",
]


def _complaint_json(c: Complaint, links: list[dict[str, Any]]) -> dict[str, Any]:
    """A complaint as staff see it: contents, contact, record, and its candidates."""
    return c.public() | {"content": c.content, "contact": c.contact, "record_id": c.record_id,
                         "links": links}  # fmt: skip


def _with_links(gw: Gateway, items: list[Complaint]) -> list[dict[str, Any]]:
    fb = open_feedback(gw.desk, gw.config)
    try:
        return [_complaint_json(c, [x.to_json() for x in fb.links(c.ticket)]) for c in items]
    finally:
        fb.close()


async def admin_complaints_overdue(gw: Gateway, request: Request) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    items = await asyncio.to_thread(gw.desk.overdue)
    return JSONResponse(await asyncio.to_thread(_with_links, gw, items))


async def admin_complaint_detail(gw: Gateway, request: Request) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    c = gw.desk.get(request.path_params["ticket"])
    if c is None:
        return JSONResponse({"error": {"message": "没有该编号的投诉", "code": "ticket_not_found"}}, 404)
    return JSONResponse((await asyncio.to_thread(_with_links, gw, [c]))[0])


def _config_error(exc: ConfigError) -> Response:
    return JSONResponse({"error": {"message": exc.what, "param": exc.where, "fix": exc.fix,
                                   "type": "invalid_request_error", "code": "not_configured"}},
                        status_code=409)  # fmt: skip


async def _candidate(gw: Gateway, request: Request, kind: str) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    ticket = request.path_params["ticket"]
    try:
        f = await fields(request, gw.config.complaints.max_body_bytes)
        fb = open_feedback(gw.desk, gw.config)
        try:
            if kind == "keyword":
                args = (text_field(f, "keyword"), text_field(f, "risk"), text_field(f, "mode"))
                link = await asyncio.to_thread(fb.keyword, ticket, *args)
            else:
                args = (text_field(f, "question"), text_field(f, "risk"),
                        text_field(f, "kind", "must_refuse"))  # fmt: skip
                link = await asyncio.to_thread(fb.question, ticket, *args)
        finally:
            fb.close()
    except BodyTooLarge as exc:
        return too_large(gw, request, exc)
    except ConfigError as exc:
        return _config_error(exc)
    except InputError as exc:
        return input_error(exc)
    return JSONResponse(link.to_json(), status_code=201)


async def admin_complaint_keyword(gw: Gateway, request: Request) -> Response:
    """``{"keyword", "risk", "mode"}`` → a candidate keyword on the review list."""
    return await _candidate(gw, request, "keyword")


async def admin_complaint_question(gw: Gateway, request: Request) -> Response:
    """``{"question", "risk", "kind"}`` → a candidate question in the bank."""
    return await _candidate(gw, request, "question")


async def admin_rights(gw: Gateway, request: Request) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    q = request.query_params
    items = await asyncio.to_thread(
        gw.rights.requests, status=q.get("status") or None, overdue=q.get("overdue") == "1"
    )
    return JSONResponse([r.public() | {"user_hash": r.user_hash, "detail": r.detail} for r in items])


async def admin_rights_update(gw: Gateway, request: Request) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    try:
        f = await fields(request, gw.config.rights.max_body_bytes)
        r = await asyncio.to_thread(
            gw.rights.close_request, request.path_params["ticket"],
            text_field(f, "status", "已办结"), text_field(f, "note") or None,
        )  # fmt: skip
    except BodyTooLarge as exc:
        return too_large(gw, request, exc)
    except InputError as exc:
        return input_error(exc)
    return JSONResponse(r.public())
