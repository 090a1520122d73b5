"""``GET /transparency``: the service's transparency notice (服务透明度说明), as configured."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from beian.errors import InputError
from beian.io import read_text

if TYPE_CHECKING:
    from beian.gateway._gateway import Gateway

__all__ = ["transparency"]

_MISSING = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>服务透明度说明</title>'
    "</head><body><h1>服务透明度说明</h1><p>{}</p></body></html>"
)


async def transparency(gw: Gateway, request: Request) -> Response:
    page = gw.config.transparency.page
    if not page:
        return HTMLResponse(_MISSING.format("本服务尚未配置服务透明度说明。"), status_code=404)
    try:
        text, _ = await asyncio.to_thread(read_text, Path(page))
    except (OSError, InputError):
        return HTMLResponse(_MISSING.format("服务透明度说明暂时无法读取。"), status_code=503)
    return HTMLResponse(text)
