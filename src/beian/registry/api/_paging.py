"""Paging of the application list: the query parameters, and the ``X-Total-Count`` and RFC 8288
``Link`` headers of a page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

__all__ = ["PAGE_DEFAULT", "PAGE_HEADERS", "PAGE_MAX", "Before", "Limit", "Offset", "page_headers"]

PAGE_DEFAULT = 100
PAGE_MAX = 500

Limit = Annotated[
    int, Query(ge=1, le=PAGE_MAX, description=f"每页条数：1–{PAGE_MAX}，默认 {PAGE_DEFAULT}")
]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="跳过的条数，默认 0")]
Before = Annotated[
    str | None,
    Query(
        pattern="^[0-9a-f]{32}$",
        description='游标：从该申请之后（更早提交的）开始列出；`Link` 头 rel="next" 的链接即用它，'
        "翻页期间新增或新提交的申请不会使后续页面重复或遗漏",
    ),
]

# what OpenAPI says of the list's answer besides its body
PAGE_HEADERS: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Total-Count": {
                "description": "按权限范围与状态筛选后的申请总数（不受分页影响）",
                "schema": {"type": "integer"},
            },
            "Link": {
                "description": 'RFC 8288 分页链接：rel="next"（下一页，用游标 before）、'
                'rel="prev"（上一页，用 offset）、rel="first"（第一页），'
                "仅在存在时给出",
                "schema": {"type": "string"},
            },
        }
    }
}


def _link(path: str, params: dict[str, Any], rel: str) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None and v != 0})
    return f'<{path}?{query}>; rel="{rel}"'


def page_headers(
    path: str,
    *,
    state: str | None,
    limit: int,
    offset: int,
    before: str | None,
    total: int,
    last_id: str | None,
    more: bool,
) -> dict[str, str]:
    """The headers of a page read with ``limit``/``offset``/``before``: ``more`` says whether
    rows follow it, ``last_id`` is its last application's id. Links are relative references
    (the path and query), so they hold behind a proxy."""
    base = {"state": state, "limit": limit}
    links = []
    if more and last_id is not None:
        links.append(_link(path, {**base, "before": last_id}, "next"))
    if offset > 0:
        links.append(
            _link(path, {**base, "before": before, "offset": max(0, offset - limit)}, "prev")
        )
    if offset > 0 or before is not None:
        links.append(_link(path, base, "first"))
    headers = {"X-Total-Count": str(total)}
    if links:
        headers["Link"] = ", ".join(links)
    return headers
