"""The gateway's connection to the upstream keeps no cookies: a ``Set-Cookie`` from the model
server for one user's request must not be sent back with every later user's request. The
upstream is addressed by a host name (``localhost``): aiohttp's cookie jar ignores IP hosts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from .conftest import MakeGateway, gateway_config, keyword_screening
from .hostile import HostileUpstream, Received, completion, reply


def test_an_upstream_cookie_is_not_replayed_to_later_requests(
    tmp_path: Path, make_gateway: MakeGateway
) -> None:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        body = json.dumps(completion({"content": "好的。"})).encode()
        yield reply(200, body, {"set-cookie": "session=alice-secret; Path=/; Max-Age=3600"})

    with HostileUpstream(behave) as up:
        base = up.base_url.replace("127.0.0.1", "localhost")
        g = make_gateway(config=gateway_config(tmp_path, base), factory=keyword_screening)
        for text in ("第一个用户的问题", "第二个用户的问题"):
            r = httpx.post(g.base_url + "/chat/completions",
                           json={"model": "m", "messages": [{"role": "user", "content": text}]})  # fmt: skip
            assert r.status_code == 200
        assert len(up.received) == 2
        assert all("cookie" not in {k.lower() for k in rec.headers} for rec in up.received)
