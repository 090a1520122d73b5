"""The upstream model: a pooled async HTTP client and the mapping of its failures to clients."""

from __future__ import annotations

import json
from typing import Any

import httpx
from starlette.responses import Response

from beian.gateway._config import UpstreamConfig

__all__ = ["UpstreamFailure", "error_body", "error_response", "make_client", "map_status"]

_PASS_HEADERS = ("retry-after", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests")


class UpstreamFailure(Exception):
    """The upstream could not give a usable answer; ``kind`` is the metric label."""

    def __init__(self, kind: str, status: int, message: str, body: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.message = message
        self.body = body or error_body(message, "upstream_error", kind)
        self.headers = headers or {}

    def response(self, extra: dict[str, str]) -> Response:
        return error_response(self.status, self.body, {**self.headers, **extra})


def error_body(message: str, etype: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": etype, "code": code, "param": None}}


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def make_client(cfg: UpstreamConfig) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=cfg.base_url.rstrip("/"),
        timeout=httpx.Timeout(cfg.read_timeout_s, connect=cfg.connect_timeout_s),
        limits=httpx.Limits(
            max_connections=cfg.max_connections,
            max_keepalive_connections=cfg.max_keepalive,
            keepalive_expiry=30.0,
        ),
    )


def map_status(status: int, content: bytes, headers: httpx.Headers) -> UpstreamFailure:
    """An upstream HTTP error becomes the same status for the client, in OpenAI error form."""
    passed = {k: headers[k] for k in _PASS_HEADERS if k in headers}
    body: dict[str, Any] | None = None
    try:
        data = json.loads(content)
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            body = data
    except ValueError:
        pass
    kind = {429: "rate_limited", 400: "rejected", 401: "unauthorized"}.get(status, f"http_{status}")
    message = f"上游模型返回 HTTP {status}"
    if body is not None:
        message = str(body["error"].get("message") or message)
    return UpstreamFailure(kind, status, message, body, passed)


def map_transport(exc: Exception) -> UpstreamFailure:
    """A connection-level failure before any response: 502 or 504."""
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamFailure("timeout", 504, "上游模型响应超时，请稍后重试")
    return UpstreamFailure("unreachable", 502, "无法连接上游模型服务，请稍后重试")
