"""The gateway's HTTP surface: the OpenAI routes, health, metrics, complaints, opt-out, admin."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from beian.errors import InputError
from beian.gateway._complaints import CATEGORIES
from beian.gateway._gateway import Gateway
from beian.gateway._pages import render
from beian.gateway._proxy import chat_completions
from beian.gateway._upstream import UpstreamFailure, error_body, error_response, map_status

__all__ = ["create_app"]

CHAT_PATH = "/v1/chat/completions"
log = logging.getLogger("beian.gateway")


def _wants_html(request: Request) -> bool:
    ctype = request.headers.get("content-type", "")
    return "form" in ctype or "text/html" in request.headers.get("accept", "")


async def _fields(request: Request) -> dict[str, Any]:
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


def _input_error(exc: InputError) -> JSONResponse:
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


def create_app(gw: Gateway) -> ASGIApp:
    """The ASGI app serving ``gw``; its lifespan opens the upstream pool and the purge job."""

    def page_ctx(title: str) -> dict[str, Any]:
        c = gw.config.complaints
        return {"title": title, "provider": c.provider_name, "handling_days": c.handling_days,
                "phone": c.phone, "email": c.email, "categories": CATEGORIES}  # fmt: skip

    def admin_ok(request: Request) -> bool:
        token = gw.config.admin_token
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return bool(token) and hmac.compare_digest(given.encode(), str(token).encode())

    def denied() -> Response:
        return error_response(
            401,
            error_body("需要管理令牌（admin_token）", "invalid_request_error", "admin_required"),
        )

    async def chat(request: Request) -> Response:
        return await chat_completions(gw, request)

    async def models(request: Request) -> Response:
        try:
            status, content, headers = await gw.upstream.get(
                "/models", gw.upstream_headers(request)
            )
        except UpstreamFailure as failure:
            return failure.response({})
        if status != 200:
            return map_status(status, content, headers).response({})
        return Response(content, media_type="application/json")

    async def health(request: Request) -> Response:
        body: dict[str, Any] = {
            "status": "ok",
            "config_version": gw.version,
            "config_digest": gw.config_digest,
            "config_loaded_at": gw.loaded_at,
            "records_backlog": gw.store.backlog,
            "record_write_errors": gw.store.write_errors,
            "lexicon": gw.screening.sources,
            "pii": gw.screening.config.pii if gw.screening.redactor else "off",
            "process": {"pid": os.getpid()}
            | ({"worker": gw.worker[0], "workers": gw.worker[1]} if gw.worker else {}),
        }
        if request.query_params.get("upstream"):
            t0 = time.perf_counter()
            try:
                status, _, _ = await gw.upstream.get("/models", gw.upstream_headers(request))
                ms = round((time.perf_counter() - t0) * 1000, 2)
                body["upstream"] = {"status": status, "ms": ms}
                if status != 200:
                    body["status"] = "degraded"
            except UpstreamFailure as failure:
                body["upstream"], body["status"] = {"error": failure.kind}, "degraded"
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    async def metrics(request: Request) -> Response:
        gw.metrics.backlog.set(gw.store.backlog)
        return Response(gw.metrics.render(), media_type="text/plain; version=0.0.4")

    async def complaints_page(request: Request) -> Response:
        return HTMLResponse(render("complaints", **page_ctx("投诉举报")))

    async def complaints_submit(request: Request) -> Response:
        try:
            f = await _fields(request)
            # writes run off the event loop: another worker process may hold the write lock
            c = await asyncio.to_thread(
                gw.desk.submit,
                str(f.get("content") or ""),
                category=str(f.get("category") or "其他"),
                contact=str(f.get("contact") or "") or None,
                record_id=str(f.get("record_id") or "") or None,
            )
        except InputError as exc:
            if _wants_html(request):
                ctx = page_ctx("投诉举报") | {"message": exc.render(), "back": "complaints"}
                return HTMLResponse(render("not_found", **ctx), status_code=400)
            return _input_error(exc)
        gw.metrics.complaints.inc()
        if _wants_html(request):
            return HTMLResponse(
                render("ticket", c=c.public(), created=True, **page_ctx("投诉举报")), 201
            )
        return JSONResponse(c.public() | {"handling_days": gw.desk.handling_days}, status_code=201)

    async def complaint_status(request: Request) -> Response:
        ticket = request.path_params.get("ticket") or request.query_params.get("ticket", "")
        c = gw.desk.get(str(ticket).strip())
        html = "text/html" in request.headers.get("accept", "") or "ticket" in request.query_params
        if c is None:
            if html:
                ctx = page_ctx("投诉举报") | {
                    "message": f"没有编号为 {ticket} 的投诉",
                    "back": "../complaints",
                }
                return HTMLResponse(render("not_found", **ctx), status_code=404)
            return error_response(
                404, error_body("没有该编号的投诉", "not_found", "ticket_not_found")
            )
        if html:
            return HTMLResponse(
                render("ticket", c=c.public(), created=False, **page_ctx("投诉处理进度"))
            )
        return JSONResponse(c.public())

    async def opt_out_page(request: Request) -> Response:
        user = request.query_params.get("user") or request.headers.get(gw.config.user_header)
        if not user:
            return error_response(
                400, error_body("缺少用户标识", "invalid_request_error", "user_required")
            )
        ctx = page_ctx("训练数据使用设置") | {
            "user": user,
            "opted_out": gw.store.is_opted_out(user),
        }
        return HTMLResponse(render("opt_out", **ctx))

    async def opt_out_set(request: Request) -> Response:
        try:
            f = await _fields(request)
        except InputError as exc:
            return _input_error(exc)
        user = str(f.get("user") or request.headers.get(gw.config.user_header) or "")
        if not user:
            return error_response(
                400, error_body("缺少用户标识", "invalid_request_error", "user_required")
            )
        value = f.get("opted_out", True)
        opted = value not in (False, 0, "0", "false", "no")
        await asyncio.to_thread(
            gw.store.set_opt_out, user, opted, via="web" if _wants_html(request) else "api"
        )
        if _wants_html(request):
            return RedirectResponse(f"opt-out?user={quote(user)}", status_code=303)
        return JSONResponse({"user": user, "opted_out": opted})

    async def admin_reload(request: Request) -> Response:
        if not admin_ok(request):
            return denied()
        result = gw.reload()
        body: dict[str, Any] = {
            "ok": result.ok, "message": result.message, "version": result.version,
        }  # fmt: skip
        if result.ok and gw.reload_others is not None:  # the other worker processes too
            others = await gw.reload_others()
            body["workers"] = others
            failed = [o for o in others if not o["ok"]]
            if failed:
                body["ok"] = False
                body["message"] = "部分工作进程重载失败（仍使用原配置）：" + "；".join(
                    f"工作进程 {o['worker']}：{o['message']}" for o in failed
                )
        return JSONResponse(body, status_code=200 if body["ok"] else 400)

    async def admin_complaints(request: Request) -> Response:
        if not admin_ok(request):
            return denied()
        items = gw.desk.list(request.query_params.get("status"))
        return JSONResponse([c.public() | {"content": c.content, "contact": c.contact,
                                           "record_id": c.record_id} for c in items])  # fmt: skip

    async def admin_complaint_update(request: Request) -> Response:
        if not admin_ok(request):
            return denied()
        try:
            f = await _fields(request)
            c = await asyncio.to_thread(
                gw.desk.update,
                request.path_params["ticket"],
                str(f.get("status") or ""),
                f.get("note") or None,
            )
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse(c.public())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gw.start()
        try:
            yield
        finally:
            await gw.stop()

    app = Starlette(
        routes=[
            Route(CHAT_PATH, chat, methods=["POST"]),  # POST is served above; others get 405
            Route("/v1/models", models),
            Route("/healthz", health),
            Route("/metrics", metrics),
            Route("/complaints", complaints_page, methods=["GET"]),
            Route("/complaints", complaints_submit, methods=["POST"]),
            Route("/complaints/status", complaint_status),
            Route("/complaints/{ticket}", complaint_status),
            Route("/privacy/opt-out", opt_out_page, methods=["GET"]),
            Route("/privacy/opt-out", opt_out_set, methods=["POST"]),
            Route("/admin/reload", admin_reload, methods=["POST"]),
            Route("/admin/complaints", admin_complaints),
            Route("/admin/complaints/{ticket}", admin_complaint_update, methods=["POST"]),
        ],
        lifespan=lifespan,
    )

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        # the OpenAI route is the gateway's hot path (every streamed chunk goes through `send`):
        # it skips the router and the two exception middlewares, and handles errors itself
        if scope["type"] == "http" and scope["path"] == CHAT_PATH and scope["method"] == "POST":
            try:
                response = await chat_completions(gw, Request(scope, receive))
            except Exception:
                log.exception("处理对话请求时出错")
                response = error_response(
                    500, error_body("网关内部错误，请稍后重试", "server_error", "internal_error")
                )
            await response(scope, receive, send)
            return
        await app(scope, receive, send)

    return asgi
