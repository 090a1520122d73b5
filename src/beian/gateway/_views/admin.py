"""``/admin/*`` (behind ``admin_token``): configuration reload and complaint handling."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from beian.errors import InputError
from beian.gateway._forms import BodyTooLarge
from beian.gateway._views.common import admin_denied, fields, input_error, text_field, too_large

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["admin_complaint_update", "admin_complaints", "admin_reload"]


async def admin_reload(gw: Gateway, request: Request) -> Response:
    """Reload this process and, with several workers, every other one."""
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    result, others = await gw.reload_everywhere()
    body: dict[str, Any] = {"ok": result.ok, "message": result.message, "version": result.version}
    if result.ok and gw.options.peers is not None:
        body["workers"] = [o.to_json() for o in others]
        failed = [o for o in others if not o.ok]
        if failed:
            body["ok"] = False
            body["message"] = "部分工作进程重载失败（仍使用原配置）：" + "；".join(
                f"工作进程 {o.worker}：{o.message}" for o in failed
            )
    return JSONResponse(body, status_code=200 if body["ok"] else 400)


async def admin_complaints(gw: Gateway, request: Request) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    items = gw.desk.list(request.query_params.get("status"))
    return JSONResponse([c.public() | {"content": c.content, "contact": c.contact,
                                       "record_id": c.record_id} for c in items])  # fmt: skip


async def admin_complaint_update(gw: Gateway, request: Request) -> Response:
    if (denied := await admin_denied(gw, request)) is not None:
        return denied
    try:
        f = await fields(request, gw.config.complaints.max_body_bytes)
        c = await asyncio.to_thread(
            gw.desk.update,
            request.path_params["ticket"],
            text_field(f, "status"),
            text_field(f, "note") or None,
        )
    except BodyTooLarge as exc:
        return too_large(gw, request, exc)
    except InputError as exc:
        return input_error(exc)
    return JSONResponse(c.public())
