"""The gateway's HTTP surface: the route table over the views (one module per resource)."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from beian.gateway._gateway import Gateway
from beian.gateway._proxy import chat_completions
from beian.gateway._streaming import EventStream
from beian.gateway._upstream import error_body, error_response
from beian.gateway._views.admin import admin_complaint_update, admin_complaints, admin_reload
from beian.gateway._views.admin_ops import (
    admin_complaint_detail,
    admin_complaint_keyword,
    admin_complaint_question,
    admin_complaints_overdue,
    admin_rights,
    admin_rights_update,
)
from beian.gateway._views.complaints import complaint_status, complaints_page, complaints_submit
from beian.gateway._views.health import health
from beian.gateway._views.metrics import metrics
from beian.gateway._views.models import models
from beian.gateway._views.opt_out import opt_out_page, opt_out_set
from beian.gateway._views.rights import (
    consent_get,
    consent_set,
    data_correct,
    data_delete,
    data_export,
    data_page,
)
from beian.gateway._views.transparency import transparency

__all__ = ["CHAT_PATH", "create_app"]

CHAT_PATH = "/v1/chat/completions"
log = logging.getLogger("beian.gateway")

View = Callable[[Gateway, Request], Awaitable[Response]]

async def _chat(gw: Gateway, request: Request) -> Response:
    """The chat route in the router (only its 405s are served there; see ``create_app``)."""
    h = gw.track()
    try:
        return await chat_completions(gw, request, h)
    finally:
        h.close()


# (path, view, methods): the methods left out of a path are answered with 405
ROUTES: tuple[tuple[str, View, list[str]], ...] = (
    (CHAT_PATH, _chat, ["POST"]),  # POST is served before the router (see below)
    ("/v1/models", models, ["GET"]),
    ("/healthz", health, ["GET"]),
    ("/metrics", metrics, ["GET"]),
    ("/complaints", complaints_page, ["GET"]),
    ("/complaints", complaints_submit, ["POST"]),
    ("/complaints/status", complaint_status, ["GET"]),
    ("/complaints/{ticket}", complaint_status, ["GET"]),
    ("/privacy/opt-out", opt_out_page, ["GET"]),
    ("/privacy/opt-out", opt_out_set, ["POST"]),
    ("/privacy/data", data_page, ["GET"]),
    ("/privacy/data/export", data_export, ["POST"]),
    ("/privacy/data/delete", data_delete, ["POST"]),
    ("/privacy/data/correct", data_correct, ["POST"]),
    ("/privacy/consent", consent_get, ["GET"]),
    ("/privacy/consent", consent_set, ["POST"]),
    ("/transparency", transparency, ["GET"]),
    ("/admin/reload", admin_reload, ["POST"]),
    ("/admin/complaints", admin_complaints, ["GET"]),
    ("/admin/complaints/overdue", admin_complaints_overdue, ["GET"]),
    ("/admin/complaints/{ticket}", admin_complaint_detail, ["GET"]),
    ("/admin/complaints/{ticket}", admin_complaint_update, ["POST"]),
    ("/admin/complaints/{ticket}/keyword", admin_complaint_keyword, ["POST"]),
    ("/admin/complaints/{ticket}/question", admin_complaint_question, ["POST"]),
    ("/admin/rights", admin_rights, ["GET"]),
    ("/admin/rights/{ticket}", admin_rights_update, ["POST"]),
)


def create_app(gw: Gateway) -> ASGIApp:
    """The ASGI app serving ``gw``; its lifespan opens the upstream pool and the purge job."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gw.start()
        try:
            yield
        finally:
            await gw.stop()

    app = Starlette(
        routes=[Route(path, functools.partial(view, gw), methods=methods)
                for path, view, methods in ROUTES],
        lifespan=lifespan,
    )  # fmt: skip

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        # the OpenAI route is the gateway's hot path (every streamed chunk goes through
        # `send`): it skips the router and the two exception middlewares, and handles errors
        # itself
        if scope["type"] == "http" and scope["path"] == CHAT_PATH and scope["method"] == "POST":
            h = gw.track()  # ended by its deadline, the client going away, or a shutdown
            try:
                try:
                    response = await chat_completions(gw, Request(scope, receive), h)
                except Exception:
                    log.exception("处理对话请求时出错")
                    h.settle()
                    response = error_response(
                        500, error_body("网关内部错误，请稍后重试", "server_error", "internal_error")
                    )
                if not isinstance(response, EventStream):
                    h.settle()  # the answer leaves now: nothing changes its record any more
                await response(scope, receive, send)
            finally:
                h.close()
            return
        await app(scope, receive, send)

    return asgi
