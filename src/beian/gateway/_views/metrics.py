"""``GET /metrics``: Prometheus text format (all worker processes together), behind the admin
token or ``access.metrics_token`` unless ``access.public_metrics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from beian.gateway._views.common import admin_denied

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["metrics"]


async def metrics(gw: Gateway, request: Request) -> Response:
    if not gw.config.access.public_metrics:
        denied = await admin_denied(gw, request, metrics=True)
        if denied is not None:
            return denied
    gw.metrics.backlog.set(gw.store.backlog)
    return Response(gw.metrics.render(), media_type="text/plain; version=0.0.4")
