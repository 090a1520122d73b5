"""``GET /metrics``: Prometheus text format (all worker processes together)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["metrics"]


async def metrics(gw: Gateway, request: Request) -> Response:
    gw.metrics.backlog.set(gw.store.backlog)
    return Response(gw.metrics.render(), media_type="text/plain; version=0.0.4")
