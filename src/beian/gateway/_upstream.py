"""The upstream model: a pooled async HTTP client and the mapping of its failures to clients."""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
from starlette.responses import Response

from beian.gateway._config import UpstreamConfig

__all__ = [
    "TRANSPORT_ERRORS",
    "Decoder",
    "ReadIdle",
    "Upstream",
    "UpstreamFailure",
    "error_body",
    "error_response",
    "map_status",
    "map_transport",
    "read_capped",
    "screened_error",
]

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


class Upstream:
    """Pooled keep-alive connections to the provider's model (aiohttp).

    The issue named httpx; measured on this project's load generator, httpx's async client
    added about 8 ms per request at p50 (even with one client) and its pool scan grows with
    requests x connections, which capped the gateway at a tenth of the direct throughput.
    aiohttp's client costs a fraction of that, so the hot path uses it.
    """

    def __init__(self, cfg: UpstreamConfig) -> None:
        self.cfg = cfg
        self.base = cfg.base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:  # created inside the running event loop
            self._session = aiohttp.ClientSession(
                # no cookies: one user's Set-Cookie must not ride along with every later request
                cookie_jar=aiohttp.DummyCookieJar(),
                connector=aiohttp.TCPConnector(
                    limit=self.cfg.max_connections,
                    keepalive_timeout=self.cfg.keepalive_s,
                    ssl=_ssl_context(),
                ),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=self.cfg.connect_timeout_s,
                    sock_read=self.cfg.read_timeout_s,
                ),
                # never decompressed unasked: a 20 KB gzip body can expand to gigabytes
                # (see Decoder, which decodes within the limits)
                auto_decompress=False,
            )
        return self._session

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> aiohttp.ClientResponse:
        """Send a request; the response is open (read or release it). Failures raise
        :class:`UpstreamFailure`."""
        try:
            return await self.session.post(self.base + path, data=body, headers=headers)
        except TRANSPORT_ERRORS as exc:
            raise map_transport(exc) from None

    async def get(
        self, path: str, headers: dict[str, str], limit: int = 1024 * 1024
    ) -> tuple[int, bytes, Mapping[str, str]]:
        try:
            async with self.session.get(self.base + path, headers=headers) as r:
                return r.status, await read_capped(r, limit), r.headers
        except TRANSPORT_ERRORS as exc:
            raise map_transport(exc) from None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


class ReadIdle:
    """``upstream.read_timeout_s`` between the network reads of one streamed answer, on one
    lazy timer: aiohttp re-arms a timer of its own on every read (a cancel and a new timer per
    streamed chunk); here a read costs two stores and a clock read, and the timer, when it
    fires, re-arms itself at the deadline of the wait in progress.

    Only time spent waiting for the upstream counts (between :meth:`waiting` and the next
    :meth:`got`), as with aiohttp's ``sock_read``, which stops while the gateway is still
    busy sending (or waiting on a slow client). When it runs out the read raises aiohttp's own
    :class:`aiohttp.SocketTimeoutError`, as ``sock_read`` would have. The connection's own
    ``read_timeout`` is set again for each request by aiohttp (``set_response_params``), so a
    pooled connection keeps it for the next one.
    """

    __slots__ = ("_content", "_loop", "_timeout", "_timer", "since", "wait")

    def __init__(self, resp: aiohttp.ClientResponse, timeout: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._content = resp.content
        self._timeout = timeout
        conn = resp.connection
        if conn is not None and conn.protocol is not None:
            conn.protocol.read_timeout = None  # this answer's reads are timed here
        self.since = self._loop.time()  # when the wait in progress began
        self.wait = True  # waiting for the upstream now (not sending)
        self._timer: asyncio.TimerHandle | None = self._loop.call_at(
            self.since + timeout, self._check
        )

    def got(self) -> None:
        """A read came in: the gateway is busy with it (and the client) until :meth:`waiting`."""
        self.wait = False

    def waiting(self) -> None:
        """The gateway waits for the upstream's next read from now on."""
        self.since = self._loop.time()
        self.wait = True

    def _check(self) -> None:
        now = self._loop.time()
        due = (self.since if self.wait else now) + self._timeout
        if now < due:
            self._timer = self._loop.call_at(due, self._check)
            return
        self._timer = None
        self._content.set_exception(
            aiohttp.SocketTimeoutError("Timeout on reading data from socket")
        )

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # loading CA certificates is slow: once per process


class Decoder:
    """The upstream's body as sent (``Content-Encoding`` identity, gzip or deflate), decoded in
    pieces of at most ``limit`` bytes in all: more is :class:`UpstreamFailure` ``too_large``."""

    def __init__(self, encoding: str | None, limit: int) -> None:
        enc = (encoding or "identity").strip().lower()
        if enc in ("gzip", "x-gzip"):
            self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj()
        elif enc == "identity":
            self._z = None
        else:
            raise UpstreamFailure("malformed", 502, f"上游模型的响应使用了不支持的压缩方式 {enc}")
        self.limit = limit
        self.total = 0

    def _count(self, n: int) -> None:
        self.total += n
        if self.total > self.limit:
            raise UpstreamFailure(
                "too_large", 502, f"上游模型的响应超过 {self.limit} 字节（limits），已中止"
            )

    def feed(self, raw: bytes) -> bytes:
        if self._z is None:
            self._count(len(raw))
            return raw
        out = []
        try:
            while raw:
                # at most what the limit still allows, plus one byte to notice going over it
                piece = self._z.decompress(raw, self.limit - self.total + 1)
                self._count(len(piece))
                out.append(piece)
                raw = self._z.unconsumed_tail
        except zlib.error:
            raise UpstreamFailure("malformed", 502, "上游模型的压缩响应无法解压") from None
        return b"".join(out)


async def read_capped(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body of ``resp``, decoded, of at most ``limit`` bytes (else ``too_large``)."""
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit and "content-encoding" not in resp.headers:
        raise UpstreamFailure(
            "too_large", 502, f"上游模型的响应超过 {limit} 字节（limits），已中止"
        )
    encoding = resp.headers.get("content-encoding")
    if encoding is None and length.isdigit():
        # identity with a declared length within the limit: the parser stops at that length,
        # so the body is read whole at once (no decoder, no per-piece accounting)
        return await resp.content.read()
    decoder = Decoder(encoding, limit)
    out = []
    async for raw in resp.content.iter_any():
        out.append(decoder.feed(raw))
    return b"".join(out)


_ERROR_TEXT = 2000  # characters of an upstream error message passed on
_ERROR_WORD = 64


def screened_error(
    body: dict[str, Any], risks: Callable[[str], tuple[str, ...]], fallback: str
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """An upstream error body rebuilt for the client: only ``message``, ``type``, ``code`` and
    ``param``, cut to length; a message with a keyword hit is replaced by ``fallback`` (the
    risk codes are returned for the record)."""
    err = body.get("error")
    err = err if isinstance(err, dict) else {}
    message = err.get("message")
    message = str(message)[:_ERROR_TEXT] if message else fallback
    found = risks(message)
    if found:
        message = fallback

    def word(v: Any) -> str | None:
        if v is None:
            return None
        w = str(v)[:_ERROR_WORD]
        return None if risks(w) else w

    out = {"message": message, "type": word(err.get("type")) or "upstream_error",
           "code": word(err.get("code")), "param": word(err.get("param"))}  # fmt: skip
    return {"error": out}, found


def map_status(status: int, content: bytes, headers: Mapping[str, str]) -> UpstreamFailure:
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
    if isinstance(exc, asyncio.TimeoutError):
        return UpstreamFailure("timeout", 504, "上游模型响应超时，请稍后重试")
    return UpstreamFailure("unreachable", 502, "无法连接上游模型服务，请稍后重试")
