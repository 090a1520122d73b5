"""The ASGI application: REST API, web UI and local static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from beian import __version__
from beian.errors import BeianError, InputError, pydantic_message
from beian.registry._auth import LoginRefused, RateLimited
from beian.registry._registry import Registry
from beian.registry.api._deps import error_response, size_worker_threads
from beian.registry.api._limits import RequestLimits
from beian.registry.api._routes import router

__all__ = ["create_app"]

_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'")


_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
             (b"referrer-policy", b"same-origin"), (b"content-security-policy", _CSP.encode())]


class _SecurityHeaders:
    """Headers on every answer (a plain ASGI middleware: no per-request task group). Pages
    and answers carry ID numbers, phones and secrets: nothing but static files is cached."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(msg: Any) -> None:
            if msg["type"] == "http.response.start":
                have = {k.lower() for k, _ in msg.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in have]
                if not static and b"cache-control" not in have:
                    extra.append((b"cache-control", b"no-store"))
                msg["headers"] = [*msg.get("headers", []), *extra]
            await send(msg)

        await self.app(scope, receive, with_headers)


def create_app(registry: Registry, *, web: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        size_worker_threads(registry)  # the event loop that serves is running now
        yield

    # No Swagger UI or ReDoc: FastAPI loads them from a CDN. The spec is /openapi.json.
    app = FastAPI(lifespan=lifespan, title="beian 备案登记系统 API", version=__version__,
                  description="生成式人工智能服务备案登记系统的 REST API。"
                              "认证：`Authorization: Bearer <token>`（POST /api/v1/auth/login 获取）。",
                  docs_url=None, redoc_url=None)
    app.state.registry = registry

    @app.exception_handler(BeianError)
    async def _beian_error(request: Request, exc: BeianError) -> Response:
        if web and not request.url.path.startswith("/api/"):
            from beian.registry.web import render_error

            return render_error(request, exc)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # never echo the input back: location, message and type only
        if web and not request.url.path.startswith("/api/"):  # a form: a Chinese page
            from beian.registry.web import render_error

            first = exc.errors()[0] if exc.errors() else {}
            field = ".".join(str(x) for x in first.get("loc", ())[1:]) or "表单"
            page = render_error(request, InputError(
                f"表单字段 {field} 无效：{pydantic_message(first, show_input=False)}",
                where=field, fix="请按提示修改后重新提交"))
            page.status_code = 422
            return page
        errors = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()[:20]]
        first = errors[0] if errors else {"loc": [], "msg": ""}
        fix = pydantic_message(exc.errors()[0], show_input=False) if errors else ""
        return JSONResponse({"error": "请求参数无效", "where": ".".join(first["loc"]),
                             "fix": fix, "detail": errors}, status_code=422)

    @app.exception_handler(LoginRefused)
    async def _refused(request: Request, exc: LoginRefused) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: RateLimited) -> JSONResponse:
        return error_response(exc)

    app.add_middleware(_SecurityHeaders)
    app.add_middleware(RequestLimits, registry=registry)
    app.include_router(router)
    if web:
        from beian.registry.web import router as web_router

        app.include_router(web_router)
        static = resources.files("beian.registry.web") / "static"
        app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
