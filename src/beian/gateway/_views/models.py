"""``GET /v1/models``: the upstream's model list, passed through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from beian.gateway._upstream import UpstreamFailure, map_status

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["models"]


async def models(gw: Gateway, request: Request) -> Response:
    try:
        status, content, headers = await gw.upstream.get("/models", gw.upstream_headers(request))
    except UpstreamFailure as failure:
        return failure.response({})
    if status != 200:
        return map_status(status, content, headers).response({})
    return Response(content, media_type="application/json")
