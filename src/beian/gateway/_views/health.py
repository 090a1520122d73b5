"""``GET /healthz``: the configuration in force, the records writer, optionally the upstream."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from beian.gateway._upstream import UpstreamFailure

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["health"]


def _process(gw: Gateway) -> dict[str, Any]:
    o = gw.options
    workers = {"worker": o.worker, "workers": o.workers} if o.worker is not None else {}
    return {"pid": os.getpid()} | workers


async def health(gw: Gateway, request: Request) -> Response:
    body: dict[str, Any] = {
        "status": "ok",
        "config_version": gw.version,
        "config_digest": gw.config_digest,
        "config_loaded_at": gw.loaded_at,
        "records_backlog": gw.store.backlog,
        "record_write_errors": gw.store.write_errors,
        "lexicon": gw.screening.sources,
        "pii": gw.screening.config.pii if gw.screening.redactor else "off",
        "process": _process(gw),
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
