"""``GET /healthz``: whether the gateway serves, and which configuration; details for the admin.

Anyone may ask whether the gateway is up, which configuration version it serves (and a keyed
digest of it) and which process answered. The records writer's state, the screening in force
and the upstream probe (``?upstream=1``, made with the gateway's own upstream key, never the
caller's) are for the admin token only (``?details=1``); no answer names a file or a secret.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from beian.gateway._upstream import UpstreamFailure
from beian.gateway._views.common import admin_denied

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["health", "upstream_headers"]


def _process(gw: Gateway) -> dict[str, Any]:
    o = gw.options
    workers = {"worker": o.worker, "workers": o.workers} if o.worker is not None else {}
    return {"pid": os.getpid()} | workers


def upstream_headers(gw: Gateway) -> dict[str, str]:
    """Headers for the gateway's own calls upstream: its configured key only."""
    key = gw.config.upstream.resolved_key()
    return {"accept": "application/json"} | ({"authorization": f"Bearer {key}"} if key else {})


def _details(gw: Gateway) -> dict[str, Any]:
    return {
        "records_backlog": gw.store.backlog,
        "record_write_errors": gw.store.write_errors,
        "lexicon_sources": len(gw.screening.sources),
        "pii": gw.screening.config.pii if gw.screening.redactor else "off",
        "identity": gw.config.identity.mode,
    }


async def _probe(gw: Gateway) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        status, _, _ = await gw.upstream.get("/models", upstream_headers(gw))
    except UpstreamFailure as failure:
        return {"error": failure.kind}
    return {"status": status, "ms": round((time.perf_counter() - t0) * 1000, 2)}


async def health(gw: Gateway, request: Request) -> Response:
    body: dict[str, Any] = {
        "status": "ok",
        "config_version": gw.version,
        "config_digest": gw.config_digest,
        "config_loaded_at": gw.loaded_at,
        "process": _process(gw),
    }
    q = request.query_params
    if not q.get("details") and not q.get("upstream"):
        return JSONResponse(body)
    denied = await admin_denied(gw, request)
    if denied is not None:
        return denied
    body |= _details(gw)
    if q.get("upstream"):
        body["upstream"] = up = await _probe(gw)
        if up.get("status") != 200:
            body["status"] = "degraded"
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
