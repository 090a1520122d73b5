"""Forms a browser posts (complaints, the opt-out): cross-site requests refused, anti-forgery
tokens, and a request body read within a size limit.

A form post is accepted only when it comes from the gateway's own pages: the browser's
``Sec-Fetch-Site`` and ``Origin`` must not name another site (``identity.allowed_origins`` adds
a reverse proxy's public origin), and the form must carry the token its page was rendered with
(HMAC over purpose, subject and expiry with a key derived from the records' key ring, so every
worker process accepts every other's tokens).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.requests import Request

__all__ = ["BodyTooLarge", "cross_site", "form_token", "form_token_ok", "read_body"]


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body over {limit} bytes")
        self.limit = limit


def _mac(key: bytes, purpose: str, subject: str, expires: int) -> str:
    msg = f"{purpose}\x00{subject}\x00{expires}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def form_token(key: bytes, purpose: str, subject: str, ttl_s: float, now: float | None = None) -> str:  # fmt: skip
    """The anti-forgery token of a form for ``purpose`` (and the user ``subject``, if any)."""
    expires = int((time.time() if now is None else now) + ttl_s)
    return f"{expires}.{_mac(key, purpose, subject, expires)}"


def form_token_ok(key: bytes, purpose: str, subject: str, token: object, now: float | None = None) -> bool:  # fmt: skip
    if not isinstance(token, str) or token.count(".") != 1:
        return False
    expires, mac = token.split(".")
    if not expires.isdigit() or int(expires) <= (time.time() if now is None else now):
        return False
    return hmac.compare_digest(_mac(key, purpose, subject, int(expires)), mac)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(request: Request, allowed: Sequence[str]) -> bool:
    """Whether a browser sent this request from another site's page."""
    origin = request.headers.get("origin")
    trusted = {_origin(a) for a in allowed}
    if origin is not None:
        host = request.headers.get("host", "").lower()
        same = urlsplit(origin).netloc.lower() == host
        return origin == "null" or not (same or _origin(origin) in trusted)
    # no Origin (an old browser, or not a browser): the Fetch metadata, where present
    return request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (:class:`BodyTooLarge`) past ``limit`` bytes without reading
    the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
