"""Request bounds as one ASGI middleware: body size, authentication before uploads, upload slots.

* Every request body is bounded: by ``Content-Length`` (413 before a byte is read) and while
  streaming (a body that grows past the bound is cut off with 413).
* Upload routes (package intake, supplementary materials) get the package bound; everything
  else gets the small request bound.
* An upload is only read from a caller with a valid session: 401 before the body.
* At most ``max_concurrent_uploads`` uploads are read at once; the next waits for a slot up to
  ``upload_wait_seconds`` without its body being read, then gets 503.
* An upload's body reaches the form parser in pieces of about 1 MiB, not as the server reads
  it (≤ 64 KiB): the parser spools each piece to disk in a worker thread, so an 8 MiB package
  costs some 8 trips to a thread instead of 130, and as few turns of the event loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

import anyio

from beian.registry._registry import Registry
from beian.registry.api._deps import run_in_lane

__all__ = ["RequestLimits", "is_upload"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_UPLOAD = re.compile(r"^(/api/v1)?/applications(/[0-9a-f]{32}/materials)?/?$")
_MULTIPART_SLACK = 1024 * 1024  # form fields and part headers around the files
_PIECE = 1024 * 1024  # an upload's body is handed on in pieces of at least this size


def is_upload(method: str, path: str) -> bool:
    return method == "POST" and _UPLOAD.match(path) is not None


def _token(scope: Scope) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    if "cookie" in headers:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers["cookie"])
        except Exception:  # a malformed cookie header is no session
            return None
        morsel = jar.get("beian_session")
        return morsel.value if morsel else None
    return None


async def _answer(send: Send, status: int, what: str, fix: str,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": what, "where": None, "fix": fix}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def _coalesced(receive: Receive) -> Receive:
    """``receive`` handing on the body in pieces of at least ``_PIECE`` bytes (the last may be
    smaller); anything but body (the client left) is handed on at once, the pieces held
    dropped."""

    async def piece() -> Message:
        msg = await receive()
        parts, size = [msg.get("body", b"")], len(msg.get("body", b""))
        while msg["type"] == "http.request" and msg.get("more_body") and size < _PIECE:
            msg = await receive()
            if msg["type"] != "http.request":
                return msg
            parts.append(msg.get("body", b""))
            size += len(parts[-1])
        if len(parts) == 1:
            return msg
        return {"type": "http.request", "body": b"".join(parts),
                "more_body": bool(msg.get("more_body"))}

    return piece


class RequestLimits:
    """The middleware; bounds come from the registry's :class:`Policy`."""

    def __init__(self, app: ASGIApp, registry: Registry) -> None:
        self.app = app
        self.registry = registry
        policy = registry.policy
        self.upload_limit = policy.max_package_bytes + _MULTIPART_SLACK
        self.request_limit = policy.max_request_bytes
        self.slots = anyio.Semaphore(policy.max_concurrent_uploads)
        self.wait_s = policy.upload_wait_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = is_upload(scope["method"], scope["path"])
        limit = self.upload_limit if upload else self.request_limit
        declared = next((v for k, v in scope["headers"] if k.lower() == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _answer(send, 413, "请求体过大", f"上限 {limit} 字节")
            return
        if upload:
            token = _token(scope)
            accounts = self.registry.accounts
            actor = await run_in_lane(self.registry, "read", lambda: accounts.actor_for(token)) \
                if token else None
            if actor is None:
                await _answer(send, 401, "未登录或会话已过期", "请先登录再上传材料",
                              [(b"www-authenticate", b"Bearer")])
                return
            with anyio.move_on_after(self.wait_s) as waited:
                await self.slots.acquire()
            if waited.cancelled_caught:
                await _answer(send, 503, "同时上传的材料过多", "请稍后重试",
                              [(b"retry-after", b"5")])
                return
            try:
                await self._bounded(scope, receive, send, limit, pieces=True)
            finally:
                self.slots.release()
            return
        await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int,
                       pieces: bool = False) -> None:
        """Count the body as it streams; past ``limit`` answer 413 and tell the app the client
        left (its own answer, if any, is dropped). ``pieces``: the body handed on in pieces of
        about ``_PIECE`` bytes (an upload)."""
        seen, started, cut = 0, False, False

        async def counted() -> Message:
            nonlocal seen, cut
            if cut:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    cut = True
                    if not started:
                        await _answer(send, 413, "请求体过大", f"上限 {limit} 字节")
                    return {"type": "http.disconnect"}
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            if cut:
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        await self.app(scope, _coalesced(counted) if pieces else counted, tracked)
