"""``GET /v1/models``: the models listed in ``access.models``; without such a list, the
upstream's list for the admin only (asked with the gateway's own key, never the caller's, so
the endpoint cannot be used to try API keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from beian.gateway._upstream import UpstreamFailure, map_status
from beian.gateway._views.common import admin_denied
from beian.gateway._views.health import upstream_headers

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["models"]


async def models(gw: Gateway, request: Request) -> Response:
    listed = gw.config.access.models
    if listed:
        created = int(gw.loaded_at)
        return JSONResponse({"object": "list", "data": [
            {"id": m, "object": "model", "created": created, "owned_by": gw.config.complaints.provider_name}
            for m in listed
        ]})  # fmt: skip
    denied = await admin_denied(gw, request)
    if denied is not None:
        return denied
    try:
        status, content, headers = await gw.upstream.get("/models", upstream_headers(gw))
    except UpstreamFailure as failure:
        return failure.response({})
    if status != 200:
        return map_status(status, content, headers).response({})
    return Response(content, media_type="application/json")
